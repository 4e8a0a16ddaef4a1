// digit_recognizer/lines.py in JavaScript: finds the lines of writing, so that a number written under another is
// read line by line, top to bottom, rather than as one row of digits interleaved by their columns.
export const LINE_PART = 0.5; // a part at least this share of the digits' height is (most of) a digit
export const LINE_OVERLAP = 0.5; // two lines lie one under the other when their digits share this much of the narrower's columns...
export const LINE_GAP = 0.25; // ...and at least this far apart (times the digits' height): an 8 drawn as two loops is one digit
const NO_DIGITS = [-1, -1]; // the columns of a run's digits when it has none (only dots, dashes, flags)

/** The rows [top, bottom] of each line of writing, top to bottom, together covering all `rows` rows; `parts`: the
 * strokes' boxes [x, y, width, height], `height`: the digits'. One band when there is one line. */
export function lineBands(parts, height, rows) {
  const runs = []; // [top, bottom, left, right] per run of rows spanned by strokes; left/right: of its digits
  const sorted = parts.map((part) => part.slice(0, 4)).map((part, index) => [part, index])
    .sort((a, b) => a[0][1] - b[0][1] || a[1] - b[1]).map(([part]) => part);
  for (const [x, y, width, partHeight] of sorted) {
    const digit = partHeight >= LINE_PART * height ? [x, x + width] : NO_DIGITS;
    const last = runs[runs.length - 1];
    if (!last || y >= last[1]) runs.push([y, y + partHeight, ...digit]);
    else runs[runs.length - 1] = [last[0], Math.max(last[1], y + partHeight), ...joined(last.slice(2), digit)];
  }
  const lines = [];
  for (const run of runs) {
    const last = lines[lines.length - 1];
    if (last && (last[2] < 0 || run[2] < 0 || !oneUnderTheOther(last, run) || run[0] - last[1] < LINE_GAP * height)) {
      lines[lines.length - 1] = [last[0], Math.max(last[1], run[1]), ...joined(last.slice(2), run.slice(2))];
    } else {
      lines.push(run);
    }
  }
  if (lines.length > 1 && lines[0][2] < 0) { // marks above the first digits (a flag, a stray dot) join them
    lines[1][0] = lines[0][0];
    lines.shift();
  }
  const edges = [0, ...lines.slice(1).map((below, index) => Math.floor((lines[index][1] + below[0]) / 2)), rows];
  return edges.slice(1).map((bottom, index) => [edges[index], bottom]);
}

/** The columns [left, right] that two runs' digits cover together (NO_DIGITS: a run without any). */
function joined(columns, other) {
  if (columns[0] < 0 || other[0] < 0) return columns[0] < 0 ? other : columns;
  return [Math.min(columns[0], other[0]), Math.max(columns[1], other[1])];
}

function oneUnderTheOther(above, below) {
  const shared = Math.min(above[3], below[3]) - Math.max(above[2], below[2]);
  return shared >= LINE_OVERLAP * Math.min(above[3] - above[2], below[3] - below[2]);
}
