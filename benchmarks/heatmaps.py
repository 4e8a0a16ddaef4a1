"""What the page's heatmaps cost: `explain.heatmaps` alone, and `read` with and without them.

    python benchmarks/heatmaps.py [--repeats 200]

Inputs are MNIST test digits drawn on an 800×800 transparent canvas (tests/renderings.py), one
digit or four side by side; prints a table of p50 / p99 in milliseconds, and how faithful the
maps are: for 60 digits drawn with a brush, how often erasing the hottest 20 % of the ink lowers
the guess's lead over the runner-up more than erasing the coldest 20 % (by chance: 50 %).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from benchmarks import inputs  # noqa: E402
from digit_recognizer import DigitRecognizer  # noqa: E402
from digit_recognizer.explain import heatmaps  # noqa: E402
from digit_recognizer.preprocess import to_mnist_frame  # noqa: E402
from renderings import render  # noqa: E402


def percentiles(call, repeats: int) -> tuple[float, float]:
    """p50 and p99 of `call()` in milliseconds, after a few warm-up calls."""
    for _ in range(5):
        call()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def lead(recognizer, frames: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """How far each frame's label leads the runner-up, in logits."""
    logits = recognizer.logits(frames)
    rows = np.arange(len(labels))
    label_logits = logits[rows, labels].copy()
    logits[rows, labels] = -np.inf
    return label_logits - logits.max(axis=1)


def faithfulness(recognizer, frames: np.ndarray, labels: np.ndarray, share: float = 0.2) -> float:
    """Share of frames whose lead drops more when the hottest `share` of their ink is erased than the coldest."""
    maps = heatmaps(recognizer, frames, labels)
    hottest, coldest = frames.copy(), frames.copy()
    for index, (frame, heatmap) in enumerate(zip(frames, maps)):
        ink = np.flatnonzero(frame.ravel() > 0)
        by_heat = ink[np.argsort(-heatmap.ravel()[ink])]
        count = int(len(ink) * share)
        hottest[index].ravel()[by_heat[:count]] = 0
        coldest[index].ravel()[by_heat[-count:]] = 0
    before = lead(recognizer, frames, labels)
    return float(np.mean(before - lead(recognizer, hottest, labels) > before - lead(recognizer, coldest, labels)))


def number_canvas(digits: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Digits drawn side by side on one 800×800 transparent canvas."""
    canvas = np.zeros((800, 800, 4), np.uint8)
    width = 800 // len(digits)
    for index, digit in enumerate(digits):
        drawn = render(digit, "transparent", rng, shape=(800, width))
        canvas[:, index * width:(index + 1) * width] = drawn
    return canvas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    recognizer = DigitRecognizer.load()
    images, labels = inputs.mnist_test()
    rng = np.random.default_rng(0)
    one = render(images[0], "transparent", rng, shape=(800, 800))
    four = number_canvas([images[index] for index in range(1, 5)], rng)
    expected = "".join(str(label) for label in labels[1:5])
    if recognizer.read(four).text != expected:
        raise SystemExit(f"the 4-digit canvas reads {recognizer.read(four).text!r}, not {expected!r}")
    frames = np.stack([to_mnist_frame(render(images[index], "transparent", rng)) for index in range(4)])
    rows = [
        ("`heatmaps`, 1 frame", percentiles(lambda: heatmaps(recognizer, frames[:1], labels[:1]), args.repeats)),
        ("`heatmaps`, 4 frames in one call", percentiles(lambda: heatmaps(recognizer, frames, labels[:4]), args.repeats)),
        ("`read`, 1 digit, 800×800 RGBA", percentiles(lambda: recognizer.read(one), args.repeats)),
        ("`read(explain=True)`, 1 digit", percentiles(lambda: recognizer.read(one, explain=True), args.repeats)),
        ("`read`, 4 digits, 800×800 RGBA", percentiles(lambda: recognizer.read(four), args.repeats)),
        ("`read(explain=True)`, 4 digits", percentiles(lambda: recognizer.read(four, explain=True), args.repeats)),
    ]
    drawn = np.stack([to_mnist_frame(render(images[index], "sketchpad", rng)) for index in range(60)])
    faithful = faithfulness(recognizer, drawn.astype(np.float32), labels[:60].astype(np.int64))
    width = max(len(name) for name, _ in rows)
    print(f"| {'what':<{width}} | p50 ms | p99 ms |\n|{'-' * (width + 2)}|--------|--------|")
    for name, (p50, p99) in rows:
        print(f"| {name:<{width}} | {p50:6.1f} | {p99:6.1f} |")
    print(f"\nFaithfulness (60 brush-drawn digits, hottest vs coldest 20 % of the ink erased): {faithful:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
