// The OpenCV operations digit_recognizer/preprocess.py uses, in plain JavaScript, matching OpenCV 5's results
// (same border rules, rounding and fixed-point steps) on the planes the page works with. OpenCV.js itself
// would add ~9 MB to a first load already holding onnxruntime's wasm.
//
// A plane is {width, height, data: Float32Array}; pixels are {width, height, channels, data: Uint8 array}.

export function plane(width, height, data = new Float32Array(width * height)) {
  return { width, height, data };
}

function roundHalfEven(value) {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
export { roundHalfEven as cvRound };

function reflect101(index, size) {
  if (size === 1) return 0;
  while (index < 0 || index >= size) index = index < 0 ? -index : 2 * size - 2 - index;
  return index;
}

// --- Colour -------------------------------------------------------------------------------------------

/** cv2.extractChannel as a uint8 plane (values 0–255 kept as numbers). */
export function extractChannel(pixels, channel) {
  const { width, height, channels, data } = pixels;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels + channel];
  return { width, height, data: out };
}

/** cv2.cvtColor(RGB(A)2GRAY) on uint8: OpenCV's fixed-point weights (4899, 9617, 1868) / 2^14. */
export function rgbToGray(pixels) {
  const { width, height, channels, data } = pixels;
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += channels) {
    out[i] = (data[j] * 4899 + data[j + 1] * 9617 + data[j + 2] * 1868 + 8192) >> 14;
  }
  return { width, height, data: out };
}

// --- Resizing -----------------------------------------------------------------------------------------

/** cv2.resize(INTER_AREA) for shrinking (source/destination ≥ 1 on both axes); uint8 in → uint8 out. */
export function resizeArea(source, width, height) {
  const scaleX = source.width / width, scaleY = source.height / height;
  const integer = !(source.data instanceof Float32Array || source.data instanceof Float64Array);
  const out = integer ? new Uint8Array(width * height) : new Float32Array(width * height);
  const fast = Number.isInteger(scaleX) && Number.isInteger(scaleY);
  if (fast) {
    // (A source may be a view: rows `pitch` pixels apart, each pixel `stride` values apart from `offset`,
    // such as one channel of a canvas's RGBA pixels read in place.)
    const { pitch = source.width, stride = 1, offset = 0, data } = source;
    const area = scaleX * scaleY, inverse = Math.fround(1 / area);
    const sums = new Float64Array(width);
    for (let y = 0; y < height; y++) {
      sums.fill(0);
      for (let dy = 0; dy < scaleY; dy++) {
        const row = (y * scaleY + dy) * pitch;
        for (let x = 0, sx = row * stride + offset; x < width; x++) {
          let sum = 0;
          for (let dx = 0; dx < scaleX; dx++, sx += stride) sum += data[sx];
          sums[x] += sum;
        }
      }
      for (let x = 0; x < width; x++) {
        const sum = sums[x];
        if (!integer) out[y * width + x] = sum / area;
        else out[y * width + x] = area === 4 ? (sum + 2) >> 2 : roundHalfEven(Math.fround(sum * inverse));
      }
    }
    return { width, height, data: out };
  }
  const [xIndex, xWeight, xStart] = areaTable(source.width, width, scaleX);
  const [yIndex, yWeight, yStart] = areaTable(source.height, height, scaleY);
  const row = new Float64Array(width), accumulated = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    accumulated.fill(0);
    for (let k = yStart[y]; k < yStart[y + 1]; k++) {
      const offset = yIndex[k] * source.width, wy = yWeight[k];
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let j = xStart[x]; j < xStart[x + 1]; j++) sum += source.data[offset + xIndex[j]] * xWeight[j];
        row[x] = sum;
      }
      for (let x = 0; x < width; x++) accumulated[x] += row[x] * wy;
    }
    for (let x = 0; x < width; x++) out[y * width + x] = integer ? roundHalfEven(accumulated[x]) : accumulated[x];
  }
  return { width, height, data: out };
}

function areaTable(sourceSize, size, scale) {
  // OpenCV's computeResizeAreaTab: each destination pixel covers [x·scale, (x+1)·scale) of the source.
  // Flat: source indices and weights of destination pixel x at [starts[x], starts[x + 1]).
  const indices = [], weights = [], starts = [0];
  for (let x = 0; x < size; x++) {
    const start = x * scale, end = start + scale;
    const cellWidth = Math.min(scale, sourceSize - start);
    const first = Math.ceil(start), last = Math.floor(end);
    if (first - start > 1e-3) { indices.push(first - 1); weights.push((first - start) / cellWidth); }
    for (let s = first; s < last; s++) { indices.push(s); weights.push(1 / cellWidth); }
    if (Math.min(end, sourceSize) - last > 1e-3 && last < sourceSize) {
      indices.push(last); weights.push((Math.min(end, sourceSize) - last) / cellWidth);
    }
    starts.push(indices.length);
  }
  return [Int32Array.from(indices), Float64Array.from(weights), Int32Array.from(starts)];
}

/** cv2.resize(INTER_LINEAR) of a float plane (the enlarging case). */
export function resizeLinear(source, width, height) {
  if (width === source.width && height === source.height) return { width, height, data: Float32Array.from(source.data) };
  const xs = linearTable(source.width, width), ys = linearTable(source.height, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const [sy, fy] = ys[y];
    const sy1 = Math.min(sy + 1, source.height - 1);
    for (let x = 0; x < width; x++) {
      const [sx, fx] = xs[x];
      const sx1 = Math.min(sx + 1, source.width - 1);
      const d = source.data, w = source.width;
      const top = Math.fround(d[sy * w + sx] * (1 - fx) + d[sy * w + sx1] * fx);
      const bottom = Math.fround(d[sy1 * w + sx] * (1 - fx) + d[sy1 * w + sx1] * fx);
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data: out };
}

function linearTable(sourceSize, size) {
  const scale = sourceSize / size;
  const table = [];
  for (let x = 0; x < size; x++) {
    let position = (x + 0.5) * scale - 0.5;
    let index = Math.floor(position);
    let fraction = Math.fround(position - index);
    if (index < 0) { index = 0; fraction = 0; }
    if (index >= sourceSize - 1) { index = sourceSize - 1; fraction = 0; }
    table.push([index, fraction]);
  }
  return table;
}

// --- Filters ------------------------------------------------------------------------------------------

/** cv2.blur: box mean over kernel width × height (anchor at the centre, k // 2), BORDER_REFLECT_101. */
export function blur(source, kernelWidth, kernelHeight) {
  const { width, height, data } = source;
  const horizontal = new Float64Array(width * height);
  const ax = Math.floor(kernelWidth / 2), ay = Math.floor(kernelHeight / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < kernelWidth; k++) sum += data[y * width + reflect101(x - ax + k, width)];
      horizontal[y * width + x] = sum;
    }
  }
  const out = new Float32Array(width * height);
  const area = kernelWidth * kernelHeight;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < kernelHeight; k++) sum += horizontal[reflect101(y - ay + k, height) * width + x];
      out[y * width + x] = sum / area;
    }
  }
  return { width, height, data: out };
}

/** cv2.medianBlur of a uint8 plane (odd kernel), BORDER_REPLICATE. */
export function medianBlur(source, kernel) {
  const { width, height, data } = source;
  const out = new Uint8Array(width * height);
  const reach = kernel >> 1, middle = (kernel * kernel) >> 1;
  const histogram = new Int32Array(256);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      histogram.fill(0);
      for (let dy = -reach; dy <= reach; dy++) {
        const row = Math.min(height - 1, Math.max(0, y + dy)) * width;
        for (let dx = -reach; dx <= reach; dx++) histogram[data[row + Math.min(width - 1, Math.max(0, x + dx))]]++;
      }
      let count = 0, level = 0;
      for (; level < 256; level++) { count += histogram[level]; if (count > middle) break; }
      out[y * width + x] = level;
    }
  }
  return { width, height, data: out };
}

/** The structuring element cv2.getStructuringElement(MORPH_ELLIPSE, (side, side)): rows of [start, end). */
export function ellipseRows(side) {
  const r = Math.floor(side / 2), c = Math.floor(side / 2);
  const inverse = r ? 1 / (r * r) : 0;
  const rows = [];
  for (let i = 0; i < side; i++) {
    const dy = i - r;
    if (Math.abs(dy) > r) { rows.push([0, 0]); continue; }
    const dx = roundHalfEven(c * Math.sqrt((r * r - dy * dy) * inverse));
    rows.push([Math.max(c - dx, 0), Math.min(c + dx + 1, side)]);
  }
  return rows;
}

/** cv2.erode / cv2.dilate with a kernel given as rows of [start, end) (anchor at its centre); pixels
 * outside the plane are ignored (OpenCV's default border for morphology). */
export function morphology(source, rows, dilate) {
  const { width, height, data } = source;
  const anchor = Math.floor(rows.length / 2);
  // Kernel rows are centred on the anchor: row i reaches `reach[i]` columns either side (−1: empty). The
  // extreme over each reach is built up one column at a time, then taken over the rows.
  const reach = rows.map(([start, end]) => (end > start ? anchor - start : -1));
  if (rows.some(([start, end], i) => end > start && end - 1 - anchor !== reach[i])) throw new Error("kernel not centred");
  const sign = dilate ? -1 : 1; // the minimum of sign · value: an erosion, or (negated) a dilation
  const out = new Float32Array(width * height).fill(Infinity);
  let level = Float32Array.from(data, (value) => sign * value), next = new Float32Array(width * height);
  for (let r = 0; r <= Math.max(...reach); r++) {
    if (r > 0) { // the extreme over r columns either side, from the one over r − 1
      for (let y = 0; y < height; y++) {
        const row = y * width, last = row + width - 1;
        for (let x = row; x <= last; x++) {
          let value = level[x];
          if (x > row && level[x - 1] < value) value = level[x - 1];
          if (x < last && level[x + 1] < value) value = level[x + 1];
          next[x] = value;
        }
      }
      [level, next] = [next, level];
    }
    for (let i = 0; i < rows.length; i++) {
      if (reach[i] !== r) continue;
      for (let y = Math.max(0, anchor - i); y < Math.min(height, height + anchor - i); y++) {
        const target = y * width, source = (y + i - anchor) * width;
        for (let x = 0; x < width; x++) { const v = level[source + x]; if (v < out[target + x]) out[target + x] = v; }
      }
    }
  }
  if (dilate) for (let i = 0; i < out.length; i++) out[i] = -out[i];
  return { width, height, data: out };
}

/** cv2.morphologyEx(MORPH_OPEN) with a square kernel. */
export function openSquare(source, side) {
  const rows = Array.from({ length: side }, () => [0, side]);
  return morphology(morphology(source, rows, false), rows, true);
}

// --- Geometry -----------------------------------------------------------------------------------------

/** cv2.warpAffine(INTER_LINEAR | WARP_INVERSE_MAP, BORDER_CONSTANT 0): destination (x, y) samples the source
 * at matrix · (x, y, 1), positions rounded to 1/32 pixel as OpenCV's fixed-point tables do. */
export function warpAffineInverseLinear(source, matrix, width, height) {
  const [m0, m1, m2, m3, m4, m5] = matrix;
  const out = new Float32Array(width * height);
  const { data } = source;
  const at = (x, y) => (x >= 0 && y >= 0 && x < source.width && y < source.height ? data[y * source.width + x] : 0);
  for (let y = 0; y < height; y++) {
    const x0 = roundHalfEven((m1 * y + m2) * 1024) + 16, y0 = roundHalfEven((m4 * y + m5) * 1024) + 16;
    for (let x = 0; x < width; x++) {
      const X = (x0 + roundHalfEven(m0 * x * 1024)) >> 5, Y = (y0 + roundHalfEven(m3 * x * 1024)) >> 5;
      const sx = X >> 5, sy = Y >> 5;
      const fx = Math.fround((X & 31) / 32), fy = Math.fround((Y & 31) / 32);
      const w00 = Math.fround((1 - fx) * (1 - fy)), w01 = Math.fround(fx * (1 - fy));
      const w10 = Math.fround((1 - fx) * fy), w11 = Math.fround(fx * fy);
      out[y * width + x] = at(sx, sy) * w00 + at(sx + 1, sy) * w01 + at(sx, sy + 1) * w10 + at(sx + 1, sy + 1) * w11;
    }
  }
  return { width, height, data: out };
}

/** cv2.warpAffine by a whole-pixel shift (INTER_NEAREST, BORDER_CONSTANT 0) into a width × height plane. */
export function shifted(source, shiftX, shiftY, width, height) {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = y - shiftY;
    if (sy < 0 || sy >= source.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - shiftX;
      if (sx >= 0 && sx < source.width) out[y * width + x] = source.data[sy * source.width + sx];
    }
  }
  return { width, height, data: out };
}

// --- Measuring ----------------------------------------------------------------------------------------

/** cv2.minMaxLoc's two values. */
export function minMax(source) {
  let low = Infinity, high = -Infinity;
  const { data } = source;
  for (let i = 0; i < data.length; i++) { const value = data[i]; if (value < low) low = value; if (value > high) high = value; }
  return [low, high];
}

/** cv2.moments' m00, m10, m01 of a float plane. */
export function moments(source) {
  let m00 = 0, m10 = 0, m01 = 0;
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < source.width; x++) {
      const value = source.data[y * source.width + x];
      m00 += value; m10 += x * value; m01 += y * value;
    }
  }
  return { m00, m10, m01 };
}

/** cv2.connectedComponentsWithStats(mask, connectivity=8): {count, labels (0 = background), stats: [left, top,
 * width, height, area] per label (stats[0] the background's)}. Parts are numbered as OpenCV's block-based
 * scan numbers them: by the first 2×2 block (row pair, then column pair) holding one of their pixels. */
export function connectedComponentsWithStats(mask, width, height) {
  const found = new Int32Array(width * height).fill(-1);
  const parts = [];
  const stack = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || found[start] >= 0) continue;
    const index0 = parts.length;
    let left = width, top = height, right = -1, bottom = -1, area = 0, firstBlock = Infinity;
    found[start] = index0;
    stack.push(start);
    while (stack.length) {
      const index = stack.pop();
      const x = index % width, y = (index - x) / width;
      area++;
      if (x < left) left = x; if (x > right) right = x; if (y < top) top = y; if (y > bottom) bottom = y;
      firstBlock = Math.min(firstBlock, (y >> 1) * width + (x >> 1));
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (mask[next] && found[next] < 0) { found[next] = index0; stack.push(next); }
        }
      }
    }
    parts.push({ stats: [left, top, right - left + 1, bottom - top + 1, area], firstBlock, index0 });
  }
  const order = parts.map((part) => part.index0).sort((a, b) => parts[a].firstBlock - parts[b].firstBlock);
  const labelOf = new Int32Array(parts.length);
  order.forEach((index0, rank) => { labelOf[index0] = rank + 1; });
  const labels = new Int32Array(width * height);
  let foreground = 0;
  for (let i = 0; i < labels.length; i++) if (found[i] >= 0) { labels[i] = labelOf[found[i]]; foreground++; }
  const stats = [[0, 0, width, height, width * height - foreground], ...order.map((index0) => parts[index0].stats)];
  return { count: parts.length + 1, labels, stats };
}

/** The parts' stats without the background (connectedComponentsWithStats(...)[2][1:]). */
export function connectedParts(mask, width, height) {
  return connectedComponentsWithStats(mask, width, height).stats.slice(1);
}

/** cv2.moments(mask, binaryImage=True)'s central moments mu11 and mu02 of a 0/1 mask. */
export function centralMoments(mask, width, height) {
  let m00 = 0, m10 = 0, m01 = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (mask[y * width + x]) { m00++; m10 += x; m01 += y; }
  if (m00 === 0) return { mu11: 0, mu02: 0 };
  const cx = m10 / m00, cy = m01 / m00;
  let mu11 = 0, mu02 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (mask[y * width + x]) { mu11 += (x - cx) * (y - cy); mu02 += (y - cy) * (y - cy); }
  }
  return { mu11, mu02 };
}

/** cv2.distanceTransform(mask, DIST_L2, 3): OpenCV's 3×3 chamfer (0.955, 1.3693) in 16-bit fixed point. */
export function distanceTransform(mask, width, height) {
  const straight = 62587, diagonal = 89738; // cvRound(0.955 · 2^16), cvRound(1.3693 · 2^16)
  const far = 0x7fffffff >> 1;
  const distance = new Int32Array(width * height);
  const at = (x, y) => (x < 0 || y < 0 || x >= width || y >= height ? far : distance[y * width + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) { distance[y * width + x] = 0; continue; }
      distance[y * width + x] = Math.min(at(x - 1, y - 1) + diagonal, at(x, y - 1) + straight,
        at(x + 1, y - 1) + diagonal, at(x - 1, y) + straight);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const index = y * width + x;
      if (!distance[index]) continue;
      distance[index] = Math.min(distance[index], at(x + 1, y) + straight, at(x - 1, y + 1) + diagonal,
        at(x, y + 1) + straight, at(x + 1, y + 1) + diagonal);
    }
  }
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = distance[i] * (1 / 65536);
  return { width, height, data: out };
}
