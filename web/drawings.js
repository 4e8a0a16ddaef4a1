// digit_recognizer/drawings.py in JavaScript: after the reader has chosen how to cut each mark, decides which marks
// are drawings (a doodle, a letter, a symbol) rather than digits.

/** [the pieces kept for each mark (rows of `pieces`/`logits`), per row whether it reads as a digit]. */
export function judged(layout, pieces, logits, chosen, digit) {
  return [chosen, digit];
}
