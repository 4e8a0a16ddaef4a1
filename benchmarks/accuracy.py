"""Accuracy on MNIST test digits drawn as users' inputs (each form of tests/renderings.py): the seeds' recipe
against ours, with the same model; and the shipped model's accuracy on the MNIST test split itself. Prints one table.

    python benchmarks/accuracy.py                   # 300 test digits per form, seed 0
    python benchmarks/accuracy.py --digits 1000 --seed 1
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

from benchmarks.inputs import mnist_test
from benchmarks.seeds import seeds_frame
from benchmarks.timing import markdown_table
from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.recognizer import DigitRecognizer
from tests.renderings import FORMS, render

MNIST_BATCH = 1000  # test images per model call when scoring the whole split (bounded memory)


@dataclass
class AccuracyResult:
    digits: int
    seed: int
    per_form: dict[str, tuple[float, float]]  # form → (seeds' recipe, ours)
    mnist_test: float
    mnist_test_size: int


def accuracy(recognizer: DigitRecognizer, frames: list[np.ndarray | None], labels: np.ndarray) -> float:
    """Share of frames read as their label, in one model call; no frame (no ink found) counts as wrong."""
    found = np.array([frame is not None for frame in frames])
    batch = np.stack([np.zeros((28, 28), np.float32) if frame is None else frame for frame in frames])
    predicted = recognizer.probabilities(batch).argmax(axis=1)
    return float(np.mean((predicted == labels) & found))


def mnist_test_accuracy(recognizer: DigitRecognizer, images: np.ndarray, labels: np.ndarray) -> float:
    """The model on the MNIST test split as is (already 28×28 frames): no preprocessing of ours involved."""
    predicted = np.concatenate([recognizer.probabilities(images[start : start + MNIST_BATCH] / 255.0).argmax(axis=1)
                                for start in range(0, len(images), MNIST_BATCH)])
    return float(np.mean(predicted == labels))


def run_accuracy(digits: int = 300, seed: int = 0) -> AccuracyResult:
    images, labels = mnist_test()
    recognizer = DigitRecognizer.load()
    chosen = np.random.default_rng(seed).choice(len(images), size=digits, replace=False)
    per_form = {}
    for number, form in enumerate(FORMS):
        rng = np.random.default_rng([seed, number])  # each form its own fixed stream: adding a form changes no other
        inputs = [render(images[index], form, rng) for index in chosen]
        per_form[form] = (accuracy(recognizer, [seeds_frame(item) for item in inputs], labels[chosen]),
                          accuracy(recognizer, [to_mnist_frame(item) for item in inputs], labels[chosen]))
    return AccuracyResult(digits, seed, per_form, mnist_test_accuracy(recognizer, images, labels), len(images))


def accuracy_table(result: AccuracyResult) -> str:
    rows = [[form, f"{seeds:.1%}", f"{ours:.1%}"] for form, (seeds, ours) in result.per_form.items()]
    rows.append([f"MNIST test split as is ({result.mnist_test_size:,} digits)", "", f"{result.mnist_test:.2%}"])
    headers = [f"accuracy, {result.digits} MNIST test digits per form (seed {result.seed})", "seeds' recipe", "ours"]
    return markdown_table(headers, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits", type=int, default=300, help="MNIST test digits per form (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="which digits and renderings (default 0)")
    arguments = parser.parse_args()
    print(accuracy_table(run_accuracy(arguments.digits, arguments.seed)))


if __name__ == "__main__":
    main()
