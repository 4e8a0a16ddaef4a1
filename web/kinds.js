// The kinds of mark a reading holds, as digit_recognizer/reading.py names them (the API's "kind" field).
export const DIGIT = "digit"; // one of 0–9: part of the number
export const NOT_A_DIGIT = "not a digit"; // a letter, doodle, scribble or shape: left out of the number
export const DOT = "dot"; // a decimal point, comma or stray dot: left out of the number
export const DASH = "dash"; // a dash, minus or underline: left out of the number
export const FRAME = "frame"; // a box round the number (a cheque's amount box, a form's field): left out
export const OUTSIDE = "outside the box"; // a mark beside a box that holds digits (a cheque's printed $): left out
