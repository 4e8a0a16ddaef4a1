"""Fits reader.py's CLASS_ENERGY_SHIFT for the current model and prints it, with what it does per class. Re-run it
after retraining the model.

The notebook saves one "not a digit" threshold: the energy that turns away 1 % of its held-out MNIST digits. Other
writers' digits are not turned away evenly: their 1s, 4s and 6s (flags, open tops, other shapes than MNIST's) sit
near the threshold far more often than their 3s or 5s, while non-digit drawings read as any digit. `read` shifts the
threshold per class (the top guess), so that each class turns away the same share of real digits and the overall
share stays as it was: the thresholds are the same quantile of each class's energies, the quantile at which the
digits in all are turned away as often as at the saved threshold.

Data: every digit of pendigits writers 1–15 (the writers the notebook fits the temperature on; the benchmarks
measure the others), drawn on canvases as benchmarks/rejection.py draws them, once per seed, each framed whole as
`predict` frames it.

Then what it costs MNIST's own writers: MNIST test digits drawn in the forms of benchmarks/accuracy.py, framed
whole, turned away at the saved threshold and with the shift.

    python benchmarks/fit_thresholds.py                 # seeds 41 43; 1,000 MNIST test digits per form
    python benchmarks/fit_thresholds.py --seed 41 --forms 300 --model /path/to/cnn_model_v2.h5
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.inputs import framed, mnist_test
from benchmarks.rejection import real_digits
from benchmarks.timing import markdown_table
from digit_recognizer.recognizer import DigitRecognizer, energy
from tests.renderings import FORMS, render

FITTING_WRITERS = range(1, 16)
SEARCH_STEPS = 40  # the common quantile, found by halving [0.5, 1] this many times


def class_thresholds(energies: np.ndarray, classes: np.ndarray, threshold: float) -> np.ndarray:
    """Per class (0–9), the same quantile of the energies of the digits read as it, the quantile at which as many
    digits in all lie above their class's threshold as lie above `threshold`."""
    target, low, high = float(np.mean(energies > threshold)), 0.5, 1.0
    present = [c for c in range(10) if np.any(classes == c)]
    thresholds = np.full(10, threshold)
    for _ in range(SEARCH_STEPS):
        middle = (low + high) / 2
        thresholds[present] = [np.quantile(energies[classes == c], middle) for c in present]
        low, high = (middle, high) if np.mean(energies > thresholds[classes]) > target else (low, middle)
    thresholds[present] = [np.quantile(energies[classes == c], high) for c in present]
    return thresholds


def writers_logits(recognizer: DigitRecognizer, seeds: list[int]) -> np.ndarray:
    """The model's logits for every digit of FITTING_WRITERS, drawn once per seed and framed as `predict` frames it."""
    return recognizer.logits(np.concatenate([framed(real_digits(None, seed, FITTING_WRITERS)["pendigits"][0])[0]
                                             for seed in seeds]))


def forms_rows(recognizer: DigitRecognizer, thresholds: np.ndarray, per_form: int) -> list[list[str]]:
    """Per form (and on average), the share of `per_form` MNIST test digits drawn in it and framed whole that lie
    above the saved threshold, and above their class's threshold."""
    images, _ = mnist_test()
    rng, rows, shares = np.random.default_rng(5), [], []
    for form in FORMS:
        chosen = rng.choice(len(images), size=min(per_form, len(images)), replace=False)
        frames, _ = framed(render(images[index], form, rng) for index in chosen)
        logits = recognizer.logits(frames)
        energies = energy(logits)
        shares.append((np.mean(energies > recognizer.energy_threshold), np.mean(energies > thresholds[logits.argmax(axis=1)])))
        rows.append([form, str(len(frames)), f"{shares[-1][0]:.2%}", f"{shares[-1][1]:.2%}"])
    mean = np.mean(shares, axis=0)
    return rows + [["mean", "", f"{mean[0]:.2%}", f"{mean[1]:.2%}"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, nargs="+", default=[41, 43], help="default 41 43")
    parser.add_argument("--model", help="a model file (default: the shipped one)")
    parser.add_argument("--forms", type=int, default=1000, help="MNIST test digits per form (default 1000; 0: none)")
    arguments = parser.parse_args()
    recognizer = DigitRecognizer.load(arguments.model) if arguments.model else DigitRecognizer.load()
    if recognizer.energy_threshold is None:
        sys.exit("the model has no saved energy threshold (metrics.json): nothing to shift")
    logits = writers_logits(recognizer, arguments.seed)
    energies, classes = energy(logits), logits.argmax(axis=1)
    thresholds = class_thresholds(energies, classes, recognizer.energy_threshold)
    rows = [[str(c), str(int(np.sum(classes == c))), f"{np.mean(energies[classes == c] > recognizer.energy_threshold):.2%}",
             f"{np.mean(energies[classes == c] > thresholds[c]):.2%}", f"{thresholds[c]:.2f}"] for c in range(10)]
    rows.append(["all", str(len(energies)), f"{np.mean(energies > recognizer.energy_threshold):.2%}",
                 f"{np.mean(energies > thresholds[classes]):.2%}", f"{recognizer.energy_threshold:.2f}"])
    print(markdown_table(["top guess", "digits", "turned away at the saved threshold", "at the class's threshold",
                          "class threshold"], rows))
    shift = np.round(thresholds - recognizer.energy_threshold, 2)
    print(f"\nCLASS_ENERGY_SHIFT = np.array([{', '.join(f'{value:g}' for value in shift)}])")
    if arguments.forms:
        print("\n" + markdown_table(["MNIST test digits drawn as", "digits", "turned away at the saved threshold",
                                     "with the shift"], forms_rows(recognizer, thresholds, arguments.forms)))


if __name__ == "__main__":
    main()
