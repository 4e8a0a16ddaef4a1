// digit_recognizer/recognizer.py's model side in the browser: the exported model (model.onnx, from
// cnn_model_v2.h5 by web/export_model.py) run by onnxruntime-web's wasm backend, with the temperature and
// energy threshold saved beside it (model.json).
import * as ort from "./vendor/ort.wasm.bundle.min.mjs";

export const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} could not be loaded (HTTP ${response.status})`);
  return response;
}

/** onnxruntime's wasm, stored gzipped in vendor/ and inflated by the browser itself (14 MB → 3.7 MB to load);
 * as is if a server already inflated it (Content-Encoding: gzip): then it starts with wasm's magic, not gzip's. */
async function runtimeBinary(url) {
  const bytes = await (await fetchOk(url)).arrayBuffer();
  const gzipped = new Uint8Array(bytes, 0, 2).every((byte, index) => byte === [0x1f, 0x8b][index]);
  return gzipped ? new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer() : bytes;
}

/** Softmax along each row of `logits` (arrays of 10 numbers). */
export function softmax(row) {
  const top = Math.max(...row);
  const exponentials = row.map((value) => Math.exp(value - top));
  const sum = exponentials.reduce((a, b) => a + b, 0);
  return exponentials.map((value) => value / sum);
}

/** The index of a row's largest value (the first, on a tie, as NumPy's argmax). */
export function argmax(row) {
  return row.reduce((best, value, index) => (value > row[best] ? index : best), 0);
}

/** −logsumexp of each row of `logits`: low for digits, high for what the model has not seen as one. */
export function energy(logits) {
  return logits.map((row) => {
    const top = Math.max(...row);
    return -(top + Math.log(row.reduce((sum, value) => sum + Math.exp(value - top), 0)));
  });
}

/** The loaded model: `logits(frames)` runs a batch of 28×28 frames in one call. */
export class DigitRecognizer {
  constructor(session, settings) {
    this.session = session;
    this.temperature = settings.temperature; // softmax(logits / temperature): fitted in the notebook
    this.energyThreshold = settings.energy_threshold; // above it a frame is not a digit; null: every frame is
  }

  static async load(base = new URL(".", import.meta.url)) {
    const [wasm, model, settings] = await Promise.all([
      runtimeBinary(new URL("vendor/ort-wasm-simd-threaded.wasm.gz", base)),
      fetchOk(new URL("model.onnx", base)).then((response) => response.arrayBuffer()),
      fetchOk(new URL("model.json", base)).then((response) => response.json()),
    ]);
    ort.env.wasm.wasmBinary = wasm;
    ort.env.wasm.numThreads = 1; // a static Space is not cross-origin isolated: no threads anyway
    const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ["wasm"] });
    const recognizer = new DigitRecognizer(session, settings);
    await recognizer.logits([{ data: new Float32Array(784) }]); // warm up now, not on the first stroke
    return recognizer;
  }

  /** The model's raw outputs for frames (planes of 28×28): an array of rows of 10 numbers. */
  async logits(frames) {
    const batch = new Float32Array(frames.length * 784);
    frames.forEach((frame, index) => batch.set(frame.data, index * 784));
    const input = new ort.Tensor("float32", batch, [frames.length, 28, 28, 1]);
    const { logits } = await this.session.run({ frames: input });
    return frames.map((_, index) => Array.from(logits.data.subarray(index * 10, index * 10 + 10)));
  }

  /** Probabilities with the fitted temperature (times `factor`: one number, or one per row), one row per frame. */
  calibrated(logits, factor = 1.0) {
    const factors = Array.isArray(factor) ? factor : logits.map(() => factor);
    return logits.map((row, index) => softmax(row.map((value) => value / (this.temperature * factors[index]))));
  }

  /** −logsumexp of each row (`energy`). */
  energy(logits) {
    return energy(logits);
  }

  /** Whether each frame reads as a digit at all (energy at or below the saved threshold, plus `shift`'s entry for the
   * frame's top guess when given, one per class). */
  isDigit(logits, shift = null) {
    return this.energy(logits).map((energy, row) => this.energyThreshold === null
      || energy <= this.energyThreshold + (shift ? shift[argmax(logits[row])] : 0));
  }
}
