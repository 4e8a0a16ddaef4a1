"""The static page (web/) in real headless Chromium: does the browser read what Python's `read` reads, how fast
does a guess follow the pointer, and what does a first visit load. Prints one table (and the disagreements).

    python benchmarks/web.py                        # 100 MNIST test digits per form, 200 pendigits numbers
    python benchmarks/web.py --digits 20 --numbers 20 --seed 1

Inputs: every form of tests/renderings.py (as benchmarks/accuracy.py draws them) and numbers of 1–4 digits
composed from the shared pendigits writers (tests/handwriting.py). Each input's exact pixels go to the page
(a Sketchpad value as the drawn layer it is read from), which reads them with its own JS and ONNX model.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.inputs import mnist_test
from benchmarks.server import REPO_ROOT
from benchmarks.timing import markdown_table

WEB = REPO_ROOT / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_LOAD_LIMIT = 15_000_000  # bytes
# One digit on the default canvas, in canvas fractions (one stroke each).
SEVEN = [(0.30, 0.22), (0.70, 0.22), (0.45, 0.82)]
LATENCY_DIGITS = {
    "1": [(0.50, 0.18), (0.50, 0.85)],
    "0": [(0.5 + 0.2 * np.sin(t / 20 * 6.3), 0.5 - 0.32 * np.cos(t / 20 * 6.3)) for t in range(21)],
    "7": SEVEN,
}


# --- A plain static file server ------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, *arguments) -> None:  # no line per request
        pass


@contextmanager
def static_server(directory: Path = WEB) -> Iterator[str]:
    """`directory` served by Python's plain static file server on a free loopback port: its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser_page(url: str, viewport=(1280, 900), **context_options):
    """A fresh Chromium page (own context, empty cache) at `url`; yields (page, requests seen)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **context_options)
        page = context.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request))
        try:
            yield page, requests
        finally:
            browser.close()


# --- Inputs ------------------------------------------------------------------------------------------


def pixels_of(image) -> np.ndarray:
    """H×W×C uint8 pixels of a rendered input, as the page gets them (a Sketchpad value: the layer read)."""
    from digit_recognizer.pixels import to_pixels

    array = to_pixels(image)
    if array.dtype != np.uint8:
        array = np.round(array * 255).astype(np.uint8)
    return np.ascontiguousarray(array)


def rendered_inputs(digits: int, numbers: int, seed: int) -> Iterator[tuple[str, np.ndarray]]:
    """(name, pixels) of `digits` MNIST test digits in every form, then `numbers` pendigits numbers."""
    from tests.renderings import FORMS, render

    images, _ = mnist_test()
    chosen = np.random.default_rng(seed).choice(len(images), size=digits, replace=False)
    for number, form in enumerate(FORMS):
        rng = np.random.default_rng([seed, number])
        for index in chosen:
            yield f"{form} #{index}", pixels_of(render(images[index], form, rng))
    if numbers:
        from tests.handwriting import CANVASES, compose_number, load_pendigits, on_canvas

        data = load_pendigits()
        rng = np.random.default_rng([seed, len(FORMS)])
        for count in range(numbers):
            writer = int(rng.integers(1, 31))
            composed = compose_number(data, writer, int(rng.integers(1, 5)), rng, touching=bool(rng.random() < 0.3),
                                      slant=float(rng.uniform(-0.1, 0.25)))
            form = CANVASES[count % len(CANVASES)]
            yield f"number {composed.text} ({form}, writer {writer})", pixels_of(on_canvas(composed.ink, form, rng))


def answer(reading) -> str:
    """What a visitor is shown: the number read, else "not a digit" for marks none of which is a digit."""
    text = reading.text if hasattr(reading, "text") else reading["text"]
    marks = reading.marks if hasattr(reading, "marks") else reading["marks"]
    return text or ("not a digit" if marks else "")


READ_IN_PAGE = """async ([name, width, height, channels]) => {
    await window.digitPage.ready;
    const data = new Uint8Array(await (await fetch('/inputs/' + name)).arrayBuffer());
    return window.digitPage.read({ width, height, channels, data });
}"""


# --- Measurements ------------------------------------------------------------------------------------


@dataclass
class WebResult:
    inputs: int = 0
    agreements: int = 0
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)  # name, Python's, browser's
    frame_difference: float = 0.0  # largest |Python frame − browser frame| over marks read alike...
    frame_difference_at: str = ""  # ...in this input
    frames_compared: int = 0
    frames_apart: int = 0  # frames with a pixel more than 0.05 apart
    # digit drawn → [ms since the input event, ms since its handler started, candidate digits read] per update
    latencies: dict[str, list[list[float]]] = field(default_factory=dict)
    first_load_bytes: int = 0
    first_load_files: int = 0
    first_prediction_ms: float = float("nan")
    canvas_ready_ms: float = float("nan")
    foreign_requests: list[str] = field(default_factory=list)


def measure_parity(result: WebResult, url: str, digits: int, numbers: int, seed: int) -> None:
    from digit_recognizer.recognizer import DigitRecognizer

    recognizer = DigitRecognizer.load()
    served: dict[str, bytes] = {}
    with browser_page(url) as (page, _):
        page.route("**/inputs/*", lambda route: route.fulfill(body=served.pop(route.request.url.rsplit("/", 1)[1])))
        page.goto(f"{url}/index.html")
        for number, (name, pixels) in enumerate(rendered_inputs(digits, numbers, seed)):
            python = recognizer.read(pixels)
            served[str(number)] = pixels.tobytes()
            browser = page.evaluate(READ_IN_PAGE, [str(number), pixels.shape[1], pixels.shape[0], pixels.shape[2]])
            result.inputs += 1
            if answer(python) == answer(browser):
                result.agreements += 1
            else:
                result.disagreements.append((name, answer(python), answer(browser)))
            if len(python.marks) == len(browser["marks"]):
                for mark, other in zip(python.marks, browser["marks"]):
                    if mark.frame is not None and other["frame"]:
                        difference = float(np.abs(mark.frame.ravel() - np.float32(other["frame"])).max())
                        result.frames_compared += 1
                        result.frames_apart += difference > 0.05
                        if difference > result.frame_difference:
                            result.frame_difference, result.frame_difference_at = difference, name


def draw(page, points: list[tuple[float, float]], steps: int = 8, touch: bool = False, release: bool = True):
    """One stroke through `points` (canvas fractions) with the mouse, or a finger (pointer events of type touch).
    With release=False the pen stays down: the function that lifts it is returned."""
    box = page.locator("#sketchpad").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    if touch:
        session = page.context.new_cdp_session(page)

        def finger(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
            session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        finger("touchStart", *at[0])
        for (x0, y0), (x1, y1) in zip(at, at[1:]):
            for step in range(1, steps + 1):
                finger("touchMove", x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
        lift = lambda: finger("touchEnd", *at[-1])  # noqa: E731
    else:
        page.mouse.move(*at[0])
        page.mouse.down()
        for x, y in at[1:]:
            page.mouse.move(x, y, steps=steps)
        lift = page.mouse.up
    if not release:
        return lift
    lift()
    return None


def measure_latency(result: WebResult, url: str, strokes: int = 5) -> None:
    """Each digit of LATENCY_DIGITS drawn `strokes` times on a cleared canvas: how long after each pointer move
    the guess it caused was shown, and how many candidate digits that reading ran through the model."""
    with browser_page(url) as (page, _):
        page.goto(f"{url}/index.html")
        page.evaluate("window.digitPage.ready")
        for digit, points in LATENCY_DIGITS.items():
            for _ in range(strokes):
                page.click("#clear")
                time.sleep(0.2)
                page.evaluate("window.digitPage.latencies.length = 0")
                draw(page, points, steps=10)
                time.sleep(0.3)
                result.latencies.setdefault(digit, []).extend(page.evaluate("window.digitPage.latencies"))


def measure_first_load(result: WebResult, url: str) -> None:
    with browser_page(url) as (page, requests):
        page.goto(f"{url}/index.html")
        result.first_prediction_ms = page.evaluate("window.digitPage.ready.then(() => performance.now())")
        result.canvas_ready_ms = page.evaluate("window.digitPage.canvasReady")
        page.wait_for_load_state("networkidle")
        for request in requests:
            response = request.response()
            if not request.url.startswith(url):
                result.foreign_requests.append(request.url)
            if response is not None:
                result.first_load_bytes += request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
                result.first_load_files += 1


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share)) if values else float("nan")


def latency_rows(latencies: dict[str, list[list[float]]]) -> list[list[str]]:
    everything = [entry for entries in latencies.values() for entry in entries]
    rows = [["pointer move → guess shown (since the input event), digits " + ", ".join(latencies) + " drawn with the mouse",
             f"**p50 {percentile([e[0] for e in everything], 50):.1f} ms**, p90 {percentile([e[0] for e in everything], 90):.1f} ms "
             f"({len(everything)} updates)", "p50 ≤ 16 ms"]]
    for digit, entries in latencies.items():
        most = max((int(entry[2]) for entry in entries), default=0)
        rows.append([f"  the same, drawing a {digit} (most candidate digits in one reading: {most})",
                     f"p50 {percentile([e[0] for e in entries], 50):.1f} ms, p90 {percentile([e[0] for e in entries], 90):.1f} ms; "
                     f"page's own work p50 {percentile([e[1] for e in entries], 50):.1f} ms", ""])
    few = [entry for entry in everything if entry[2] <= 3]
    rows.append(["  updates whose reading ran ≤ 3 candidate digits through the model",
                 f"p50 {percentile([e[0] for e in few], 50):.1f} ms ({len(few)} updates)", ""])
    return rows


def web_table(result: WebResult) -> str:
    rows = [
        ["browser reads as Python's `read` (number text, else \"not a digit\")",
         f"**{result.agreements / max(result.inputs, 1):.2%}** of {result.inputs:,} inputs "
         f"({len(result.disagreements)} disagreements)", "≥ 99.5 %"],
        ["  the frames the model saw, Python's against the browser's (same marks)",
         f"{result.frames_compared - result.frames_apart:,} of {result.frames_compared:,} within 0.05 in every pixel; "
         f"largest difference {result.frame_difference:.2f} ({result.frame_difference_at})", ""],
        *latency_rows(result.latencies),
        ["first load, empty cache (plain static server, no compression)",
         f"**{result.first_load_bytes / 1e6:.2f} MB** in {result.first_load_files} files; "
         f"{len(result.foreign_requests)} requests to other origins", "≤ 15 MB, none"],
        ["navigation → canvas takes strokes / → first possible prediction (model loaded, warmed up)",
         f"{result.canvas_ready_ms:.0f} ms / {result.first_prediction_ms:.0f} ms", ""],
    ]
    return markdown_table(["static page (headless Chromium)", "result", "target"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits", type=int, default=100, help="MNIST test digits per form (default 100)")
    parser.add_argument("--numbers", type=int, default=200, help="pendigits numbers (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="which digits and renderings (default 0)")
    arguments = parser.parse_args()
    result = WebResult()
    with static_server() as url:
        measure_first_load(result, url)
        measure_latency(result, url)
        measure_parity(result, url, arguments.digits, arguments.numbers, arguments.seed)
    print(web_table(result))
    for name, python, browser in result.disagreements:
        print(f"- {name}: Python {python!r}, browser {browser!r}")


if __name__ == "__main__":
    main()
