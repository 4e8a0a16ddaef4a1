// digit_recognizer/reader.py in JavaScript: segment.js finds the marks (cuts.js proposes how to cut wide ones), the
// model reads every candidate digit in one batched call, and the cut that reads best is kept. A reading is
// {marks: [{kind, box, probabilities, frame}], message}, as digit_recognizer/reading.py describes it.
import { judged, readsFiner, wholeDrawing } from "./drawings.js";
import { DIGIT, NOT_A_DIGIT } from "./kinds.js";
import { DIGITS } from "./recognizer.js";
import { findMarks } from "./segment.js";

// How good a candidate piece is as one whole digit: reader.py's linear score, same weights and features
// (printed by `python benchmarks/fit_reader.py`).
const PIECE_WEIGHTS = [0.386, 1.61, 4.267, -4.228, 1.871, 0.319, -7.976, 6.482, -2.555, -1.097];
const MEDIAN_WIDTH = [0.88, 0.46, 0.84, 0.68, 0.64, 0.73, 0.57, 0.64, 0.58, 0.6];
// A digit cut from a wider mark: its probabilities use this many times the model's temperature (reader.py's, printed
// by `python benchmarks/confidence.py --fit`).
const CUT_TEMPERATURE = 1.846;
// "Not a digit" per class: the saved energy threshold plus this for a piece's top guess (reader.py's, printed by
// `python benchmarks/fit_thresholds.py`).
const CLASS_ENERGY_SHIFT = [0.39, 0.64, -1.29, -3.64, 0.93, -3.43, 0.49, -0.31, 0.44, -1.78];

/** The most probable digit of a mark, or "" for a mark the model did not read. */
export function label(mark) {
  const entries = Object.entries(mark.probabilities ?? {});
  return entries.length ? entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0] : "";
}

/** The `count` most probable digits of a mark with their probabilities, most probable first. */
export function top(mark, count = 3) {
  return Object.entries(mark.probabilities ?? {}).sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** The digits read, left to right ("2026"); a line under another after it, on a line of its own ("12\n34"); "" when
 * there are none. */
export function text(reading) {
  const lines = new Map();
  for (const mark of reading.marks.filter((mark) => mark.kind === DIGIT)) lines.set(mark.line, (lines.get(mark.line) ?? "") + label(mark));
  return [...lines.keys()].sort((a, b) => a - b).map((line) => lines.get(line)).join("\n");
}

/** Every mark in `pixels`, left to right: digits with their probabilities and frames, dots and dashes. The same
 * reading as reader.py's, which runs every piece through the model in one call: here the fine pieces go through it
 * only for the marks read along them (a second call), so a live guess while drawing one wide digit stays quick. */
export async function read(recognizer, pixels) {
  let layout = findMarks(pixels);
  if (layout.message) return { marks: [], message: layout.message };
  const pieces = layout.groups.flatMap((group) => group.pieces);
  if (!pieces.length) {
    return { marks: layout.groups.filter((group) => group.kind !== DIGIT).map((group) => ({ kind: group.kind, box: group.box, line: group.line ?? 0 })), message: "" };
  }
  const count = pieces.length;
  pieces.push(...wholeDrawing(layout, pixels)); // and all marks as one, if they may be one drawing
  const logits = pieces.map(() => new Array(10).fill(0)); // (a fine piece's row stays 0 until the model reads it)
  const coarseRows = pieces.flatMap((piece, row) => (piece.coarse ? [row] : []));
  let candidates = await readRows(recognizer, pieces, coarseRows, logits);
  let digit = recognizer.isDigit(logits, CLASS_ENERGY_SHIFT);
  let [coarse, finer] = chosenPieces(layout, logits.slice(0, count), digit);
  // Which marks judged() reads along their finer paths: marks kept as two or more coarse pieces, one a digit (a mark
  // kept whole is one piece; an image judged one drawing has no marks read so).
  const [judgedLayout, kept] = judged(layout, pieces, logits, coarse, digit);
  const refined = judgedLayout === layout ? kept.map((rows) => readsFiner(rows, digit)) : [];
  if (refined.some(Boolean)) {
    const owner = layout.groups.flatMap((group, index) => group.pieces.map(() => index));
    const fineRows = owner.flatMap((index, row) => (refined[index] && !pieces[row].coarse ? [row] : []));
    candidates += await readRows(recognizer, pieces, fineRows, logits);
    digit = recognizer.isDigit(logits, CLASS_ENERGY_SHIFT);
    [coarse, finer] = chosenPieces(layout, logits.slice(0, count), digit);
  }
  let chosen;
  [layout, chosen, digit] = judged(layout, pieces, logits, coarse, digit, { finer });
  const cut = cutRows(layout, chosen, pieces, count);
  const probabilities = recognizer.calibrated(logits, cut.map((isCut) => (isCut ? CUT_TEMPERATURE : 1)));
  const marks = [];
  layout.groups.forEach((group, index) => {
    const line = group.line ?? 0;
    if (group.kind !== DIGIT) marks.push({ kind: group.kind, box: group.box, line });
    for (const row of chosen[index]) {
      marks.push({ kind: digit[row] ? DIGIT : NOT_A_DIGIT, box: pieces[row].box,
        probabilities: Object.fromEntries(DIGITS.map((name, column) => [name, probabilities[row][column]])), frame: pieces[row].frame, line });
    }
  });
  return { marks, message: "", candidates }; // (candidates: frames the model read, for benchmarks)
}

/** The model's logits for `rows` of `pieces`, written into `logits` in one batched call; how many it read. */
async function readRows(recognizer, pieces, rows, logits) {
  if (!rows.length) return 0;
  const read = await recognizer.logits(rows.map((row) => pieces[row].frame));
  rows.forEach((row, index) => { logits[row] = read[index]; });
  return rows.length;
}

/** Per row of `pieces`, whether it is a chosen piece cut from a wider mark (not a mark read whole); `count`: the
 * marks' own pieces (then the whole drawing's frame). */
export function cutRows(layout, chosen, pieces, count) {
  const cut = new Array(pieces.length).fill(false);
  layout.groups.forEach((group, index) => {
    for (const row of chosen[index]) cut[row] = row < count && !(pieces[row].start === 0 && pieces[row].end === group.cuts - 1);
  });
  return cut;
}

/** For each mark, the rows (of `logits`, one per piece of every mark in turn; `digit`: whether each reads as a digit
 * at all) of the pieces that read it best: [among its coarse pieces, among all of them] (reader.py's chosen_pieces). */
export function chosenPieces(layout, logits, digit) {
  return bothPaths(layout, pieceFeatures(layout, logits, digit).map((features) => features.reduce((sum, value, k) => sum + value * PIECE_WEIGHTS[k], 0)));
}

/** [bestPaths through the coarse pieces only (what drawings.js judges a mark by), through all pieces (what a number
 * is read along)]. */
export function bothPaths(layout, score) {
  const coarse = layout.groups.flatMap((group) => group.pieces.map((piece) => piece.coarse));
  return [bestPaths(layout, score.map((value, row) => (coarse[row] ? value : -Infinity))), bestPaths(layout, score)];
}

/** For each mark, the rows (of `score`: one per piece of every mark in turn) of its path of pieces with the highest
 * total score; [] for dots and dashes. */
export function bestPaths(layout, score) {
  const chosen = [];
  let index = 0;
  for (const group of layout.groups) {
    const rows = new Map(group.pieces.map((piece, number) => [`${piece.start},${piece.end}`, index + number]));
    index += group.pieces.length;
    chosen.push(group.kind === DIGIT ? bestCut(group, rows, score) : []);
  }
  return chosen;
}

/** What PIECE_WEIGHTS weigh, per piece of every mark in turn (reader.py's piece_features). */
export function pieceFeatures(layout, logits, digit) {
  const lone = layout.groups.filter((group) => group.kind === DIGIT).length === 1; // a lone mark is more likely one digit...
  const pieces = layout.groups.flatMap((group) => group.pieces.map((piece) => [piece, lone && piece.start === 0 && piece.end === group.cuts - 1]));
  return pieces.map(([piece, unsplit], index) => {
    const row = logits[index];
    const top = Math.max(...row);
    const logTop = -Math.log(row.reduce((sum, value) => sum + Math.exp(value - top), 0));
    const median = MEDIAN_WIDTH[row.indexOf(top)];
    const width = piece.width;
    return [Math.min(25, Math.max(-5, top)), logTop, width, Math.max(0, width - median), Math.max(0, median - width),
      piece.crossed ?? 0, 1, unsplit ? 1 : 0, unsplit ? width : 0, digit[index] ? 0 : 1]; // (...unless much wider)
  });
}

/** The rows of the pieces that read the mark best: the path of pieces from its left edge to its right edge with
 * the highest total score (dynamic programming over cut positions). */
function bestCut(group, rows, score) {
  const best = new Array(group.cuts).fill(null);
  best[0] = [0.0, []];
  for (let end = 1; end < group.cuts; end++) {
    for (let start = 0; start < end; start++) {
      const row = rows.get(`${start},${end}`);
      if (row === undefined || best[start] === null) continue;
      const total = best[start][0] + score[row];
      if (best[end] === null || total > best[end][0]) best[end] = [total, [...best[start][1], row]];
    }
  }
  return best[group.cuts - 1] !== null ? best[group.cuts - 1][1] : [];
}
