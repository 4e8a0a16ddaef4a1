// The static page: a canvas ready at once, guesses updated during the stroke (one reading at a time,
// inputs meanwhile coalesced), image upload. Layout in index.html and page.css; the reading itself in reader.js.
import { DIGIT, NOT_A_DIGIT } from "./kinds.js";
import { label, read, text, top } from "./reader.js";
import { DigitRecognizer } from "./recognizer.js";

const BRUSH = 40; // px on the 800×800 canvas, as the Gradio page's Sketchpad
const MAX_FILE_BYTES = 10 * 1024 * 1024; // the limits of the Gradio page's uploads
const MAX_PIXELS = 70_000_000;

const canvas = document.getElementById("sketchpad");
const context = canvas.getContext("2d", { willReadFrequently: true });
const status = document.getElementById("status");
const numberView = document.getElementById("number");
const guessesView = document.getElementById("guesses");
const marksView = document.getElementById("marks");

const CAPTIONS = { "outside the box": "mark outside the box" }; // a mark left out, where its kind alone reads badly
const HINT = "Draw a digit (or a number) on the canvas, or upload an image.";
// What the Gradio page says (digit_recognizer/page.py): a drawing that is not a digit, and the guesses' titles.
const NOT_A_DIGIT_MESSAGE = "That doesn't look like a digit";
const NO_DIGIT_MESSAGE = "No digit here"; // only dots, dashes or a box
const GUESSES_TITLE = "Top 3 guesses";
const UNSURE_TITLE = "Closest digits (unsure: it doesn't look like one)";
let recognizer = null;
let uploaded = null; // pixels of an uploaded image, read until the visitor draws or clears
let busy = false, again = false;
let inputSince = null; // [event timeStamp, handler start] of the oldest input the shown reading does not reflect yet

// What tests and benchmarks read: when the model is ready, and how long after its input each reading was shown
// ([since the input event's timeStamp, since its handler started] in ms, candidate digits the model read).
const ready = DigitRecognizer.load().then((loaded) => {
  recognizer = loaded;
  status.textContent = HINT;
  schedule(null);
}).catch((error) => { status.textContent = `The model could not be loaded: ${error.message}`; throw error; });
window.digitPage = { ready, latencies: [], readings: 0, read: async (pixels) => summary(await read(recognizer, pixels)) };
// (canvasReady, set once the drawing handlers below are in place: when a visitor can start drawing)

// --- Drawing --------------------------------------------------------------------------------------------

context.lineCap = "round";
context.lineJoin = "round";
context.lineWidth = BRUSH;
context.strokeStyle = context.fillStyle = "#000";
let last = null;

function point(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}

canvas.addEventListener("pointerdown", (event) => {
  canvas.setPointerCapture(event.pointerId);
  uploaded = null;
  last = point(event);
  context.beginPath();
  context.arc(last[0], last[1], BRUSH / 2, 0, 2 * Math.PI);
  context.fill();
  schedule(event.timeStamp);
});
canvas.addEventListener("pointermove", (event) => {
  if (last === null) return;
  const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  context.beginPath();
  context.moveTo(...last);
  for (const move of moves.length ? moves : [event]) { last = point(move); context.lineTo(...last); }
  context.stroke();
  schedule(event.timeStamp);
});
for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, () => { last = null; });
window.digitPage.canvasReady = performance.now();

document.getElementById("clear").addEventListener("click", () => {
  uploaded = null;
  context.clearRect(0, 0, canvas.width, canvas.height);
  schedule(null);
});

// --- Upload ---------------------------------------------------------------------------------------------

document.getElementById("upload").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  event.target.value = "";
  if (!file) return;
  try {
    if (file.size > MAX_FILE_BYTES) throw new Error("This file is larger than 10 MB.");
    const bitmap = await createImageBitmap(file, { premultiplyAlpha: "none", colorSpaceConversion: "none" });
    if (bitmap.width * bitmap.height > MAX_PIXELS) throw new Error("This image has more than 70 megapixels.");
    const full = new OffscreenCanvas(bitmap.width, bitmap.height).getContext("2d", { willReadFrequently: true });
    full.drawImage(bitmap, 0, 0);
    const image = full.getImageData(0, 0, bitmap.width, bitmap.height);
    uploaded = { width: image.width, height: image.height, channels: 4, data: image.data };
    const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, (canvas.width - bitmap.width * scale) / 2, (canvas.height - bitmap.height * scale) / 2,
      bitmap.width * scale, bitmap.height * scale);
    schedule(event.timeStamp);
  } catch (error) {
    status.textContent = error.name === "InvalidStateError" ? "This file could not be read as an image." : error.message;
  }
});

// --- Reading ------------------------------------------------------------------------------------------

// A reading starts as soon as the input is drawn (Chromium already delivers pointer moves once per animation
// frame); inputs arriving while one runs are coalesced into one more reading when it ends.
function schedule(timeStamp) {
  if (timeStamp !== null && inputSince === null) inputSince = [timeStamp, performance.now()];
  if (busy) { again = true; return; }
  queueMicrotask(update);
}

async function update() {
  if (recognizer === null || busy) return; // read once the model is ready
  busy = true;
  again = false;
  const since = inputSince;
  inputSince = null;
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const reading = await read(recognizer, uploaded ?? { width: image.width, height: image.height, channels: 4, data: image.data });
  show(reading);
  window.digitPage.readings++;
  if (since !== null) window.digitPage.latencies.push([...since.map((start) => performance.now() - start), reading.candidates ?? 0]);
  busy = false;
  if (again) schedule(null);
}

/** A reading as plain data (what a benchmark compares with Python's). */
function summary(reading) {
  return { text: text(reading), marks: reading.marks.map((mark) => ({ kind: mark.kind, box: mark.box, line: mark.line, label: label(mark),
    probabilities: mark.probabilities, frame: Array.from(mark.frame?.data ?? []) })), message: reading.message };
}

function show(reading) {
  const marks = reading.marks;
  const number = text(reading);
  const notADigit = marks.some((mark) => mark.kind === NOT_A_DIGIT);
  numberView.innerHTML = number ? `<span class="number">${number}</span>`
    : marks.length ? `<span class="not-a-digit">${notADigit ? NOT_A_DIGIT_MESSAGE : NO_DIGIT_MESSAGE}</span>` : "";
  // One mark read: its top 3, marked unsure when it is not a digit (the closest digits, not an answer).
  const alone = marks.length === 1 && marks[0].probabilities ? marks[0] : null;
  const unsure = alone?.kind === NOT_A_DIGIT;
  guessesView.className = unsure ? "unsure" : "";
  guessesView.replaceChildren(...(alone ? [guessesTitle(unsure)] : []), ...(alone ? top(alone, 3) : []).map(([digit, share]) => {
    const row = document.createElement("div");
    row.className = "guess";
    row.dataset.digit = digit;
    row.innerHTML = `<span class="digit">${digit}</span><span class="bar" style="width:${(100 * share).toFixed(1)}%"></span>` +
      `<span class="share">${(100 * share).toFixed(1)}%</span>`;
    return row;
  }));
  marksView.replaceChildren(...marks.map((mark) => figure(mark, !alone)));
  // The hint while there is nothing to read; a message says why this input was not read (not the last one's).
  status.textContent = reading.message || (marks.length ? "" : HINT);
}

function guessesTitle(unsure) {
  const title = document.createElement("p");
  title.className = "guesses-title";
  title.textContent = unsure ? UNSURE_TITLE : GUESSES_TITLE;
  return title;
}

/** A mark's card: the 28×28 frame the model saw and what it was read as; in a number, each digit's top 3 (one mark
 * alone has them above, as bars). */
function figure(mark, withTop) {
  const view = document.createElement("figure");
  const caption = document.createElement("figcaption");
  if (!mark.frame) { // a dot, a dash, a box round the number or a mark beside it: nothing the model read
    caption.innerHTML = `<b>${CAPTIONS[mark.kind] ?? mark.kind}</b> left out`;
    view.append(caption);
    return view;
  }
  const frame = document.createElement("canvas");
  frame.width = frame.height = 28;
  const image = new ImageData(28, 28);
  mark.frame.data.forEach((value, index) => {
    image.data.fill(Math.round(255 * value), 4 * index, 4 * index + 3);
    image.data[4 * index + 3] = 255;
  });
  frame.getContext("2d").putImageData(image, 0, 0);
  const shares = top(mark, 3).map(([digit, share]) => `${digit} ${Math.round(100 * share)}%`);
  caption.innerHTML = mark.kind === DIGIT
    ? `<span class="digit">${label(mark)}</span>` + (withTop ? `<span class="top">${shares.join("<br>")}</span>` : "")
    : `${mark.kind}<br><span class="unsure">closest ${shares[0]}</span>`; // (left out of the number)
  view.append(frame, caption);
  return view;
}
