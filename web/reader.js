// digit_recognizer/reader.py in JavaScript: segment.js finds the marks and proposes cuts, the model reads every
// candidate digit in one batched call, and the cut the model is most sure of is kept. A reading is
// {marks: [{kind, box, probabilities, frame}], message}, as digit_recognizer/reading.py describes it.
import { DIGITS } from "./recognizer.js";
import { DASH, DIGIT, DOT, NOT_A_DIGIT, findMarks } from "./segment.js";

export { DASH, DIGIT, DOT, NOT_A_DIGIT };
// How likely a candidate piece is one whole digit: reader.py's logistic model, same weights and features.
const PIECE_WEIGHTS = [0.257, -0.316, 1.225, -5.416, -3.714, -3.597];
const MEDIAN_WIDTH = [0.83, 0.36, 0.76, 0.63, 0.59, 0.75, 0.6, 0.73, 0.59, 0.65];

/** The most probable digit of a mark, or "" for a mark the model did not read. */
export function label(mark) {
  const entries = Object.entries(mark.probabilities ?? {});
  return entries.length ? entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0] : "";
}

/** The `count` most probable digits of a mark with their probabilities, most probable first. */
export function top(mark, count = 3) {
  return Object.entries(mark.probabilities ?? {}).sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** The digits read, left to right ("2026"); "" when there are none. */
export function text(reading) {
  return reading.marks.filter((mark) => mark.kind === DIGIT).map(label).join("");
}

/** Every mark in `pixels`, left to right: digits with their probabilities and frames, dots and dashes. */
export async function read(recognizer, pixels) {
  const layout = findMarks(pixels);
  if (layout.message) return { marks: [], message: layout.message };
  const pieces = layout.groups.flatMap((group) => group.pieces);
  if (!pieces.length) {
    return { marks: layout.groups.filter((group) => group.kind !== DIGIT).map((group) => ({ kind: group.kind, box: group.box })), message: "" };
  }
  const logits = await recognizer.logits(pieces.map((piece) => piece.frame));
  const probabilities = recognizer.calibrated(logits);
  const digit = recognizer.isDigit(logits);
  const likelihood = logLikelihoods(logits, pieces.map((piece) => piece.width));
  const marks = [];
  let index = 0;
  for (const group of layout.groups) {
    const rows = new Map();
    group.pieces.forEach((piece, offset) => rows.set(`${piece.start},${piece.end}`, index + offset));
    index += group.pieces.length;
    if (group.kind !== DIGIT) { marks.push({ kind: group.kind, box: group.box }); continue; }
    for (const row of bestCut(group, rows, likelihood)) {
      marks.push({ kind: digit[row] ? DIGIT : NOT_A_DIGIT, box: pieces[row].box,
        probabilities: Object.fromEntries(DIGITS.map((name, column) => [name, probabilities[row][column]])), frame: pieces[row].frame });
    }
  }
  return { marks, message: "" };
}

/** log P(the piece is one whole digit) for each candidate piece (PIECE_WEIGHTS). */
function logLikelihoods(logits, widths) {
  return logits.map((row, index) => {
    const top = Math.max(...row);
    const logTop = -Math.log(row.reduce((sum, value) => sum + Math.exp(value - top), 0));
    const median = MEDIAN_WIDTH[row.indexOf(top)];
    const width = widths[index];
    const features = [Math.min(25, Math.max(-5, top)), logTop, width, Math.max(0, width - median), Math.max(0, median - width), 1];
    const z = features.reduce((sum, value, k) => sum + value * PIECE_WEIGHTS[k], 0);
    return -(Math.max(0, -z) + Math.log1p(Math.exp(-Math.abs(z)))); // −logaddexp(0, −z)
  });
}

/** The rows of the pieces that read the mark best: the path of pieces from its left edge to its right edge with
 * the highest total log-likelihood (dynamic programming over cut positions). */
function bestCut(group, rows, likelihood) {
  const best = new Array(group.cuts).fill(null);
  best[0] = [0.0, []];
  for (let end = 1; end < group.cuts; end++) {
    for (let start = 0; start < end; start++) {
      const row = rows.get(`${start},${end}`);
      if (row === undefined || best[start] === null) continue;
      const score = best[start][0] + likelihood[row];
      if (best[end] === null || score > best[end][0]) best[end] = [score, [...best[start][1], row]];
    }
  }
  return best[group.cuts - 1] !== null ? best[group.cuts - 1][1] : [];
}
