"""Reading whole numbers (issue 8): exact-number accuracy on numbers composed from one pendigits writer's
digits (with gaps, and touching), against a naive split at blank columns and against each digit framed alone
from its own ink (what a perfect finder of digits would read with this model); single digits read by `read`
against `predict`; `read` on every form of benchmarks/accuracy.py; and `read`'s speed. Prints one table.

    python benchmarks/read_numbers.py                       # 300 numbers per style and canvas, seed 0
    python benchmarks/read_numbers.py --numbers 100 --singles 300 --seed 1
    python benchmarks/read_numbers.py --rest             # and the REST round trip of `read` (starts app.py)

Data: $PENDIGITS_PATH (default ../shared/data/pendigits_train.npz) and $MNIST_PATH.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks import server
from benchmarks.inputs import SKETCH_SIDE, mnist_test, save_as_browser_png, sketch
from benchmarks.speed import call, connect, upload
from benchmarks.timing import markdown_table, milliseconds, timed_calls
from digit_recognizer.preprocess import INK_LEVEL, to_ink, to_mnist_frame
from digit_recognizer.reading import NOT_A_DIGIT
from digit_recognizer.recognizer import DigitRecognizer
from tests.handwriting import Pendigits, compose_number, load_pendigits, on_canvas, pendigit
from tests.renderings import FORMS, render

STYLES = {"separated": False, "touching": True}  # style → digits touching
NUMBER_CANVASES = ("transparent", "white", "photo")
SPEED_CALLS, SPEED_SECONDS = 300, 15.0


@dataclass
class NumbersResult:
    numbers: int
    singles: int
    seed: int
    # (style, canvas) → (naive, read, each digit framed alone: the most any way of finding the digits could read)
    exact: dict[tuple[str, str], tuple[float, float, float]] = field(default_factory=dict)
    single: dict[str, tuple[float, ...]] = field(default_factory=dict)  # canvas → (predict, read, split, rejected)
    forms: dict[str, tuple[float, ...]] = field(default_factory=dict)  # MNIST form → (predict, read, rejected)
    speed: dict[str, list[float]] = field(default_factory=dict)  # "4 digits" / "1 digit" / "REST" → seconds per read


def number_image(data: Pendigits, touching: bool, canvas: str, rng: np.random.Generator):
    """A 2–6 digit number by one random writer, on a canvas of at least 400×600 px, and its text."""
    image, number, _ = composed_image(data, touching, canvas, rng)
    return image, number.text


def composed_image(data: Pendigits, touching: bool, canvas: str, rng: np.random.Generator):
    """`number_image`'s draws: the image, the ComposedNumber, and where its ink starts (left, top) in the image."""
    number = compose_number(data, int(rng.integers(1, 31)), int(rng.integers(2, 7)), rng, touching=touching,
                            margin=int(rng.integers(20, 120)))
    height, width = number.ink.shape
    top, left = int(rng.integers(0, max(1, 400 - height) + 1)), int(rng.integers(0, max(1, 600 - width) + 1))
    ink = np.pad(number.ink, ((top, max(0, 400 - height - top)), (left, max(0, 600 - width - left))))
    return on_canvas(ink, canvas, rng), number, (left, top)


def naive_read(recognizer: DigitRecognizer, image) -> str:
    """The baseline: cut the ink at blank columns, read each run of columns as one digit."""
    ink = to_ink(image)
    columns = ink.max(axis=0) > INK_LEVEL * max(float(ink.max()), 1e-6)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], columns.astype(np.int8), [0]])))
    frames = [to_mnist_frame(ink[:, start:end]) for start, end in zip(edges[::2], edges[1::2])]
    frames = [frame for frame in frames if frame is not None]
    if not frames:
        return ""
    return "".join(str(label) for label in recognizer.probabilities(np.stack(frames)).argmax(axis=1))


def each_digit_alone(recognizer: DigitRecognizer, number) -> str:
    """The number as the model reads its digits when each is framed alone from its own ink, as `predict` frames a
    lone digit, every one taken at its top guess: what a perfect finder of digits would read with this model."""
    frames = np.stack([to_mnist_frame(number.digit_ink(position)) for position in range(len(number.text))])
    return "".join(str(label) for label in recognizer.logits(frames).argmax(axis=1))


def run_numbers(numbers: int = 300, singles: int = 1000, seed: int = 0, digits: int = 300) -> NumbersResult:
    recognizer, data = DigitRecognizer.load(), load_pendigits()
    result = NumbersResult(numbers, singles, seed)
    for style_number, (style, touching) in enumerate(STYLES.items()):
        for canvas_number, canvas in enumerate(NUMBER_CANVASES):
            rng = np.random.default_rng([seed, style_number, canvas_number])
            cases = [composed_image(data, touching, canvas, rng)[:2] for _ in range(numbers)]
            result.exact[style, canvas] = (
                np.mean([naive_read(recognizer, image) == number.text for image, number in cases]),
                np.mean([recognizer.read(image).text == number.text for image, number in cases]),
                np.mean([each_digit_alone(recognizer, number) == number.text for _, number in cases]))
    for canvas_number, canvas in enumerate(NUMBER_CANVASES):
        rng = np.random.default_rng([seed, 10, canvas_number])
        chosen = rng.choice(len(data.labels), size=singles, replace=False)
        images = [pendigit(data.strokes(int(index)), canvas, rng) for index in chosen]
        truth = [str(data.labels[index]) for index in chosen]
        predicted = [_top(recognizer.predict(image)) for image in images]
        readings = [recognizer.read(image) for image in images]
        read = [reading.text for reading in readings]
        result.single[canvas] = (np.mean([p == t for p, t in zip(predicted, truth)]),
                                 np.mean([r == t for r, t in zip(read, truth)]), np.mean([len(r) >= 2 for r in read]),
                                 np.mean([_rejected(reading) for reading in readings]))
    images, labels = mnist_test()
    chosen = np.random.default_rng(seed).choice(len(images), size=digits, replace=False)
    for number, form in enumerate(FORMS):  # the same renderings as benchmarks/accuracy.py
        rng = np.random.default_rng([seed, number])
        inputs = [render(images[index], form, rng) for index in chosen]
        truth = [str(labels[index]) for index in chosen]
        readings = [recognizer.read(item) for item in inputs]
        result.forms[form] = (np.mean([_top(recognizer.predict(item)) == t for item, t in zip(inputs, truth)]),
                              np.mean([reading.text == t for reading, t in zip(readings, truth)]),
                              np.mean([_rejected(reading) for reading in readings]))
    result.speed = speed(recognizer, data, images)
    return result


def _rejected(reading) -> bool:
    """Whether the reading holds no digit but a mark the model said is not a digit."""
    return not reading.digits and any(mark.kind == NOT_A_DIGIT for mark in reading.marks)


def _top(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.get) if probabilities else ""


def four_digit_sketch(data: Pendigits) -> np.ndarray:
    """An 800×800 RGBA Sketchpad layer holding a 4-digit number by writer 1 (digits 150 px tall, gaps)."""
    rng = np.random.default_rng(0)
    number = compose_number(data, 1, 4, rng, height=150, shape=(SKETCH_SIDE, SKETCH_SIDE))
    return on_canvas(number.ink, "transparent", rng)


def speed(recognizer: DigitRecognizer, data: Pendigits, images: np.ndarray) -> dict[str, list[float]]:
    """Seconds per `read` of the 4-digit and the 1-digit sketch, and per `predict` of the 1-digit one."""
    timings = {}
    four, one = four_digit_sketch(data), sketch(images)
    for name, call_once in (("4 digits", lambda: recognizer.read(four)), ("1 digit", lambda: recognizer.read(one)),
                            ("predict", lambda: recognizer.predict(one))):
        call_once()  # the first call of a batch size traces it
        timings[name] = timed_calls(call_once, SPEED_CALLS, SPEED_SECONDS)
    return timings


def rest_latency(data: Pendigits, url: str | None = None) -> list[float]:
    """Seconds per REST round trip of `read` (call + result stream) of the 4-digit sketch uploaded once
    as a PNG, on one keep-alive connection; starts app.py on a free port unless `url` is given."""
    with tempfile.TemporaryDirectory() as folder, server.app_at(url) as (app_url, _):
        path = save_as_browser_png(four_digit_sketch(data), Path(folder) / "number.png")
        connection = connect(app_url)
        server_path = upload(connection, path)
        call(connection, "read", server_path, False)  # warm up
        durations = timed_calls(lambda: call(connection, "read", server_path, False), SPEED_CALLS, SPEED_SECONDS)
        connection.close()
    return durations


def numbers_rows(result: NumbersResult) -> list[list[str]]:
    """Rows (benchmark, result, target) for README's table (benchmarks/report.py)."""
    rows = []
    for (style, canvas), (naive, ours, alone) in result.exact.items():
        target = "≥ 90 %" if style == "separated" else "≥ 75 %"
        rows.append([f"exact number, {style} digits, {canvas} ({result.numbers} numbers of 2–6 pendigits digits)",
                     f"blank-column split {naive:.0%} → **read {ours:.0%}** (each digit framed alone: {alone:.0%})",
                     target])
    for canvas, (predict, read, split, rejected) in result.single.items():
        rows.append([f"single pendigits digits, {canvas} ({result.singles}): `predict` vs `read`, read as 2+ digits",
                     f"{predict:.1%} vs **{read:.1%}** ({rejected:.1%} not a digit), {split:.1%} split",
                     "within 0.5 pt, split ≤ 0.5 %"])
    for form, (predict, read, rejected) in result.forms.items():
        rows.append([f"`read` on `{form}` inputs (MNIST test digits, as benchmarks/accuracy.py)",
                     f"predict {predict:.1%} vs **read {read:.1%}** ({rejected:.1%} not a digit)", "within 0.5 pt"])
    for name, durations in result.speed.items():
        if name == "predict":
            continue  # (shown beside read's 1 digit)
        if name == "REST":
            rows.append(["REST round trip, `POST /gradio_api/call/read` + result stream, the 4-digit sketch as PNG "
                         "uploaded once, keep-alive", f"p50 {milliseconds(durations, 50):.1f} ms, "
                         f"p99 {milliseconds(durations, 99):.1f} ms", ""])
            continue
        target = "p50 ≤ 6 ms" if name == "4 digits" else "p50 ≤ 3 ms"
        beside = f" (`predict` p50 {milliseconds(result.speed['predict'], 50):.1f} ms)" if name == "1 digit" else ""
        rows.append([f"in-process latency, `DigitRecognizer.read`, 800×800 RGBA sketch, {name}",
                     f"**p50 {milliseconds(durations, 50):.1f} ms**, p99 {milliseconds(durations, 99):.1f} ms{beside}",
                     target])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=300, help="numbers per style and canvas (default 300)")
    parser.add_argument("--singles", type=int, default=1000, help="single pendigits digits per canvas (default 1000)")
    parser.add_argument("--digits", type=int, default=300, help="MNIST test digits per form (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="which numbers and renderings (default 0)")
    parser.add_argument("--rest", action="store_true", help="also time `read` over REST (starts app.py)")
    parser.add_argument("--url", help="a running app for --rest (default: start app.py on a free port)")
    arguments = parser.parse_args()
    result = run_numbers(arguments.numbers, arguments.singles, arguments.seed, arguments.digits)
    if arguments.rest or arguments.url:
        result.speed["REST"] = rest_latency(load_pendigits(), arguments.url)
    print(markdown_table(["benchmark", "result", "target"], numbers_rows(result)))


if __name__ == "__main__":
    main()
