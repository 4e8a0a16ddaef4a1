// digit_recognizer/preprocess.py in JavaScript, function for function (same names in camelCase, same order of
// steps, same constants): any image to what the model expects, a 28×28 frame, white ink on black, cropped,
// scaled and centred as MNIST was made. Pixels are {width, height, channels (1–4), data: uint8 values}, as a
// canvas's ImageData is (channels 4); planes are {width, height, data: Float32Array} (see opencv.js).
import {
  blur, connectedParts, cvRound, distanceTransform, ellipseRows, extractChannel, medianBlur, minMax, moments,
  morphology, openSquare, plane, resizeArea, resizeLinear, rgbToGray, shifted, warpAffineInverseLinear,
} from "./opencv.js";

export const WORK_SIDE = 200;
export const DETAIL_SIDE = 32;
export const STROKE_SIDE = 64;
export const MNIST_STROKE_RATIO = 0.12;
export const DIGIT_SIDE = 20;
export const FRAME_SIDE = 28;
export const MIN_DIGIT_PIXELS = 8;
export const MIN_CONTRAST = 0.1;
export const NOISE_SIGMAS = 4.0;
export const INK_LEVEL = 0.25;
export const NEAR_PARTS = 0.4;
export const SPECK_PARTS = 0.02;
export const PICTURE_AREA = 0.3;
export const PICTURE_CONTRAST = 0.2;

/** Ink map of an image at its own size (plane, 1 where there is ink). */
export function toInk(pixels) {
  return readInk(pixels, 1);
}

/** The digit in `pixels` framed as MNIST was (28×28 plane in [0, 1]), or null if there is no ink. */
export function toMnistFrame(pixels) {
  let factor = shrinkFactor(pixels, WORK_SIDE);
  let ink = readInk(pixels, factor);
  let box = digitBox(ink);
  if (box !== null && factor > 1 && Math.max(box[2], box[3]) < DETAIL_SIDE) {
    [ink, box, factor] = readCloser(pixels, box, factor);
  }
  if (box === null || Math.max(box[2], box[3]) * factor < MIN_DIGIT_PIXELS) return null;
  return frame(ink, box);
}

// --- From pixels to ink -------------------------------------------------------------------------------

export function shrinkFactor(pixels, maxSide) {
  return Math.max(1, Math.ceil(Math.max(pixels.width, pixels.height) / maxSide));
}

function float(source) {
  if (source.data instanceof Float32Array) return plane(source.width, source.height, Float32Array.from(source.data));
  const out = new Float32Array(source.data.length);
  for (let i = 0; i < out.length; i++) out[i] = source.data[i] / 255;
  return plane(source.width, source.height, out);
}

function crop(source, x0, y0, x1, y1) {
  const width = x1 - x0, height = y1 - y0;
  const out = new source.data.constructor(width * height);
  for (let y = 0; y < height; y++) out.set(source.data.subarray((y0 + y) * source.width + x0, (y0 + y) * source.width + x1), y * width);
  return { width, height, data: out };
}

/** Area-average a plane down by an integer factor, as a float plane in [0, 1]. */
export function shrink(source, factor) {
  if (factor > 1) {
    const height = source.height >= factor ? source.height - (source.height % factor) : source.height;
    const width = source.width >= factor ? source.width - (source.width % factor) : source.width;
    const size = [Math.max(1, Math.floor(width / factor)), Math.max(1, Math.floor(height / factor))];
    source = width === size[0] * factor && height === size[1] * factor // OpenCV's fast path: read in place
      ? resizeArea({ ...source, width, height, pitch: source.width }, ...size)
      : resizeArea(crop(materialized(source), 0, 0, width, height), ...size);
  }
  return float(materialized(source));
}

/** The alpha channel as a view of the pixels (no copy: shrink reads it in place). */
function alphaOf(pixels) {
  const { width, height, channels, data } = pixels;
  return { width, height, data, stride: channels, offset: channels - 1 };
}

function materialized(source) {
  return source.stride ? extractChannel({ ...source, channels: source.stride }, source.offset) : source;
}

function luminance(pixels) {
  return pixels.channels >= 3 ? rgbToGray(pixels) : extractChannel(pixels, 0);
}

function cropPixels(pixels, x0, y0, x1, y1) {
  x1 = Math.min(x1, pixels.width); y1 = Math.min(y1, pixels.height);
  const { channels } = pixels, width = x1 - x0, height = y1 - y0;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * pixels.width + x0) * channels;
    data.set(pixels.data.subarray(from, from + width * channels), y * width * channels);
  }
  return { width, height, channels, data };
}

/** Ink map of `pixels` shrunk by `factor` (alpha, unless the opaque pixels form a picture of their own). */
export function readInk(pixels, factor) {
  if (pixels.channels === 2 || pixels.channels === 4) {
    const alpha = shrink(alphaOf(pixels), factor);
    if (minMax(alpha)[0] < 0.98) {
      const paper = paperLevelOfPicture(pixels, alpha);
      if (paper === null) return alpha;
      const grey = float(luminance(pixels)), opacity = float(materialized(alphaOf(pixels)));
      for (let i = 0; i < grey.data.length; i++) grey.data[i] *= opacity.data[i];
      const shrunk = shrink(grey, factor);
      for (let i = 0; i < shrunk.data.length; i++) shrunk.data[i] += paper * (1 - alpha.data[i]);
      return inkFromGrey(shrunk);
    }
  }
  return inkFromGrey(shrink(luminance(pixels), factor));
}

export function paperLevelOfPicture(pixels, alpha) {
  let opaque = 0;
  for (const value of alpha.data) opaque += value > 0.5;
  if (opaque / alpha.data.length < PICTURE_AREA) return null;
  const step = Math.max(1, Math.floor(Math.max(pixels.width, pixels.height) / 150));
  const grey = [];
  for (let y = 0; y < pixels.height; y += step) {
    for (let x = 0; x < pixels.width; x += step) {
      const index = (y * pixels.width + x) * pixels.channels;
      if (Math.fround(pixels.data[index + pixels.channels - 1] / 255) <= 0.9) continue;
      const d = pixels.data;
      const level = pixels.channels === 4 ? (d[index] * 4899 + d[index + 1] * 9617 + d[index + 2] * 1868 + 8192) >> 14 : d[index];
      grey.push(Math.fround(level / 255));
    }
  }
  if (grey.length < 16) return null;
  grey.sort((a, b) => a - b);
  return percentile(grey, 99) - percentile(grey, 1) > PICTURE_CONTRAST ? percentile(grey, 50) : null;
}

function percentile(sorted, q) {
  const position = (sorted.length - 1) * q / 100;
  const below = Math.floor(position), above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

function median(values) {
  return percentile(Float64Array.from(values).sort(), 50);
}

/** Ink from a grey picture of either polarity, with uneven paper and sensor noise removed. */
export function inkFromGrey(grey) {
  const bright = float(grey);
  if (!inkIsLight(grey)) for (let i = 0; i < bright.data.length; i++) bright.data[i] = 1 - bright.data[i];
  const paper = paperOf(bright);
  const deviation = plane(bright.width, bright.height);
  for (let i = 0; i < deviation.data.length; i++) {
    deviation.data[i] = (bright.data[i] - paper.data[i]) / Math.max(Math.fround(1 - paper.data[i]), 0.05);
  }
  const [paperLevel, noise] = paperLevelAndNoise(deviation);
  for (let i = 0; i < deviation.data.length; i++) deviation.data[i] -= paperLevel;
  const noiseFloor = NOISE_SIGMAS * noise;
  const contrast = thirdLargest(deviation.data);
  const ink = plane(grey.width, grey.height);
  if (contrast < Math.max(MIN_CONTRAST, 1.5 * noiseFloor)) return ink;
  for (let i = 0; i < ink.data.length; i++) {
    ink.data[i] = Math.min(1, Math.max(0, (deviation.data[i] - noiseFloor) / (contrast - noiseFloor)));
  }
  return ink;
}

export function paperLevelAndNoise(deviation) {
  const stepY = Math.max(1, Math.floor(deviation.height / 100)), stepX = Math.max(1, Math.floor(deviation.width / 100));
  const sample = [];
  for (let y = 0; y < deviation.height; y += stepY) {
    for (let x = 0; x < deviation.width; x += stepX) sample.push(deviation.data[y * deviation.width + x]);
  }
  const sorted = Float32Array.from(sample).sort();
  const low = sorted[Math.floor(sample.length / 10)], lower = sorted[Math.floor(sample.length / 4)];
  const noise = (lower - low) / (1.2816 - 0.6745);
  return [lower + 0.6745 * noise, noise];
}

export function thirdLargest(values) {
  let highest = -Infinity;
  for (const value of values) if (value > highest) highest = value;
  if (values.length <= 3) return highest;
  let strong = values.filter((value) => value >= highest / 2);
  if (strong.length < 3) strong = values;
  return Float32Array.from(strong).sort()[strong.length - 3];
}

function border(source) {
  const { width, height, data } = source;
  const values = [];
  for (let x = 0; x < width; x++) values.push(data[x]);
  for (let x = 0; x < width; x++) values.push(data[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) values.push(data[y * width]);
  for (let y = 0; y < height; y++) values.push(data[y * width + width - 1]);
  return values;
}

/** Whether the ink is lighter than the paper. */
export function inkIsLight(grey) {
  grey = float(grey);
  const paperLevel = median(border(grey));
  const [darkest, lightest] = minMax(blur(grey, 3, 3));
  const above = lightest - paperLevel, below = paperLevel - darkest;
  if (Math.max(above, below) >= 3 * Math.min(above, below)) return above > below;
  const [small, reach] = lowResolution(grey);
  const wide = extended(small, reach);
  const levels8 = { width: wide.width, height: wide.height, data: new Uint8Array(wide.data.length) };
  for (let i = 0; i < wide.data.length; i++) levels8.data[i] = Math.min(255, Math.max(0, cvRound(Math.fround(255 * wide.data[i]))));
  const levels = enlarged(float(medianBlur(levels8, reach)), reach, grey.width, grey.height);
  const deviation = new Float32Array(grey.data.length), opposite = new Float32Array(grey.data.length);
  for (let i = 0; i < deviation.length; i++) { deviation[i] = grey.data[i] - levels.data[i]; opposite[i] = -deviation[i]; }
  return thirdLargest(deviation) > thirdLargest(opposite);
}

/** The paper under bright ink: a grey opening wider than any stroke, at low resolution. */
export function paperOf(bright) {
  const [small, reach] = lowResolution(bright);
  const [low, high] = minMax({ data: border(small) });
  if (high - low < 1e-6) return plane(bright.width, bright.height, new Float32Array(bright.data.length).fill(high));
  const opened = openSquare(extended(small, reach), reach);
  for (let i = 0; i < opened.data.length; i++) opened.data[i] = Math.min(high, opened.data[i]); // (no floor: see preprocess.py)
  const side = Math.floor(reach / 2) + 1;
  return enlarged(blur(opened, side, side), reach, bright.width, bright.height);
}

/** The plane area-averaged to at most 48 px a side, and a filter width wider than any stroke there. */
export function lowResolution(source) {
  const scale = Math.min(1.0, 48 / Math.max(source.height, source.width));
  const width = Math.max(1, cvRound(source.width * scale)), height = Math.max(1, cvRound(source.height * scale));
  const small = width === source.width && height === source.height ? float(source) : resizeArea(source, width, height);
  return [small, Math.max(3, Math.floor(Math.max(width, height) / 3) | 1)];
}

function symmetric(index, size) {
  const period = 2 * size;
  index = ((index % period) + period) % period;
  return index < size ? index : period - 1 - index;
}

/** The picture extended by `margin` on every side: a fitted plane continues, departures from it are mirrored. */
export function extended(small, margin) {
  const { width, height, data } = small;
  let sxx = 0, sxy = 0, sx = 0, syy = 0, sy = 0, sv = 0, sxv = 0, syv = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = data[y * width + x];
      sxx += x * x; sxy += x * y; sx += x; syy += y * y; sy += y; sv += value; sxv += x * value; syv += y * value;
    }
  }
  const [slopeX, slopeY, level] = solve3([[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, width * height]], [sxv, syv, sv]);
  const planeAt = (x, y) => Math.fround(slopeX * x + slopeY * y + level);
  const outWidth = width + 2 * margin, outHeight = height + 2 * margin;
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const sourceY = symmetric(y - margin, height);
    for (let x = 0; x < outWidth; x++) {
      const sourceX = symmetric(x - margin, width);
      const departure = Math.fround(data[sourceY * width + sourceX] - planeAt(sourceX, sourceY));
      out[y * outWidth + x] = planeAt(x - margin, y - margin) + departure;
    }
  }
  return plane(outWidth, outHeight, out);
}

function solve3(matrix, vector) {
  // Least squares through the normal equations (Cramer's rule): a fitted plane x·a + y·b + c.
  const det = (m) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const whole = det(matrix);
  if (Math.abs(whole) < 1e-12) return [0, 0, vector[2] / matrix[2][2]]; // one row or column: a flat fit is as good
  return [0, 1, 2].map((column) => det(matrix.map((row, r) => row.map((value, c) => (c === column ? vector[r] : value)))) / whole);
}

/** A low-resolution plane extended by `margin` back at full size, interpolated right up to the edges. */
export function enlarged(wide, margin, width, height) {
  const stepX = (wide.width - 2 * margin) / width, stepY = (wide.height - 2 * margin) / height;
  const matrix = [stepX, 0, stepX / 2 - 0.5 + margin, 0, stepY, stepY / 2 - 0.5 + margin].map(Math.fround);
  return warpAffineInverseLinear(wide, matrix, width, height);
}

// --- From ink to the MNIST frame ----------------------------------------------------------------------

/** Bounding box [x, y, width, height] of the digit: the largest stroke and the parts near it; null if no ink.
 * `parts`: the ink's connected strokes' stats when already at hand (segment.js), else found here. */
export function digitBox(ink, parts = null) {
  const strongest = minMax(ink)[1];
  if (strongest < MIN_CONTRAST) return null;
  if (parts === null) { // (segment.js passes the ink's connected strokes when it has them)
    const mask = new Uint8Array(ink.data.length);
    for (let i = 0; i < mask.length; i++) mask[i] = ink.data[i] > Math.fround(INK_LEVEL * strongest);
    parts = connectedParts(mask, ink.width, ink.height);
  }
  const largest = Math.max(...parts.map((part) => part[4]));
  const kept = parts.map(() => false);
  kept[parts.findIndex((part) => part[4] === largest)] = true;
  for (;;) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, keptArea = 0;
    parts.forEach(([left, top, width, height, area], index) => {
      if (!kept[index]) return;
      x0 = Math.min(x0, left); y0 = Math.min(y0, top); x1 = Math.max(x1, left + width); y1 = Math.max(y1, top + height);
      keptArea += area;
    });
    let grew = false;
    parts.forEach(([left, top, width, height, area], index) => {
      const gap = Math.max(0, Math.max(x0 - (left + width), left - x1), Math.max(y0 - (top + height), top - y1));
      const near = gap === 0 || (gap <= NEAR_PARTS * Math.max(x1 - x0, y1 - y0) && area >= SPECK_PARTS * keptArea);
      if (near && !kept[index]) { kept[index] = true; grew = true; }
    });
    if (!grew) return [x0, y0, x1 - x0, y1 - y0];
  }
}

/** Read a small digit again from its full-resolution neighbourhood (with paper around it). */
export function readCloser(pixels, box, factor) {
  const [x, y, width, height] = box;
  const margin = Math.max(width, height);
  const x0 = Math.max(0, (x - margin) * factor), y0 = Math.max(0, (y - margin) * factor);
  const x1 = (x + width + margin) * factor, y1 = (y + height + margin) * factor;
  const closer = Math.max(1, Math.floor(Math.max(width, height) * factor / STROKE_SIDE));
  const ink = readInk(cropPixels(pixels, x0, y0, x1, y1), closer);
  return [ink, digitBox(ink), closer];
}

function resized(source, width, height, area) {
  const shrinking = source.width / width >= 1 && source.height / height >= 1;
  return area && shrinking ? resizeArea(source, width, height) : resizeLinear(source, width, height);
}

/** The digit in `box`, at STROKE_SIDE with MNIST's stroke width, then framed as MNIST. */
export function frame(ink, box) {
  const [x, y, width, height] = box;
  const x0 = Math.max(0, x - 1), y0 = Math.max(0, y - 1);
  const x1 = Math.min(ink.width, x + width + 1), y1 = Math.min(ink.height, y + height + 1);
  const scale = STROKE_SIDE / Math.max(width, height);
  const digit = resized(crop(ink, x0, y0, x1, y1), Math.max(1, cvRound((x1 - x0) * scale)),
    Math.max(1, cvRound((y1 - y0) * scale)), scale < 1);
  const strongest = Math.max(minMax(digit)[1], 1e-6);
  for (let i = 0; i < digit.data.length; i++) digit.data[i] /= strongest;
  if (scale > 1.5) {
    for (let i = 0; i < digit.data.length; i++) digit.data[i] = Math.min(1, Math.max(0, (digit.data[i] - 0.5) * (scale / 1.5) + 0.5));
  }
  return centredByMass(withMnistStroke(digit));
}

function padded(source, margin) {
  const width = source.width + 2 * margin, height = source.height + 2 * margin;
  const out = new source.data.constructor(width * height);
  for (let y = 0; y < source.height; y++) {
    out.set(source.data.subarray(y * source.width, (y + 1) * source.width), (y + margin) * width + margin);
  }
  return { width, height, data: out };
}

/** Mean stroke width in pixels, from the distance to the stroke's edge, scaled by the mean ink level. */
export function strokeWidth(digit) {
  const width = digit.width + 2, height = digit.height + 2;
  const mask = new Uint8Array(width * height); // paper all round, even if ink fills the crop
  let inside = 0, ink = 0, distances = 0;
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      const value = digit.data[y * digit.width + x];
      ink += value;
      if (value > INK_LEVEL) { mask[(y + 1) * width + x + 1] = 1; inside++; }
    }
  }
  if (inside === 0) return 0.0;
  for (const value of distanceTransform(mask, width, height).data) distances += value;
  return (4 * distances / inside - 2) * ink / inside;
}

/** Thicken or thin the strokes so that width / longer side matches MNIST's. */
export function withMnistStroke(digit) {
  let width = strokeWidth(digit);
  if (width < 2) {
    digit = plane(digit.width, digit.height, Float32Array.from(digit.data, (v) => (v > INK_LEVEL ? 1 : 0)));
    width = strokeWidth(digit);
  }
  let radius = (MNIST_STROKE_RATIO * STROKE_SIDE - width) / (2 * (1 - MNIST_STROKE_RATIO));
  radius = cvRound(Math.max(radius, -width / 3));
  if (radius === 0) return digit;
  const kernel = ellipseRows(2 * Math.abs(radius) + 1);
  return radius > 0 ? morphology(padded(digit, radius), kernel, true) : morphology(digit, kernel, false);
}

/** Scaled so that its longer side is 20 px, in a 28×28 frame with its centre of mass on (14, 14). */
export function centredByMass(digit) {
  let top = digit.height, bottom = -1, left = digit.width, right = -1;
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      if (digit.data[y * digit.width + x] > 0.1) {
        top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) [top, bottom, left, right] = [0, digit.height - 1, 0, digit.width - 1];
  const cropped = crop(digit, left, top, right + 1, bottom + 1);
  const scale = DIGIT_SIDE / Math.max(cropped.width, cropped.height);
  const small = resized(cropped, Math.max(1, cvRound(cropped.width * scale)), Math.max(1, cvRound(cropped.height * scale)), true);
  const { m00, m10, m01 } = moments(small);
  const mass = Math.max(m00, 1e-6);
  const framed = shifted(small, cvRound(FRAME_SIDE / 2 - m10 / mass), cvRound(FRAME_SIDE / 2 - m01 / mass), FRAME_SIDE, FRAME_SIDE);
  for (let i = 0; i < framed.data.length; i++) framed.data[i] = Math.min(1, Math.max(0, framed.data[i]));
  return framed;
}
