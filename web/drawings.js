// digit_recognizer/drawings.py in JavaScript: after the reader has chosen how to cut each mark, decides which marks
// are drawings (a doodle, a letter, a symbol) rather than digits, judging a drawing whole rather than by its pieces.
import { toMnistFrame } from "./preprocess.js";
import { argmax, energy } from "./recognizer.js";
import { DIGIT, FRAME } from "./kinds.js";

// drawings.py's constants (printed by `python benchmarks/fit_drawings.py`).
export const ONE_DRAWING_OVERLAP = 0.1;
export const SAME_ROW = 0.7;
export const NARROW = 1.1;
export const CONFIDENT_ENERGY = -13.0;
export const NUMBER_SHARE = 0.6;
export const PAIR_ENERGY = -16.0; // a mark that is not a digit whole, cut in two: at most this mean energy...
export const PAIR_WIDTH = 10.0; // ...plus this much per height its width is beyond one height, less below
export const IN_NUMBER_ENERGY = -2.0;

/** [every mark of `pixels` framed as one, as predict frames it] when its marks may be one drawing; [] otherwise. */
export function wholeDrawing(layout, pixels) {
  if (layout.groups.some((group) => group.kind === FRAME)) return []; // (framed whole, the box would be in the frame)
  return oneDrawing(layout.groups, ONE_DRAWING_OVERLAP, SAME_ROW) ? asOne(layout, pixels) : [];
}

/** [every mark of `pixels` framed as one, as predict frames it, with the box round them all], or []. */
export function asOne(layout, pixels) {
  const frame = toMnistFrame(pixels);
  if (frame === null) return [];
  const boxes = layout.groups.map((group) => group.box);
  const left = Math.min(...boxes.map((box) => box[0])), top = Math.min(...boxes.map((box) => box[1]));
  const right = Math.max(...boxes.map((box) => box[0] + box[2])), bottom = Math.max(...boxes.map((box) => box[1] + box[3]));
  const box = [left, top, right - left, bottom - top];
  return [{ start: 0, end: 1, box, frame, width: box[2] / Math.max(box[3], 1), crossed: 0.0, coarse: true }];
}

/** Whether two or more marks are one drawing: each linked to another by boxes sharing more than `overlap` of the
 * smaller one's area, and no two digit marks side by side (sharing `sameRow` of the taller one's rows). */
export function oneDrawing(groups, overlap, sameRow) {
  if (groups.length < 2) return false;
  const digits = groups.filter((group) => group.kind === DIGIT).map((group) => group.box);
  for (let i = 0; i < digits.length; i++) {
    for (let j = i + 1; j < digits.length; j++) {
      if (shared(digits[i], digits[j])[1] >= sameRow * Math.max(digits[i][3], digits[j][3])) return false;
    }
  }
  const parent = groups.map((_, index) => index);
  const root = (index) => {
    while (parent[index] !== index) index = parent[index];
    return index;
  };
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const [width, height] = shared(groups[i].box, groups[j].box);
      const smaller = Math.min(groups[i].box[2] * groups[i].box[3], groups[j].box[2] * groups[j].box[3]);
      if (width > 0 && height > 0 && width * height > overlap * smaller) parent[root(j)] = root(i);
    }
  }
  return new Set(groups.map((_, index) => root(index))).size === 1;
}

/** The columns and rows two boxes share (negative: the gap between them). */
function shared(first, second) {
  return [Math.min(first[0] + first[2], second[0] + second[2]) - Math.max(first[0], second[0]),
    Math.min(first[1] + first[3], second[1] + second[3]) - Math.max(first[1], second[1])];
}

/** Whether a mark kept as its coarse pieces `rows` is read along its finer path: cut in two or more, one a digit. */
export function readsFiner(rows, digit) {
  return rows.length >= 2 && rows.some((row) => digit[row]);
}

/** [the marks (`layout`, or the whole drawing as one mark), the pieces kept for each (rows of `pieces`/`logits`;
 * `chosen`: each mark's best path of coarse pieces), per row whether it reads as a digit]. `pieces` holds every
 * mark's pieces in turn, then wholeDrawing's if any. A mark cut in two or more pieces and kept as them, one at least
 * a digit, is then read along `finer` (its best path through all its pieces), when given; read whole, it stays whole. */
export function judged(layout, pieces, logits, chosen, digit, { narrow = NARROW, confident = CONFIDENT_ENERGY,
  inNumber = IN_NUMBER_ENERGY, share = NUMBER_SHARE, pair = PAIR_ENERGY, pairWidth = PAIR_WIDTH, finer = null } = {}) {
  const count = layout.groups.reduce((sum, group) => sum + group.pieces.length, 0);
  if (pieces.length > count && !digit[count]) {
    return [{ groups: [{ kind: DIGIT, box: pieces[count].box, cuts: 2, pieces: [pieces[count]] }], message: layout.message }, [[count]], digit];
  }
  const energies = energy(logits);
  const kept = [];
  let first = 0;
  layout.groups.forEach((group, index) => {
    const rows = chosen[index];
    const number = group.pieces.findIndex((piece) => piece.start === 0 && piece.end === group.cuts - 1);
    const whole = number < 0 ? null : first + number;
    first += group.pieces.length;
    let cut = true;
    if (whole !== null && rows.length >= 2 && !digit[whole]) {
      const onlyOnes = rows.every((row) => argmax(logits[row]) === 1); // a u, a w, a check mark
      cut = pieces[whole].width < narrow || onlyOnes
        ? rows.every((row) => digit[row] && energies[row] <= confident)
        : rows.filter((row) => digit[row]).length >= share * rows.length;
      const allowed = pair + pairWidth * (pieces[whole].width - 1);
      if (rows.length === 2 && (energies[rows[0]] + energies[rows[1]]) / 2 > allowed) cut = false; // two strokes, not two digits
    }
    if (!cut) kept.push([whole]);
    else if (finer !== null && readsFiner(rows, digit)) kept.push(finer[index]);
    else kept.push(rows);
  });
  const read = layout.groups.flatMap((group, index) => (group.kind === DIGIT ? kept[index] : []));
  if (read.length >= 2 && read.some((row) => digit[row])) {
    digit = [...digit];
    for (const row of read) digit[row] = digit[row] || energies[row] <= inNumber;
  }
  return [layout, kept, digit];
}
