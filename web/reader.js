// digit_recognizer/reader.py in the browser: reads a whole image into a Reading, as reading.py describes it:
// {marks: [{kind, box, probabilities, frame}], message}. (Still the placeholder until segmentation lands:
// the whole image framed as one mark.)
import { toMnistFrame } from "./preprocess.js";
import { DIGITS } from "./recognizer.js";

export const DIGIT = "digit";
export const NOT_A_DIGIT = "not a digit";
export const DOT = "dot";
export const DASH = "dash";

/** The most probable digit of a mark, or "" for a mark the model did not read. */
export function label(mark) {
  const entries = Object.entries(mark.probabilities);
  return entries.length ? entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0] : "";
}

/** The `count` most probable digits of a mark with their probabilities, most probable first. */
export function top(mark, count = 3) {
  return Object.entries(mark.probabilities).sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** The digits read, left to right ("2026"); "" when there are none. */
export function text(reading) {
  return reading.marks.filter((mark) => mark.kind === DIGIT).map(label).join("");
}

/** Every digit (and other mark) in `pixels`, left to right. */
export async function read(recognizer, pixels) {
  const frame = toMnistFrame(pixels);
  if (frame === null) return { marks: [], message: "" };
  const logits = await recognizer.logits([frame]);
  const probabilities = Object.fromEntries(DIGITS.map((digit, index) => [digit, recognizer.calibrated(logits)[0][index]]));
  const kind = recognizer.isDigit(logits)[0] ? DIGIT : NOT_A_DIGIT;
  return { marks: [{ kind, box: [0, 0, frame.width, frame.height], probabilities, frame }], message: "" };
}
