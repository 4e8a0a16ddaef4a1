// Copy the one onnxruntime-web build the page needs from node_modules into web/vendor/ (plain files, committed):
// the ES-module bundle (runtime and wasm glue in one file) and the SIMD wasm without WebGPU (JSEP) kernels,
// gzipped (14 MB → 3.7 MB; the page inflates it with the browser's DecompressionStream). Regenerate with
// `npm ci && npm run vendor` after changing the version in package.json.
import { createReadStream, createWriteStream, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGzip, constants } from "node:zlib";

const dist = new URL("../node_modules/onnxruntime-web/dist/", import.meta.url);
const vendor = new URL("./vendor/", import.meta.url);
const { version } = JSON.parse(readFileSync(new URL("../package.json", dist), "utf8"));

mkdirSync(vendor, { recursive: true });
copyFileSync(new URL("ort.wasm.bundle.min.mjs", dist), new URL("ort.wasm.bundle.min.mjs", vendor));
await pipeline(
  createReadStream(new URL("ort-wasm-simd-threaded.wasm", dist)),
  createGzip({ level: constants.Z_BEST_COMPRESSION }),
  createWriteStream(new URL("ort-wasm-simd-threaded.wasm.gz", vendor)),
);
writeFileSync(new URL("README.md", vendor),
  `onnxruntime-web ${version} (MIT, https://github.com/microsoft/onnxruntime), copied from node_modules by ` +
  "`npm ci && npm run vendor` (web/vendor.mjs): regenerate, never edit.\n");
console.log(`onnxruntime-web ${version} vendored into web/vendor/`);
