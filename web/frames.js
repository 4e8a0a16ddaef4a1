// digit_recognizer/frames.py in JavaScript: finds boxes round the writing (a cheque's amount box, a form's field)
// and long ruled lines through or under it, so that the reader leaves them out; and, where a box holds digits, the
// marks outside it (outsideBoxes).
import { DIGIT, FRAME, OUTSIDE } from "./kinds.js";
import { connectedComponentsWithStats, cvRound, minMax, plane } from "./opencv.js";
import { INK_LEVEL } from "./preprocess.js";

export const FRAME_BAND = 0.12, FRAME_INK = 0.9, FRAME_SIDE = 0.6, MIN_FRAME_SIDE = 10, FRAME_CLOSED = 0.95, FRAME_FILL = 0.85;
export const RULE_LENGTH = 2.4, MIN_RULE = 20, RULE_BEYOND = 0.1;
export const RULE_SLOPES = [0.0, -0.0125, 0.0125, -0.025, 0.025, -0.0375, 0.0375, -0.05, 0.05];
export const RULE_ACROSS = 0.9, RULE_IN_BOX = 1.5; // inside a box: a line across it, shorter (frames.py)

/** [ink without the boxes round its writing and the long ruled lines through or under it, its strokes
 * (connectedComponentsWithStats of its ink above INK_LEVEL of its strongest), the boxes' boxes, the lines' boxes
 * (x, y, width, height, in ink's pixels)] (frames.py's without_frames). */
export function withoutFrames(ink) {
  let components = strokes(ink);
  const [inBoxes, boxes] = frames(components.labels, ink.width, components.stats);
  if (boxes.length) {
    ink = dropped(ink, (i) => inBoxes[i] === 1);
    components = strokes(ink);
  }
  const [onLines, shortest] = ruled(components, ink.width, boxes);
  if (!onLines.some((value) => value)) return [ink, components, boxes, []];
  const lines = connectedComponentsWithStats(onLines, ink.width, ink.height).stats.slice(1).map((part) => part.slice(0, 4))
    .filter((box) => box[2] >= shortest / 2); // the lines (not the bits beside one)
  const width = ink.width, kept = met(onLines, components.labels, width, ink.height);
  ink = dropped(ink, (i) => onLines[i] === 1 && !kept[i % width]);
  components = strokes(ink);
  const remnants = [];
  for (let label = 1; label < components.count; label++) if (remnant(components.stats[label], lines)) remnants.push(label);
  if (remnants.length) {
    const labels = components.labels;
    ink = dropped(ink, (i) => remnants.includes(labels[i]));
    components = strokes(ink);
  }
  return [ink, components, boxes, lines];
}

/** Per column of a `width` × `height` map, 1 where a stroke (`labels` > 0) meets a line (`onLines`) in the row just
 * above or just below the line's pixels: there the line's pixels are kept (frames.py's _met). */
function met(onLines, labels, width, height) {
  const kept = new Uint8Array(width);
  for (let column = 0; column < width; column++) {
    let top = -1, bottom = -1;
    for (let row = 0; row < height; row++) if (onLines[row * width + column]) { if (top < 0) top = row; bottom = row; }
    if (top < 0) continue;
    kept[column] = (top > 0 && labels[(top - 1) * width + column] > 0)
      || (bottom + 1 < height && labels[(bottom + 1) * width + column] > 0) ? 1 : 0;
  }
  return kept;
}

/** [the pixels of the long ruled lines among the strokes (`components` of an ink map `width` wide; `boxes`: the
 * boxes round them), the shortest a line may be] (frames.py's _ruled). */
function ruled(components, inkWidth, boxes) {
  const { count, labels, stats } = components;
  const onLines = new Uint8Array(labels.length);
  if (count < 2) return [onLines, MIN_RULE];
  const heights = stats.slice(1).map((part) => part[3]);
  const least = boxes.length ? RULE_IN_BOX : RULE_LENGTH;
  const shortest = Math.max(least / 1.5 * Math.max(...heights), MIN_RULE); // (the tallest may be the line's own)
  for (let label = 1; label < stats.length; label++) {
    const [x, y, width, height] = stats[label];
    if (width < shortest) continue; // only a stroke that long may hold such a line
    const stroke = new Uint8Array(width * height);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) stroke[row * width + column] = labels[(y + row) * inkWidth + x + column] === label;
    }
    const candidate = ruledLines(stroke, width, height, shortest);
    if (!candidate.some((value) => value)) continue;
    const rest = stroke.map((value, i) => value && !candidate[i] ? 1 : 0); // measured against the tallest stroke, this one without its line
    let top = -1, bottom = -1;
    for (let i = 0; i < rest.length; i++) if (rest[i]) { const row = Math.trunc(i / width); if (top < 0) top = row; bottom = row; }
    const others = heights.filter((_, index) => index !== label - 1);
    const tallest = Math.max(top >= 0 ? bottom - top + 1 : 0, others.length ? Math.max(...others) : 0);
    let length = RULE_LENGTH * tallest;
    const across = boxes.filter((box) => within([x, y, width, height], box)).map((box) => box[2] - 2 * band(box[2], box[3]));
    if (across.length) length = Math.min(length, Math.max(RULE_ACROSS * Math.min(...across), RULE_IN_BOX * tallest));
    const line = ruledLines(stroke, width, height, Math.max(length, MIN_RULE));
    if (!beyond(line, rest, width, height, Math.max(2.0, RULE_BEYOND * tallest))) continue;
    for (let i = 0; i < line.length; i++) if (line[i]) onLines[(y + Math.trunc(i / width)) * inkWidth + x + (i % width)] = 1;
  }
  return [onLines, shortest];
}

/** Whether `line` reaches `margin` px past the rest of its stroke (`rest`) at one end at least (both width × height). */
function beyond(line, rest, width, height, margin) {
  const span = (mask) => {
    let first = -1, last = -1;
    for (let column = 0; column < width; column++) {
      for (let row = 0; row < height; row++) {
        if (mask[row * width + column]) { if (first < 0) first = column; last = column; break; }
      }
    }
    return [first, last];
  };
  const [lineFirst, lineLast] = span(line), [restFirst, restLast] = span(rest);
  if (lineFirst < 0 || restFirst < 0) return lineFirst >= 0;
  return lineFirst <= restFirst - margin || lineLast >= restLast + margin;
}

/** Whether a stroke (its stats) is a flat bit of one of `lines` (boxes) that the line left behind. */
function remnant(part, lines) {
  return part[2] >= 2 * part[3] && lines.some((line) => within(part, line));
}

/** Whether `box` lies inside `outer` (both [x, y, width, height]), give or take `slack` px (frames.py's _within). */
function within([x, y, width, height], [left, top, outerWidth, outerHeight], slack = 2) {
  return x >= left - slack && y >= top - slack && x + width <= left + outerWidth + slack
    && y + height <= top + outerHeight + slack;
}

/** The pixels of `mask` (one stroke's, width × height) on straight lines at least `length` px long, level or sloping
 * by one of RULE_SLOPES about its middle column (frames.py's ruled_lines). */
export function ruledLines(mask, width, height, length) {
  const found = new Uint8Array(mask.length);
  const seen = new Uint8Array(width), along = new Uint8Array(width), source = new Int32Array(width);
  const lastGap = new Int32Array(width);
  for (const slope of RULE_SLOPES) {
    const shift = Int32Array.from({ length: width }, (_, column) => cvRound(slope * (column - width / 2)));
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        source[column] = row + shift[column];
        seen[column] = source[column] >= 0 && source[column] < height && mask[source[column] * width + column] ? 1 : 0;
      }
      let last = -1;
      for (let column = 0; column < width; column++) { // over gaps of a pixel (a thin line, shrunk, breaks up)
        along[column] = seen[column] || (column > 0 && column < width - 1 && seen[column - 1] && seen[column + 1]) ? 1 : 0;
        if (!along[column]) last = column;
        lastGap[column] = last;
      }
      let next = width;
      for (let column = width - 1; column >= 0; column--) {
        if (!along[column]) { next = column; continue; }
        if (next - lastGap[column] - 1 < length) continue;
        for (let step = -2; step <= 2; step++) {
          const target = source[column] + step;
          if (target >= 0 && target < height) found[target * width + column] = 1;
        }
      }
    }
  }
  for (let i = 0; i < found.length; i++) found[i] &= mask[i];
  return found;
}

function dropped(ink, where) {
  const data = Float32Array.from(ink.data);
  for (let i = 0; i < data.length; i++) if (where(i)) data[i] = 0;
  return plane(ink.width, ink.height, data);
}

function strokes(ink) {
  const level = Math.fround(INK_LEVEL * minMax(ink)[1]);
  const mask = new Uint8Array(ink.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = ink.data[i] > level;
  return connectedComponentsWithStats(mask, ink.width, ink.height);
}

/** [the pixels (1 per pixel of labels, `width` per row) of the boxes round the writing, their boxes] (frames.py's
 * frames): a stroke round others whose ink hugs its box's edges (all of it), or a straight, closed box that the
 * writing inside touches (its edges only). */
export function frames(labels, width, stats) {
  const found = new Uint8Array(labels.length);
  const boxes = [];
  for (let label = 1; label < stats.length; label++) {
    const [x, y, boxWidth, boxHeight, area] = stats[label];
    if (Math.min(boxWidth, boxHeight) < MIN_FRAME_SIDE || 2 * area > boxWidth * boxHeight) continue;
    const depth = band(boxWidth, boxHeight);
    const top = new Uint8Array(boxWidth), bottom = new Uint8Array(boxWidth);
    const left = new Uint8Array(boxHeight), right = new Uint8Array(boxHeight);
    let near = 0, inside = 0, innerTop = -1, innerBottom = -1;
    const onEdge = (row, column) => row < depth || row >= boxHeight - depth || column < depth || column >= boxWidth - depth;
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        if (labels[(y + row) * width + x + column] !== label) continue;
        inside++;
        if (row < depth) top[column] = 1;
        if (row >= boxHeight - depth) bottom[column] = 1;
        if (column < depth) left[row] = 1;
        if (column >= boxWidth - depth) right[row] = 1;
        if (onEdge(row, column)) near++;
        else { if (innerTop < 0) innerTop = row; innerBottom = row; }
      }
    }
    const share = (side) => side.reduce((sum, value) => sum + value, 0) / side.length;
    const sides = Math.min(share(top), share(bottom), share(left), share(right));
    let edgesOnly;
    if (sides >= FRAME_SIDE && near >= FRAME_INK * inside && roundAnother(stats, label, x, y, boxWidth, boxHeight)) {
      edgesOnly = false;
    } else if (sides >= FRAME_CLOSED && innerTop >= 0 && innerBottom - innerTop + 1 <= FRAME_FILL * boxHeight) {
      edgesOnly = true;
    } else continue;
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        const i = (y + row) * width + x + column;
        if (labels[i] === label && (!edgesOnly || onEdge(row, column))) found[i] = 1;
      }
    }
    boxes.push([x, y, boxWidth, boxHeight]);
  }
  return [found, boxes];
}

/** How deep a box's edges are, in px (frames.py's _band). */
function band(width, height) {
  return Math.max(2, Math.trunc(FRAME_BAND * Math.min(width, height)));
}

/** Whether another component lies wholly inside the box of component `label`. */
function roundAnother(stats, label, x, y, width, height) {
  return stats.some(([left, top, otherWidth, otherHeight], other) => other > 0 && other !== label
    && left > x && top > y && left + otherWidth < x + width && top + otherHeight < y + height);
}

/** `groups` (segment.js marks), but where a box among `frames` holds digit marks (a cheque's amount box, a form's
 * field), the marks outside every such box are OUTSIDE: the box says what is to be read, not the printed $ or label beside it. */
export function outsideBoxes(groups, frames) {
  const holding = frames.filter((frame) => frame.kind === FRAME
    && groups.some((group) => group.kind === DIGIT && centredIn(group.box, frame.box))).map((frame) => frame.box);
  if (!holding.length) return groups;
  return groups.map((group) => holding.some((box) => centredIn(group.box, box)) ? group
    : { ...group, kind: OUTSIDE, cuts: 2, pieces: [] });
}

/** Whether the centre of `box` lies inside `frame` (both [x, y, width, height]). */
function centredIn(box, frame) {
  const x = box[0] + box[2] / 2, y = box[1] + box[3] / 2;
  return frame[0] <= x && x <= frame[0] + frame[2] && frame[1] <= y && y <= frame[1] + frame[3];
}
