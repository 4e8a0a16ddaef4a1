"""Whether the confidence `read` shows for each digit of a number means what it says: of the digits read with 90 %,
are 90 % right? Numbers composed as benchmarks/read_numbers.py composes them (one pendigits writer, 2–6 digits,
with gaps or touching, on transparent / white / photo canvases). A digit read is right when its box overlaps a
true digit's box by half (intersection over union) and its label is that digit's. Prints one table: per kind of
number, the digits read, the share right, their mean confidence and the expected calibration error (15 bins), with
the reader's CUT_TEMPERATURE for digits cut from a wider mark and without it (the model's temperature for all).

    python benchmarks/confidence.py                   # seed 0 (the benchmark's), 100 numbers per kind and canvas
    python benchmarks/confidence.py --fit             # fits CUT_TEMPERATURE on seeds 101–103: a line for reader.py

--fit chooses the factor that minimises the log loss of the confidence shown (the top probability) against right
or wrong, over the digits cut from wider marks.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.read_numbers import NUMBER_CANVASES, STYLES, composed_image
from benchmarks.timing import markdown_table
from benchmarks.touching import box_overlap, digit_truth
from digit_recognizer.drawings import judged
from digit_recognizer.reader import CUT_TEMPERATURE, candidates, cut_rows, seen
from digit_recognizer.recognizer import DigitRecognizer, softmax
from tests.handwriting import load_pendigits

FIT_SEEDS = (101, 102, 103)
SAME_DIGIT = 0.5  # a digit read is at a true digit's place when their boxes overlap this much (IoU)
FACTORS = np.exp(np.linspace(np.log(0.5), np.log(10.0), 400))  # the factors --fit tries


@dataclass
class ReadDigits:
    """Every digit read, over many numbers: its logits, whether it was cut from a wider mark, whether it is right."""

    style: np.ndarray
    logits: np.ndarray
    cut: np.ndarray
    right: np.ndarray

    def confidence(self, temperature: float, factor: float) -> np.ndarray:
        """The top probability `read` shows, with `factor` × `temperature` for the cut digits."""
        scale = np.where(self.cut, temperature * factor, temperature)[:, None]
        return softmax(self.logits / scale).max(axis=1)


def read_digits(recognizer: DigitRecognizer, seeds, numbers: int) -> ReadDigits:
    data, rows = load_pendigits(), []
    for seed in seeds:
        for style_number, (style, touching) in enumerate(STYLES.items()):
            for canvas_number, canvas in enumerate(NUMBER_CANVASES):
                rng = np.random.default_rng([seed, style_number, canvas_number])
                for _ in range(numbers):
                    image, number, offset = composed_image(data, touching, canvas, rng)
                    truths = [digit_truth(number, position, offset)[0] for position in range(len(number.text))]
                    rows += _digits_read(recognizer, image, truths, number.text, style_number)
    style, logits, cut, right = zip(*rows)
    return ReadDigits(np.array(style), np.array(logits), np.array(cut), np.array(right))


def _digits_read(recognizer: DigitRecognizer, image, truths: list, text: str, style: int) -> list[tuple]:
    """(style, logits, cut, right) of each digit `read` gives for `image` (the same steps as reader.read)."""
    layout, pieces, count = candidates(image)
    if not pieces:
        return []
    item = seen(recognizer, layout, pieces, count, recognizer.logits(np.stack([piece.frame for piece in pieces])))
    layout, chosen, digit = judged(layout, pieces, item.logits, item.chosen, item.digit, finer=item.finer)
    cut, found = cut_rows(layout, chosen, pieces, count), []
    for row in (row for rows in chosen for row in rows if digit[row]):
        overlaps = [box_overlap(pieces[row].box, truth) for truth in truths]
        place = int(np.argmax(overlaps))
        right = overlaps[place] >= SAME_DIGIT and int(item.logits[row].argmax()) == int(text[place])
        found.append((style, item.logits[row], bool(cut[row]), right))
    return found


def calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 15) -> float:
    """Mean |share right − mean confidence| over `bins` equal-width confidence bins, weighted by their counts."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(sum((which == index).mean() * abs(right[which == index].mean() - confidence[which == index].mean())
                     for index in np.unique(which)))


def log_loss(confidence: np.ndarray, right: np.ndarray) -> float:
    confidence = np.clip(confidence, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.where(right, np.log(confidence), np.log(1 - confidence))))


def fitted_factor(digits: ReadDigits, temperature: float) -> float:
    cut = ReadDigits(digits.style[digits.cut], digits.logits[digits.cut], digits.cut[digits.cut], digits.right[digits.cut])
    return float(FACTORS[np.argmin([log_loss(cut.confidence(temperature, factor), cut.right) for factor in FACTORS])])


def table(digits: ReadDigits, temperature: float, factor: float) -> str:
    rows = []
    for name, chosen in (*((style, digits.style == number) for number, style in enumerate(STYLES)),
                         ("all", np.ones(len(digits.right), bool))):
        for label, used in (("the model's temperature for all", 1.0), (f"cut digits at {factor:g} × it", factor)):
            confidence, right = digits.confidence(temperature, used)[chosen], digits.right[chosen]
            rows.append([name, f"{chosen.sum()} ({digits.cut[chosen].sum()} cut)", label, f"{right.mean():.1%}",
                         f"{confidence.mean():.1%}", f"{calibration_error(confidence, right):.1%}"])
    return markdown_table(["numbers", "digits read", "confidence shown", "right", "mean confidence", "ECE (15 bins)"],
                          rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=100, help="numbers per kind, canvas and seed (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fit", action="store_true", help="fit CUT_TEMPERATURE on seeds 101–103")
    arguments = parser.parse_args()
    recognizer = DigitRecognizer.load()
    digits = read_digits(recognizer, FIT_SEEDS if arguments.fit else (arguments.seed,), arguments.numbers)
    factor = fitted_factor(digits, recognizer.temperature) if arguments.fit else CUT_TEMPERATURE
    print(table(digits, recognizer.temperature, factor))
    if arguments.fit:
        print(f"\nCUT_TEMPERATURE = {factor:.3f}  # reader.py (and web/reader.js)")


if __name__ == "__main__":
    main()
