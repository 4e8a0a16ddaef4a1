// digit_recognizer/frames.py in JavaScript: finds boxes round the writing (a cheque's amount box, a form's field),
// so that the reader leaves them out. A box is a connected stroke round at least one other, whose ink hugs the
// edges of its own bounding box on all four sides.
import { connectedComponentsWithStats, minMax, plane } from "./opencv.js";
import { INK_LEVEL } from "./preprocess.js";

export const FRAME_BAND = 0.12, FRAME_INK = 0.9, FRAME_SIDE = 0.6, MIN_FRAME_SIDE = 10;

/** [ink without the boxes round its writing, its strokes (connectedComponentsWithStats of its ink above INK_LEVEL of
 * its strongest), the boxes' boxes (x, y, width, height, in ink's pixels)]. */
export function withoutFrames(ink) {
  const components = strokes(ink);
  const found = frameLabels(components.labels, ink.width, components.stats);
  if (!found.length) return [ink, components, []];
  const boxes = found.map((label) => components.stats[label].slice(0, 4));
  const data = Float32Array.from(ink.data);
  const dropped = new Set(found);
  for (let i = 0; i < data.length; i++) if (dropped.has(components.labels[i])) data[i] = 0;
  const kept = plane(ink.width, ink.height, data);
  return [kept, strokes(kept), boxes];
}

function strokes(ink) {
  const level = Math.fround(INK_LEVEL * minMax(ink)[1]);
  const mask = new Uint8Array(ink.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = ink.data[i] > level;
  return connectedComponentsWithStats(mask, ink.width, ink.height);
}

/** The components (labels, one row `width` long per image row; stats) that are boxes round others. */
export function frameLabels(labels, width, stats) {
  const found = [];
  for (let label = 1; label < stats.length; label++) {
    const [x, y, boxWidth, boxHeight, area] = stats[label];
    if (Math.min(boxWidth, boxHeight) < MIN_FRAME_SIDE || area > boxWidth * boxHeight / 2
        || !roundAnother(stats, label, x, y, boxWidth, boxHeight)) continue;
    const band = Math.max(2, Math.trunc(FRAME_BAND * Math.min(boxWidth, boxHeight)));
    const top = new Uint8Array(boxWidth), bottom = new Uint8Array(boxWidth);
    const left = new Uint8Array(boxHeight), right = new Uint8Array(boxHeight);
    let near = 0, inside = 0;
    for (let row = 0; row < boxHeight; row++) {
      for (let column = 0; column < boxWidth; column++) {
        if (labels[(y + row) * width + x + column] !== label) continue;
        inside++;
        if (row < band) top[column] = 1;
        if (row >= boxHeight - band) bottom[column] = 1;
        if (column < band) left[row] = 1;
        if (column >= boxWidth - band) right[row] = 1;
        if (row < band || row >= boxHeight - band || column < band || column >= boxWidth - band) near++;
      }
    }
    const share = (side) => side.reduce((sum, value) => sum + value, 0) / side.length;
    if (near / inside >= FRAME_INK && Math.min(share(top), share(bottom), share(left), share(right)) >= FRAME_SIDE) {
      found.push(label);
    }
  }
  return found;
}

/** Whether another component lies wholly inside the box of component `label`. */
function roundAnother(stats, label, x, y, width, height) {
  return stats.some(([left, top, otherWidth, otherHeight], other) => other > 0 && other !== label
    && left > x && top > y && left + otherWidth < x + width && top + otherHeight < y + height);
}
