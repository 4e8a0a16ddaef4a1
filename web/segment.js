// digit_recognizer/segment.py in JavaScript, function for function: finds the marks in an image (digits, dots,
// dashes), left to right, and proposes how to cut marks that may hold several touching digits; reader.js lets
// the model choose among the proposals. Works on preprocess.js's ink map.
import { centralMoments, connectedComponentsWithStats, cvRound, distanceTransform, minMax } from "./opencv.js";
import {
  DETAIL_SIDE, INK_LEVEL, MIN_CONTRAST, MIN_DIGIT_PIXELS, WORK_SIDE, digitBox, frame, readCloser, readInk, shrinkFactor,
} from "./preprocess.js";

export const DIGIT = "digit", NOT_A_DIGIT = "not a digit", DOT = "dot", DASH = "dash";
export const MAX_MARKS = 30;
export const MAX_PARTS = 4 * MAX_MARKS;
export const TARGET_HEIGHT = 40;
export const CLOSE_ENOUGH = 0.6;
export const SPECK_SIDE = 0.6;
export const DOT_SIDE = 0.35;
export const DASH_HEIGHT = 0.3;
export const DASH_ASPECT = 2.5;
export const UNDERLINE = 1.2;
export const FLAG_HEIGHT = 0.5, FLAG_GAP = 0.3, FLAG_TOP = 0.35;
export const SAME_DIGIT_OVERLAP = 0.5;
export const MAX_SLANT = 0.6;
export const SPLIT_ASPECT = 0.8;
export const MIN_PIECE = 0.1, MAX_PIECE = 1.15;
export const CUTS_PER_HEIGHT = 3;
export const MAX_CUTS = 16;
export const MIN_CUT_SPACING = 0.12;
export const MAX_CUT_GAP = 0.3;
export const MIN_PIECE_INK = 0.04;

// A piece is {start, end, box, frame, width}; a group {kind, box, cuts, pieces}; a layout {groups, message}.

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
  let parts = partsOf(ink, strongest);
  parts = parts.filter((part) => Math.max(part[2], part[3]) * factor >= MIN_DIGIT_PIXELS);
  if (parts.length > MAX_PARTS) return tooMany();
  if (parts.length === 0) return { groups: [], message: "" };
  const height = digitHeight(parts);
  const closer = height >= CLOSE_ENOUGH * TARGET_HEIGHT ? factor
    : Math.min(factor, Math.max(1, Math.floor(factor * height / TARGET_HEIGHT)));
  const fine = closer === factor ? ink : readInk(pixels, closer);
  const groups = groupsOf(fine, closer, minMax(fine)[1]);
  if (groups.length > MAX_MARKS) return tooMany();
  if (groups.length === 1 && groups[0].kind === DIGIT) return { groups: [asPredictFramesIt(groups[0], pixels, ink, factor)], message: "" };
  return { groups, message: "" };
}

function tooMany() {
  return { groups: [], message: `This image holds more than ${MAX_MARKS} marks: write at most ${MAX_MARKS} digits.` };
}

function partsOf(ink, strongest) {
  return connectedComponentsWithStats(maskOf(ink, strongest), ink.width, ink.height).stats.slice(1);
}

function digitHeight(parts) {
  const heights = parts.map((part) => part[3]);
  const tallest = Math.max(...heights);
  return median(heights.filter((height) => height >= tallest / 2));
}

/** A lone digit mark whose unsplit reading is exactly predict's: its frame and box. */
function asPredictFramesIt(group, pixels, ink, factor) {
  let box = digitBox(ink);
  if (box !== null && factor > 1 && Math.max(box[2], box[3]) < DETAIL_SIDE) [ink, box, factor] = readCloser(pixels, box, factor);
  if (box === null || Math.max(box[2], box[3]) * factor < MIN_DIGIT_PIXELS) return { ...group, cuts: 2, pieces: [] };
  const whole = frame(ink, box);
  const pieces = group.pieces.map((piece) => (piece.start === 0 && piece.end === group.cuts - 1 ? { ...piece, frame: whole } : piece));
  return { ...group, pieces };
}

// --- Parts into marks -----------------------------------------------------------------------------------

function groupsOf(ink, factor, strongest) {
  const mask = maskOf(ink, strongest);
  const { count, labels, stats } = connectedComponentsWithStats(mask, ink.width, ink.height);
  const stroke = strokeWidthOfLargest(ink.width, labels, stats);
  const keep = [];
  for (let label = 1; label < count; label++) if (Math.max(stats[label][2], stats[label][3]) >= SPECK_SIDE * stroke) keep.push(label);
  if (!keep.length) return [];
  const height = digitHeight(keep.map((label) => stats[label]));
  const slant = slantOf(ink.width, labels, stats, keep, height);
  const reference = ink.height / 2;
  const parts = keep.map((label) => part(label, ink.width, labels, stats, slant, reference));
  const members = join(parts, height);
  const groups = members.map((chosen) => mark(chosen, ink, labels, slant, reference, height, factor, members.length === 1));
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
    if (partHeight < height / 2) continue;
    const { mu11, mu02 } = centralMoments(labelCrop(labels, width, stats[label], label), partWidth, partHeight);
    if (mu02 > 0) slopes.push(mu11 / mu02);
  }
  return slopes.length ? Math.min(MAX_SLANT, Math.max(-MAX_SLANT, median(slopes))) : 0.0;
}

function part(label, width, labels, stats, slant, reference) {
  const [x, y, partWidth, partHeight] = stats[label];
  let left = Infinity, right = -Infinity;
  for (let row = y; row < y + partHeight; row++) {
    for (let column = x; column < x + partWidth; column++) {
      if (labels[row * width + column] !== label) continue;
      const upright = column - slant * (row - reference);
      left = Math.min(left, upright); right = Math.max(right, upright);
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
  const loose = parts.map((p) => p.box[3] <= DASH_HEIGHT * height && p.right - p.left >= UNDERLINE * height);
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      if (loose[i] || loose[j]) continue;
      const first = parts[i], second = parts[j];
      const overlap = Math.min(first.right, second.right) - Math.max(first.left, second.left);
      const narrower = Math.min(first.right - first.left, second.right - second.left);
      const gap = Math.max(first.box[1] - second.box[1] - second.box[3], second.box[1] - first.box[1] - first.box[3]);
      if (overlap >= SAME_DIGIT_OVERLAP * narrower && gap <= height / 2) parent[root(j)] = root(i);
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

/** One mark: a dot, a dash, or a digit mark with its candidate pieces. */
function mark(parts, ink, labels, slant, reference, height, factor, alone) {
  const x0 = Math.min(...parts.map((p) => p.box[0])), y0 = Math.min(...parts.map((p) => p.box[1]));
  const x1 = Math.max(...parts.map((p) => p.box[0] + p.box[2])), y1 = Math.max(...parts.map((p) => p.box[1] + p.box[3]));
  const left = Math.min(...parts.map((p) => p.left)), right = Math.max(...parts.map((p) => p.right));
  const box = [x0 * factor, y0 * factor, (x1 - x0) * factor, (y1 - y0) * factor];
  const width = right - left, markHeight = y1 - y0;
  if (parts.length === 1 && !alone && Math.max(width, markHeight) <= DOT_SIDE * height) return { kind: DOT, box, cuts: 2, pieces: [] };
  if (parts.length === 1 && markHeight <= DASH_HEIGHT * height && width >= DASH_ASPECT * markHeight) return { kind: DASH, box, cuts: 2, pieces: [] };
  const cropWidth = x1 - x0, cropHeight = y1 - y0;
  const members = new Set(parts.map((p) => p.label));
  const crop = { width: cropWidth, height: cropHeight, data: new Float32Array(cropWidth * cropHeight) };
  const upright = new Float64Array(cropWidth * cropHeight);
  for (let row = 0; row < cropHeight; row++) {
    for (let column = 0; column < cropWidth; column++) {
      const source = (y0 + row) * ink.width + x0 + column, index = row * cropWidth + column;
      crop.data[index] = members.has(labels[source]) ? ink.data[source] : 0;
      upright[index] = x0 + column - slant * (y0 + row - reference) - left;
    }
  }
  const cuts = width > SPLIT_ASPECT * markHeight ? cutPositions(crop, upright, width, markHeight) : [];
  const edges = [0.0, ...cuts, width + 1];
  const total = crop.data.reduce((sum, value) => sum + value, 0);
  const pieces = [];
  for (let start = 0; start < edges.length - 1; start++) {
    for (let end = start + 1; end < edges.length; end++) {
      const pieceWidth = (edges[end] - edges[start]) / markHeight;
      const whole = start === 0 && end === edges.length - 1;
      if (!whole && !(MIN_PIECE <= pieceWidth && pieceWidth <= MAX_PIECE)) continue;
      const found = piece(crop, upright, edges[start], edges[end], [x0, y0], factor, whole, total);
      if (found !== null) pieces.push({ start, end, box: found[0], frame: found[1], width: pieceWidth });
    }
  }
  return { kind: DIGIT, box, cuts: edges.length, pieces };
}

/** Where to try cutting a wide mark: the locally lowest columns of ink, and evenly spaced ones between. */
function cutPositions(crop, upright, width, height) {
  const size = Math.trunc(width) + 1;
  const profile = new Float64Array(size);
  for (let i = 0; i < upright.length; i++) profile[Math.min(size - 1, Math.max(0, Math.trunc(upright[i])))] += crop.data[i];
  const reach = Math.max(1, Math.trunc(MIN_CUT_SPACING * height));
  // np.convolve(profile, ones(reach) / reach, mode="same")
  const length = Math.max(size, reach), offset = (Math.min(size, reach) - 1) >> 1;
  const smooth = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const full = i + offset;
    let sum = 0;
    for (let k = 0; k < reach; k++) { const j = full - k; if (j >= 0 && j < size) sum += profile[j] / reach; }
    smooth[i] = sum;
  }
  const low = Math.trunc(MIN_PIECE * height), high = Math.trunc(width - MIN_PIECE * height);
  const minima = [];
  for (let column = low; column < high; column++) {
    let lowest = Infinity;
    for (let k = column - reach; k <= column + reach; k++) if (k >= 0 && k < length) lowest = Math.min(lowest, smooth[k]);
    if (smooth[column] <= lowest) minima.push(column);
  }
  const wanted = Math.min(MAX_CUTS, Math.ceil(CUTS_PER_HEIGHT * width / height));
  const cuts = [];
  for (const column of minima.sort((a, b) => smooth[a] - smooth[b] || a - b)) {
    if (cuts.length < wanted && cuts.every((cut) => Math.abs(column - cut) >= MIN_CUT_SPACING * height)) cuts.push(column);
  }
  const edges = [0.0, ...[...cuts].sort((a, b) => a - b), width];
  const filled = [];
  for (let i = 0; i < edges.length - 1; i++) {
    const start = edges[i], end = edges[i + 1];
    const extra = Math.floor((end - start) / (MAX_CUT_GAP * height));
    for (let step = 1; step <= extra; step++) filled.push(start + (end - start) * step / (extra + 1));
  }
  return [...cuts, ...filled].sort((a, b) => a - b);
}

/** The ink of a mark between two columns (slant removed), framed, with its box in input pixels. */
function piece(crop, upright, start, end, [x, y], factor, whole, total) {
  const { width, height, data } = crop;
  let inside = 0, top = Infinity, bottom = -1, left = Infinity, right = -1;
  for (let row = 0, i = 0; row < height; row++) {
    for (let column = 0; column < width; column++, i++) {
      if (!whole && !(upright[i] >= start && upright[i] < end)) continue;
      const value = data[i];
      inside += value;
      if (value > INK_LEVEL) {
        if (row < top) top = row; if (row > bottom) bottom = row; if (column < left) left = column; if (column > right) right = column;
      }
    }
  }
  if (!whole && inside < MIN_PIECE_INK * total) return null;
  if (bottom < 0) return null;
  const box = [left, top, right - left + 1, bottom - top + 1];
  // Only the box and the one pixel round it that frame() reads, masked to the piece's columns.
  const x0 = Math.max(0, left - 1), y0 = Math.max(0, top - 1), x1 = Math.min(width, right + 2), y1 = Math.min(height, bottom + 2);
  const near = { width: x1 - x0, height: y1 - y0, data: new Float32Array((x1 - x0) * (y1 - y0)) };
  for (let row = y0; row < y1; row++) {
    for (let column = x0; column < x1; column++) {
      const i = row * width + column;
      if (whole || (upright[i] >= start && upright[i] < end)) near.data[(row - y0) * near.width + column - x0] = data[i];
    }
  }
  return [[(x + box[0]) * factor, (y + box[1]) * factor, box[2] * factor, box[3] * factor],
    frame(near, [left - x0, top - y0, box[2], box[3]])];
}
