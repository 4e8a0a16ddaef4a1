// digit_recognizer/segment.py in JavaScript, function for function: finds the marks in an image (digits, dots,
// dashes; boxes round them, with frames.js), left to right; for marks that may hold several touching digits, cuts.js proposes pieces and
// reader.js lets the model choose among them. Works on preprocess.js's ink map.
import { cutPositions, pieces } from "./cuts.js";
import { outsideBoxes, withoutFrames } from "./frames.js";
import { DASH, DIGIT, DOT, FRAME } from "./kinds.js";
import { lineBands } from "./lines.js";
import { centralMoments, connectedComponentsWithStats, distanceTransform, minMax, morphology, plane } from "./opencv.js";
import {
  DETAIL_SIDE, INK_LEVEL, MIN_CONTRAST, MIN_DIGIT_PIXELS, WORK_SIDE, digitBox, frame, readCloser, readInk, shrinkFactor,
} from "./preprocess.js";

export const MAX_MARKS = 30;
export const MAX_PARTS = 4 * MAX_MARKS;
export const TARGET_HEIGHT = 40;
export const CLOSE_ENOUGH = 0.6;
export const THIN_STROKE = 2.5;
export const SPECK_SIDE = 0.6;
export const LOW_DOT = 0.6;
export const DOT_SIDE = 0.35;
export const DASH_HEIGHT = 0.3;
export const DASH_ASPECT = 2.0;
export const LONE_DASH_ASPECT = 4.0; // a lone mark this many times wider than tall is a dash too...
export const DASH_STROKES = 1.6; // ...when its columns hold at most this many strokes' width of ink on average
export const DASH_RUNS = 1.3; // ...and cross at most this many strokes on average (thin strokes, shrunk, look thicker)
export const UNDERLINE = 1.2;
export const FLAG_HEIGHT = 0.6, FLAG_GAP = 0.3, FLAG_TOP = 0.35;
export const SAME_DIGIT_OVERLAP = 0.5;
export const CROSSBAR_OVERLAP = 0.85;
export const STACKED = 0.3, STACKED_OVERLAP = 0.15;
export const MAX_SLANT = 0.6;
export const SLANT_WIDTH = 1.2;
export const SPLIT_ASPECT = 0.8;
export const SPLIT_RELATIVE = 1.3;
export const LONE_SPLIT_ASPECT = 0.8;
export const MIN_SPLIT_HEIGHT = 20;

// A group is {kind, box, cuts, pieces} (pieces: see cuts.js); a layout {groups, message}.

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function maskOf(ink, strongest) {
  const mask = new Uint8Array(ink.data.length);
  const level = Math.fround(INK_LEVEL * strongest);
  for (let i = 0; i < mask.length; i++) mask[i] = ink.data[i] > level;
  return mask;
}

/** The marks in `pixels`, left to right. */
export function findMarks(pixels) {
  const factor = shrinkFactor(pixels, WORK_SIDE);
  const ink = readInk(pixels, factor);
  const strongest = minMax(ink)[1];
  if (strongest < MIN_CONTRAST) return { groups: [], message: "" };
  const [kept, components, boxes, lines] = withoutFrames(ink); // a box round the number, or a line under it, is no part of it
  const frames = [...boxes.map((box) => [FRAME, box]), ...lines.map((box) => [DASH, box])]
    .map(([kind, box]) => ({ kind, box: box.map((value) => value * factor), cuts: 2, pieces: [] }));
  const parts = withoutSpecks(components.stats.slice(1), factor);
  if (parts.length > MAX_PARTS) return tooMany();
  if (parts.length === 0) return { groups: frames, message: "" };
  const height = digitHeight(parts);
  const closer = height >= CLOSE_ENOUGH * TARGET_HEIGHT ? factor
    : Math.min(factor, Math.max(1, Math.floor(factor * height / TARGET_HEIGHT)));
  const [fine, fineComponents] = closer === factor ? [kept, components] : withoutFrames(readInk(pixels, closer));
  const groups = outsideBoxes(groupsByLine(fine, closer, fineComponents), frames);
  if (groups.length > MAX_MARKS) return tooMany();
  if (groups.length === 1 && groups[0].kind === DIGIT) {
    return { groups: [asPredictFramesIt(groups[0], pixels, kept, factor, components.stats.slice(1)), ...frames], message: "" };
  }
  return { groups: [...groups, ...frames], message: "" };
}

function tooMany() {
  return { groups: [], message: `This image holds more than ${MAX_MARKS} marks: write at most ${MAX_MARKS} digits.` };
}

/** The marks of the ink, line by line (top to bottom), each line's left to right: groupsOf each line's rows. */
function groupsByLine(ink, factor, components) {
  const strongest = minMax(ink)[1];
  const parts = withoutSpecks(components.stats.slice(1), factor);
  const bands = parts.length ? lineBands(parts, digitHeight(parts), ink.height) : [[0, ink.height]];
  if (bands.length === 1) return groupsOf(ink, factor, strongest, components);
  const groups = [];
  bands.forEach(([top, bottom], line) => {
    const band = plane(ink.width, ink.height);
    band.data.set(ink.data.subarray(top * ink.width, bottom * ink.width), top * ink.width);
    const strokes = connectedComponentsWithStats(maskOf(band, strongest), ink.width, ink.height);
    groups.push(...groupsOf(band, factor, strongest, strokes, false).map((group) => ({ ...group, line })));
  });
  return groups;
}

/** The strokes (their stats) but specks smaller than MIN_DIGIT_PIXELS in the input, as predict drops them. */
function withoutSpecks(parts, factor) {
  return parts.filter((part) => Math.max(part[2], part[3]) * factor >= MIN_DIGIT_PIXELS);
}

function digitHeight(parts) {
  const heights = parts.map((part) => part[3]);
  const tallest = Math.max(...heights);
  return median(heights.filter((height) => height >= tallest / 2));
}

/** A lone digit mark whose unsplit reading is exactly predict's: its frame and box. */
function asPredictFramesIt(group, pixels, ink, factor, parts) {
  let box = digitBox(ink, parts);
  if (box !== null && factor > 1 && Math.max(box[2], box[3]) < DETAIL_SIDE) [ink, box, factor] = readCloser(pixels, box, factor);
  if (box === null || Math.max(box[2], box[3]) * factor < MIN_DIGIT_PIXELS) return { kind: group.kind, box: group.box, cuts: 2, pieces: [] };
  const whole = frame(ink, box);
  const framed = group.pieces.map((piece) => (piece.start === 0 && piece.end === group.cuts - 1
    ? { start: piece.start, end: piece.end, box: piece.box, frame: whole, width: piece.width, crossed: 0.0, coarse: true } : piece));
  return { ...group, pieces: framed };
}

// --- Parts into marks -----------------------------------------------------------------------------------

/** The marks of the ink (its connected strokes: `components`, as frames.js's withoutFrames gives them), left to right;
 * `oneLine`: the ink is all the image holds (else one of its lines: no mark of it is the image's only one). */
function groupsOf(ink, factor, strongest, components, oneLine = true) {
  let { count, labels, stats } = components;
  const stroke = strokeWidthOfLargest(ink.width, labels, stats);
  if (stroke < THIN_STROKE) { // hairlines break apart where they fade: bridge breaks of a pixel or two
    const square = [[0, 3], [0, 3], [0, 3]];
    const mask = morphology({ width: ink.width, height: ink.height, data: Float32Array.from(maskOf(ink, strongest)) }, square, true);
    ({ count, labels, stats } = connectedComponentsWithStats(Uint8Array.from(mask.data), ink.width, ink.height));
  }
  const keep = [];
  for (let label = 1; label < count; label++) if (Math.max(stats[label][2], stats[label][3]) >= SPECK_SIDE * stroke) keep.push(label);
  if (!keep.length) return [];
  const height = digitHeight(keep.map((label) => stats[label]));
  const slant = slantOf(ink.width, labels, stats, keep, height);
  const reference = ink.height / 2;
  const parts = keep.map((label) => part(label, ink.width, labels, stats, slant, reference));
  const members = join(parts, height);
  const widths = members.map((chosen) => Math.max(...chosen.map((p) => p.right)) - Math.min(...chosen.map((p) => p.left)));
  const tall = widths.filter((_, index) => Math.max(...members[index].map((p) => p.box[1] + p.box[3]))
    - Math.min(...members[index].map((p) => p.box[1])) >= FLAG_HEIGHT * height);
  // Among several digits of one size, none is two digits: only a mark wider than most may be.
  const leastSplit = tall.length >= 3 ? SPLIT_RELATIVE * median(tall) : 0.0;
  const groups = members.map((chosen, index) => mark(chosen, ink, labels, slant, reference, height, stroke, factor,
    oneLine && members.length === 1, widths[index] >= leastSplit));
  const centres = members.map((chosen) => Math.min(...chosen.map((p) => p.left)) + Math.max(...chosen.map((p) => p.right)));
  return centres.map((centre, index) => [centre, index]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, index]) => groups[index]);
}

function labelCrop(labels, width, [x, y, cropWidth, cropHeight], label, pad = 0) {
  const paddedWidth = cropWidth + 2 * pad;
  const out = new Uint8Array(paddedWidth * (cropHeight + 2 * pad));
  for (let row = 0; row < cropHeight; row++) {
    for (let column = 0; column < cropWidth; column++) {
      out[(row + pad) * paddedWidth + column + pad] = labels[(y + row) * width + x + column] === label ? 1 : 0;
    }
  }
  return out;
}

/** Stroke width of the largest part (4 × mean distance to its edge), in px. */
function strokeWidthOfLargest(width, labels, stats) {
  let label = 1;
  for (let candidate = 2; candidate < stats.length; candidate++) if (stats[candidate][4] > stats[label][4]) label = candidate;
  const [, , cropWidth, cropHeight] = stats[label];
  const crop = labelCrop(labels, width, stats[label], label, 1);
  const distances = distanceTransform(crop, cropWidth + 2, cropHeight + 2).data;
  let sum = 0, inside = 0;
  for (let i = 0; i < crop.length; i++) if (crop[i]) { sum += distances[i]; inside++; }
  return 4 * (sum / inside);
}

/** Horizontal shift per px downwards of the writing's upright strokes (median over the tall parts). */
function slantOf(width, labels, stats, keep, height) {
  const slopes = [];
  for (const label of keep) {
    const [, , partWidth, partHeight] = stats[label];
    if (partHeight < height / 2 || partWidth > SLANT_WIDTH * partHeight) continue;
    const { mu11, mu02 } = centralMoments(labelCrop(labels, width, stats[label], label), partWidth, partHeight);
    if (mu02 > 0) slopes.push(mu11 / mu02);
  }
  return slopes.length ? Math.min(MAX_SLANT, Math.max(-MAX_SLANT, median(slopes))) : 0.0;
}

function part(label, width, labels, stats, slant, reference) {
  const [x, y, partWidth, partHeight] = stats[label];
  let left = Infinity, right = -Infinity;
  for (let row = y; row < y + partHeight; row++) {
    const shift = slant * (row - reference);
    for (let column = x, index = row * width + x; column < x + partWidth; column++, index++) {
      if (labels[index] !== label) continue;
      const upright = column - shift;
      if (upright < left) left = upright;
      if (upright > right) right = upright;
    }
  }
  return { label, box: [x, y, partWidth, partHeight], left, right: right + 1 };
}

/** Parts grouped into marks: parts sharing their columns (slant removed) are one digit; an underline joins nothing. */
function join(parts, height) {
  const parent = parts.map((_, index) => index);
  const root = (index) => {
    while (parent[index] !== index) { parent[index] = parent[parent[index]]; index = parent[index]; }
    return index;
  };
  // With fewer than 3 tall parts the slant is one digit's own: its columns as drawn count too.
  const fewTall = parts.filter((p) => p.box[3] >= height / 2).length < 3;
  const loose = parts.map((p) => p.box[3] <= DASH_HEIGHT * height && p.right - p.left >= UNDERLINE * height);
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      if (loose[i] || loose[j]) continue;
      const first = parts[i], second = parts[j];
      const gap = Math.max(first.box[1] - second.box[1] - second.box[3], second.box[1] - first.box[1] - first.box[3]);
      const stacked = -gap < STACKED * Math.min(first.box[3], second.box[3]); // one above the other (a 6's stem and loop)
      if (lowDot(first, second, height) || lowDot(second, first, height)) continue;
      let share = stacked ? STACKED_OVERLAP : SAME_DIGIT_OVERLAP;
      // a 7's bar lies across its stem; a dash only beside a digit's overhang
      if (midDash(first, second, height) || midDash(second, first, height)) share = CROSSBAR_OVERLAP;
      if (gap <= height / 2 && (shared(first.left, first.right, second.left, second.right, share) || (fewTall
        && shared(first.box[0], first.box[0] + first.box[2], second.box[0], second.box[0] + second.box[2], share)))) {
        parent[root(j)] = root(i);
      }
    }
  }
  const members = new Map();
  parts.forEach((p, index) => {
    const key = root(index);
    if (!members.has(key)) members.set(key, []);
    members.get(key).push(p);
  });
  return withFlagsJoined([...members.values()], height);
}

/** Whether `part` is dot-sized and sits low beside `other` (a decimal point or comma tucked under it). */
function lowDot(part, other, height) {
  const small = Math.max(part.right - part.left, part.box[3]) <= DOT_SIDE * height;
  return small && part.box[1] >= other.box[1] + LOW_DOT * other.box[3];
}

/** Whether `part` is dash-shaped and level with the middle of `other`. */
function midDash(part, other, height) {
  const flat = part.box[3] <= DASH_HEIGHT * height && part.right - part.left >= DASH_ASPECT * part.box[3];
  const middle = part.box[1] + part.box[3] / 2;
  return flat && other.box[1] + 0.3 * other.box[3] <= middle && middle <= other.box[1] + 0.8 * other.box[3];
}

/** Whether two column ranges overlap by at least `share` of the narrower one (and a pixel). */
function shared(left, right, otherLeft, otherRight, share) {
  const overlap = Math.min(right, otherRight) - Math.max(left, otherLeft);
  return overlap >= Math.max(1.0, share * Math.min(right - left, otherRight - otherLeft));
}

/** A short mark in the top part of a digit's height, close beside it, is that digit's flag: joined to it. */
function withFlagsJoined(marks, height) {
  const extent = (mark) => [Math.min(...mark.map((p) => p.left)), Math.max(...mark.map((p) => p.right)),
    Math.min(...mark.map((p) => p.box[1])), Math.max(...mark.map((p) => p.box[1] + p.box[3]))];
  const tall = marks.filter((mark) => { const [, , top, bottom] = extent(mark); return bottom - top >= FLAG_HEIGHT * height; });
  const kept = [];
  for (const mark of marks) {
    const [left, right, top, bottom] = extent(mark);
    if (bottom - top >= FLAG_HEIGHT * height || right - left < DOT_SIDE * height) { kept.push(mark); continue; }
    let nearest = null, nearestGap = Infinity;
    for (const digit of tall) {
      const [dLeft, dRight, dTop, dBottom] = extent(digit);
      const gap = Math.max(left - dRight, dLeft - right, 0);
      if (gap <= FLAG_GAP * height && (top + bottom) / 2 <= dTop + FLAG_TOP * (dBottom - dTop) && gap < nearestGap) {
        nearest = digit; nearestGap = gap;
      }
    }
    if (nearest) nearest.push(...mark);
    else kept.push(mark);
  }
  return kept;
}

/** Whether a part's columns hold, on average, about one stroke's width of ink and cross about one stroke (a dash, not
 * touching digits: the loops of a flat 000833 cross two strokes in most columns). */
function oneStrokeThick(labels, inkWidth, label, x0, y0, x1, y1, stroke) {
  let ink = 0, crossed = 0, columns = 0;
  for (let column = x0; column < x1; column++) {
    let count = 0, before = false;
    for (let row = y0; row < y1; row++) {
      const inside = labels[row * inkWidth + column] === label;
      if (inside) count++;
      if (inside && !before) crossed++;
      before = inside;
    }
    if (count) { ink += count; columns++; }
  }
  return ink / Math.max(columns, 1) <= DASH_STROKES * Math.max(stroke, 1.0) && crossed / Math.max(columns, 1) <= DASH_RUNS;
}

/** One mark: a dot, a dash, or a digit mark with its candidate pieces. */
function mark(parts, ink, labels, slant, reference, height, stroke, factor, alone, maySplit) {
  const x0 = Math.min(...parts.map((p) => p.box[0])), y0 = Math.min(...parts.map((p) => p.box[1]));
  const x1 = Math.max(...parts.map((p) => p.box[0] + p.box[2])), y1 = Math.max(...parts.map((p) => p.box[1] + p.box[3]));
  const left = Math.min(...parts.map((p) => p.left)), right = Math.max(...parts.map((p) => p.right));
  const box = [x0 * factor, y0 * factor, (x1 - x0) * factor, (y1 - y0) * factor];
  const width = right - left, markHeight = y1 - y0;
  const dotSized = Math.max(width, markHeight) <= DOT_SIDE * height && width < DASH_ASPECT * markHeight;
  if (parts.length === 1 && !alone && dotSized) return { kind: DOT, box, cuts: 2, pieces: [] };
  if (parts.length === 1 && width >= DASH_ASPECT * markHeight) {
    const loneDash = alone && width >= LONE_DASH_ASPECT * markHeight
      && oneStrokeThick(labels, ink.width, parts[0].label, x0, y0, x1, y1, stroke);
    if (markHeight <= DASH_HEIGHT * height || loneDash) return { kind: DASH, box, cuts: 2, pieces: [] };
  }
  // (The narrower of its width as drawn and with the slant removed: a lone digit's own slant is no guide.)
  const wide = maySplit && markHeight >= MIN_SPLIT_HEIGHT
    && Math.min(width, x1 - x0) > (alone ? LONE_SPLIT_ASPECT : SPLIT_ASPECT) * markHeight;
  if (alone && !wide) { // framed as predict frames it, by the caller
    return { kind: DIGIT, box, cuts: 2, pieces: [{ start: 0, end: 1, box, frame: null, width: width / markHeight, crossed: 0.0, coarse: true }] };
  }
  const cropWidth = x1 - x0, cropHeight = y1 - y0;
  const members = new Set(parts.map((p) => p.label));
  const crop = { width: cropWidth, height: cropHeight, data: new Float32Array(cropWidth * cropHeight) };
  const upright = new Float64Array(cropWidth * cropHeight); // 0 at the mark's left edge
  for (let row = 0; row < cropHeight; row++) {
    for (let column = 0; column < cropWidth; column++) {
      const source = (y0 + row) * ink.width + x0 + column, index = row * cropWidth + column;
      crop.data[index] = members.has(labels[source]) ? ink.data[source] : 0;
      upright[index] = x0 + column - slant * (y0 + row - reference) - left;
    }
  }
  const cuts = wide ? cutPositions(width, markHeight) : [];
  const [count, found] = pieces(crop, upright, cuts, width, markHeight, [x0, y0], factor, stroke);
  return { kind: DIGIT, box, cuts: count, pieces: found };
}
