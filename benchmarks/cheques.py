"""Numbers written as on a cheque: photos of numbers composed from one pendigits writer's digits, plain, in a box
(a cheque's amount box), over a line that the digits touch (level, or turned up to 3°, as a photo is taken a little
askew), in a box with such a line across it, after a printed "$", and in a box after a printed "$" (the $ outside the
box, as on a cheque). Prints one table: the share read exactly by `read`.

    python benchmarks/cheques.py                  # 100 numbers per style, seed 0
    python benchmarks/cheques.py --numbers 30 --seed 1

Data: $PENDIGITS_PATH (default ../shared/data/pendigits_train.npz).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.timing import markdown_table
from digit_recognizer.recognizer import DigitRecognizer
from tests.handwriting import (after_a_cheque_dollar, after_a_dollar, compose_number, load_pendigits, on_canvas, with_box,
                               with_line_under)

STYLES = ("plain", "in a box", "over a level line", "over a line turned up to 3°", "in a box, over a line across it",
          "after a printed $", "in a box, after a printed $")


def cheque_ink(ink: np.ndarray, style: str, brush: float, rng: np.random.Generator) -> np.ndarray:
    """A number's ink (60 px margins) as `style` puts it on a cheque."""
    height = ink.shape[0]
    depth = (height - 60 + rng.uniform(-0.02, 0.1) * (height - 120)) / height  # at the digits' feet, or a little above
    if style == "in a box":
        return with_box(ink, max(2, int(0.6 * brush)))[0]
    if style == "over a level line":
        return with_line_under(ink, max(2, int(0.6 * brush)), depth)
    if style == "over a line turned up to 3°":
        return with_line_under(ink, max(2, int(0.6 * brush)), depth, rng.uniform(-3, 3))
    if style == "in a box, over a line across it":  # (the line meets the box's sides: one stroke with it)
        return with_box(with_line_under(ink, max(2, int(0.6 * brush)), depth), max(2, int(0.6 * brush)), 8)[0]
    if style == "after a printed $":
        return after_a_dollar(ink, height - 120, max(2, int(brush)))
    if style == "in a box, after a printed $":  # (a cheque's $ is printed outside its amount box)
        return after_a_cheque_dollar(with_box(ink, max(2, int(0.6 * brush)))[0], brush)
    return ink


def run(numbers: int, seed: int) -> dict[str, float]:
    recognizer, data = DigitRecognizer.load(), load_pendigits()
    read = {}
    for number, style in enumerate(STYLES):
        rng = np.random.default_rng([seed, number])
        right = 0
        for _ in range(numbers):
            composed = compose_number(data, int(rng.integers(1, 31)), int(rng.integers(2, 6)), rng, margin=60)
            image = on_canvas(cheque_ink(composed.ink, style, composed.brush, rng), "photo", rng)
            right += recognizer.read(image).text == composed.text
        read[style] = right / numbers
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=100, help="numbers per style (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    read = run(arguments.numbers, arguments.seed)
    print(markdown_table(["2–5 digit numbers, photographed", "read exactly"],
                         [[style, f"{share:.0%}"] for style, share in read.items()]))
    print(f"\n{arguments.numbers} numbers per style, seed {arguments.seed}, gaps between the digits.")


if __name__ == "__main__":
    main()
