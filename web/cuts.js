// digit_recognizer/cuts.py in JavaScript, function for function: proposes how to cut a mark that may hold several
// touching digits (evenly spaced cut positions, cuts that bend round the strokes) and frames every
// piece between two cuts for the model. A piece is {start, end, box, frame, width, crossed, coarse}.
import { connectedComponentsWithStats, cvRound } from "./opencv.js";
import { INK_LEVEL, frame } from "./preprocess.js";

export const MIN_PIECE = 0.3, MAX_PIECE = 1.15;
export const CUT_SPACING = 0.15;
export const MAX_CUTS = 16;
export const CUT_REACH = 0.15;
export const CUT_STRAYING = 0.4;
export const STUB = 0.12;
export const MIN_PIECE_INK = 0.04;

/** Where to try cutting a wide mark: evenly spaced columns (slant removed), every other one a coarse cut (at most
 * CUT_SPACING × height apart, MAX_CUTS of them), a fine cut halfway between each two. */
export function cutPositions(width, height) {
  const coarse = Math.min(MAX_CUTS, Math.floor(width / (CUT_SPACING * height)));
  const cuts = [];
  if (coarse) for (let step = 1; step <= 2 * coarse + 1; step++) cuts.push(width * step / (2 * coarse + 2));
  return cuts;
}

/** Every piece of a mark between two of its edges and `cuts`, from MIN_PIECE to MAX_PIECE wide, and the whole
 * mark; with the number of cut positions, both edges included: [cuts, pieces]. */
export function pieces(crop, upright, cuts, width, height, origin, factor, stroke) {
  const edges = [0.0, ...cuts, width + 1];
  const [paths, crossings] = cutPaths(crop, upright, cuts, height);
  const boundaries = [new Float64Array(crop.height).fill(-Infinity), ...paths, new Float64Array(crop.height).fill(Infinity)];
  const crossed = [0.0, ...crossings, 0.0].map((value) => value / Math.max(stroke, 1.0));
  let total = 0;
  for (const value of crop.data) total += value;
  const found = [];
  for (let start = 0; start < edges.length - 1; start++) {
    for (let end = start + 1; end < edges.length; end++) {
      const pieceWidth = (edges[end] - edges[start]) / height;
      const whole = start === 0 && end === edges.length - 1;
      if (!whole && !(MIN_PIECE <= pieceWidth && pieceWidth <= MAX_PIECE)) continue;
      const made = piece(crop, upright, boundaries[start], boundaries[end], origin, factor, whole, total);
      if (made === null) continue;
      let framed = null; // (framed when first asked for: reader.js reads a fine piece only for a mark read finer)
      found.push({ start, end, box: made[0], get frame() { return (framed ??= made[1]()); }, width: pieceWidth,
        crossed: crossed[start] + crossed[end], coarse: whole || (start % 2 === 0 && end % 2 === 0) });
    }
  }
  return [edges.length, found];
}

/** For each cut column, the cut as a path from top to bottom crossing as little ink as it can within
 * CUT_REACH × height of the straight cut: per row, the upright column left of which the ink goes to the left
 * piece; and the ink each crosses. */
export function cutPaths(crop, upright, cuts, height) {
  if (!cuts.length) return [[], []];
  const rows = crop.height, width = crop.width;
  const reach = Math.max(1, Math.trunc(CUT_REACH * height));
  const count = 2 * reach + 1;
  const paths = [], crossed = [];
  for (const cut of cuts) {
    // column[row][o]: the crop column of the cut shifted by offset o − reach in that row (−1 outside)
    const column = new Int32Array(rows * count), ink = new Float64Array(rows * count), cost = new Float64Array(rows * count);
    const passed = new Float64Array(rows * count); // a cut moving one column between two rows parts its ink from the ink above
    for (let row = 0; row < rows; row++) {
      const shift = upright[row * width];
      for (let o = 0; o < count; o++) {
        const at = cvRound(cut + (o - reach) - shift);
        const inside = at >= 0 && at < width;
        column[row * count + o] = inside ? at : -1;
        ink[row * count + o] = inside ? crop.data[row * width + at] : 0;
        cost[row * count + o] = ink[row * count + o] + CUT_STRAYING * Math.abs(o - reach) / reach;
        if (row > 0) passed[row * count + o] = Math.min(ink[row * count + o], inside ? crop.data[(row - 1) * width + at] : 0);
      }
    }
    const cameFrom = new Int8Array(rows * count);
    let total = cost.slice(0, count), next = new Float64Array(count);
    for (let row = 1; row < rows; row++) {
      for (let o = 0; o < count; o++) {
        // from the left (passing column o), straight above, from the right (passing column o + 1)
        let best = o > 0 ? total[o - 1] + passed[row * count + o] : Infinity, from = -1;
        if (total[o] < best) { best = total[o]; from = 0; }
        if (o < count - 1 && total[o + 1] + passed[row * count + o + 1] < best) {
          best = total[o + 1] + passed[row * count + o + 1]; from = 1;
        }
        if (best === Infinity) from = -1; // (all three infinite: numpy's argmin picks the first)
        cameFrom[row * count + o] = from;
        next[o] = cost[row * count + o] + best;
      }
      [total, next] = [next, total];
    }
    let step = 0;
    for (let o = 1; o < count; o++) if (total[o] < total[step]) step = o;
    const path = new Float64Array(rows);
    let crossing = 0;
    for (let row = rows - 1; row >= 0; row--) {
      path[row] = cut + (step - reach) + 0.5;
      const move = cameFrom[row * count + step];
      crossing += ink[row * count + step] + (move !== 0 ? passed[row * count + step + (move > 0 ? 1 : 0)] : 0);
      step += move;
    }
    paths.push(path);
    crossed.push(crossing);
  }
  return [paths, crossed];
}

/** The ink of a mark between two cut paths: [its box in input pixels, a function that frames it]. */
function piece(crop, upright, start, end, [x, y], factor, whole, total) {
  const { width, height } = crop;
  let ink = crop;
  if (!whole) {
    ink = { width, height, data: new Float32Array(width * height) };
    let inside = 0;
    for (let row = 0, i = 0; row < height; row++) {
      for (let column = 0; column < width; column++, i++) {
        if (upright[i] >= start[row] && upright[i] < end[row]) { ink.data[i] = crop.data[i]; inside += crop.data[i]; }
      }
    }
    if (inside < MIN_PIECE_INK * total) return null;
    ink = withoutStubs(ink);
  }
  let top = Infinity, bottom = -1, left = Infinity, right = -1;
  for (let row = 0, i = 0; row < height; row++) {
    for (let column = 0; column < width; column++, i++) {
      if (ink.data[i] > INK_LEVEL) {
        if (row < top) top = row; if (row > bottom) bottom = row; if (column < left) left = column; if (column > right) right = column;
      }
    }
  }
  if (bottom < 0) return null;
  const box = [left, top, right - left + 1, bottom - top + 1];
  return [[(x + box[0]) * factor, (y + box[1]) * factor, box[2] * factor, box[3] * factor], () => frame(ink, box)];
}

/** A cut piece without the small bits of its neighbours the cut left in it (strokes of less than STUB share of
 * the piece's ink, when a bigger stroke is there). */
export function withoutStubs(ink) {
  const mask = Uint8Array.from(ink.data, (value) => value > INK_LEVEL);
  const { count, labels, stats } = connectedComponentsWithStats(mask, ink.width, ink.height);
  if (count <= 2) return ink;
  let area = 0;
  for (let label = 1; label < count; label++) area += stats[label][4];
  const small = new Uint8Array(count);
  let smallCount = 0;
  for (let label = 1; label < count; label++) if (stats[label][4] < STUB * area) { small[label] = 1; smallCount++; }
  if (smallCount >= count - 1) return ink;
  const data = Float32Array.from(ink.data);
  for (let i = 0; i < data.length; i++) if (small[labels[i]]) data[i] = 0;
  return { width: ink.width, height: ink.height, data };
}
