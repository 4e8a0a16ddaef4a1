"""An experiment, not shipped: would a per-class bias added to the logits (the bias of "vector scaling", Guo et
al., 2017), fitted beside the temperature, read other writers' digits better, and at what cost to MNIST's?

The model's misreadings of the pendigits writers are few kinds (flagged 1s read as 7, 9s with a curled tail as 3,
crossed 7s as 2, open 4s as 6): the writers' styles, which MNIST's writers seldom use. Ten biases fitted by
negative log-likelihood on digits the model never trained on (the MNIST training digits the notebook holds out
and the pendigits writers 1–15, as the temperature is fitted) shift the prior towards those styles. Prints one
table: accuracy at the top guess, with the saved temperature alone and with the bias, on pendigits writers 16–30
and optdigits (drawn on canvases, framed whole), the MNIST test split, every MNIST form of tests/renderings.py,
and numbers read by `read` as benchmarks/read_numbers.py composes them (all writers, and writers 16–30 only), and
numbers of MNIST test digits (benchmarks/inputs.mnist_number: MNIST's writers), with gaps and touching.

    python benchmarks/class_prior.py                          # ~9 min
    python benchmarks/class_prior.py --digits 300 --numbers 50
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks import rejection
from benchmarks.inputs import MNIST_PATH, framed, mnist_number, mnist_test
from benchmarks.read_numbers import NUMBER_CANVASES, STYLES, composed_image
from benchmarks.timing import markdown_table
from digit_recognizer.recognizer import DigitRecognizer, softmax
from tests.handwriting import load_pendigits
from tests.renderings import FORMS, render

HELD_OUT = 5000  # the notebook's VALIDATION_SIZE: the last training digits, never trained on
FIT_WRITERS = 15  # the notebook's TEMPERATURE_WRITERS
STEPS, STEP_SIZE = 2000, 2.0  # gradient descent on the mean negative log-likelihood (convex in the bias)


class Biased(DigitRecognizer):
    """The recognizer with `bias` added to its tempered logits before the softmax (when `on`)."""

    def __init__(self, recognizer: DigitRecognizer, bias: np.ndarray) -> None:
        self.__dict__.update(recognizer.__dict__)
        self.bias, self.on = bias, False

    def calibrated(self, logits, factor=1.0):
        tempered = np.asarray(logits, np.float64) / (self.temperature * factor)
        return softmax(tempered + self.bias if self.on else tempered)


def fitted_bias(logits: np.ndarray, labels: np.ndarray, temperature: float) -> np.ndarray:
    """The per-class bias (mean zero) that minimises the negative log-likelihood of `labels` under
    softmax(logits / temperature + bias)."""
    tempered, truth, bias = logits / temperature, np.eye(10)[labels], np.zeros(10)
    for _ in range(STEPS):
        bias -= STEP_SIZE * (softmax(tempered + bias) - truth).mean(axis=0)
    return bias - bias.mean()


def guesses(logits: np.ndarray, temperature: float, bias: np.ndarray | float = 0.0) -> np.ndarray:
    """The top guess of each row of `logits`, tempered, with `bias` added."""
    return (logits / temperature + bias).argmax(axis=1)


def real_digits(recognizer, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name → (logits, labels): every pendigits digit, writers 1–15 (fitting) and 16–30 apart, and every optdigits
    digit, each on a random canvas, drawn as benchmarks/rejection.py draws its real digits."""
    fitting = rejection.real_digits(None, seed, range(1, FIT_WRITERS + 1))["pendigits"]  # (its optdigits never drawn)
    others = rejection.real_digits(None, seed, range(FIT_WRITERS + 1, 31))
    sets = {}
    for name, (images, labels) in (("pendigits, writers 1–15", fitting), ("pendigits, writers 16–30", others["pendigits"]),
                                   ("optdigits", others["optdigits"])):
        frames, kept = framed(images)
        sets[name] = recognizer.logits(frames), np.asarray(labels)[kept].astype(int)
    return sets


def mnist_sets(recognizer, digits: int, rng) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name → (logits, labels): the held-out training digits, the test split as is, and each form of it."""
    with np.load(MNIST_PATH) as data:
        held_out, held_labels = data["x_train"][-HELD_OUT:], data["y_train"][-HELD_OUT:]
    test, test_labels = mnist_test()
    sets = {"MNIST held out": (recognizer.logits(held_out / 255.0), held_labels.astype(int)),
            "MNIST test (10,000 as is)": (recognizer.logits(test / 255.0), test_labels.astype(int))}
    chosen = rng.choice(len(test), size=digits, replace=False)
    for form in FORMS:
        frames, kept = framed(render(test[index], form, rng) for index in chosen)
        sets[f"MNIST test, `{form}`"] = recognizer.logits(frames), test_labels[chosen][kept].astype(int)
    return sets


def read_both_ways(recognizer: Biased, image, text: str) -> list[bool]:
    """Whether `read` reads `image` as `text`, without the bias and with it."""
    exact = []
    for recognizer.on in (False, True):
        exact.append(recognizer.read(image).text == text)
    return exact


def numbers_read(recognizer: Biased, count: int, seed: int) -> dict[str, tuple[float, float, int]]:
    """"style, writers" → (exact without the bias, exact with it, numbers): read_numbers.py's numbers (seed 0 is its
    own), all of them and those by writers 16–30 only."""
    data, counts = load_pendigits(), {}
    for style_number, (style, touching) in enumerate(STYLES.items()):
        for canvas_number, canvas in enumerate(NUMBER_CANVASES):
            rng = np.random.default_rng([seed, style_number, canvas_number])
            for _ in range(count):
                image, number, _ = composed_image(data, touching, canvas, rng)
                exact = read_both_ways(recognizer, image, number.text)
                keys = [f"{style}, all writers"] + ([f"{style}, writers 16–30"] if number.writer > FIT_WRITERS else [])
                for key in keys:
                    counts[key] = [total + value for total, value in zip(counts.get(key, [0, 0, 0]), [*exact, 1])]
    return {key: (plain / total, biased / total, total) for key, (plain, biased, total) in counts.items()}


def mnist_numbers_read(recognizer: Biased, count: int, seed: int) -> dict[str, tuple[float, float, int]]:
    """"style" → (exact without the bias, exact with it, numbers): numbers of MNIST test digits, `count` per style and
    canvas of read_numbers.py."""
    images, labels = mnist_test()
    counts = {}
    for style_number, (style, touching) in enumerate(STYLES.items()):
        for canvas_number, canvas in enumerate(NUMBER_CANVASES):
            rng = np.random.default_rng([seed, 77, style_number, canvas_number])
            for _ in range(count):
                image, text = mnist_number(images, labels, canvas, touching, rng)
                exact = read_both_ways(recognizer, image, text)
                counts[style] = [total + value for total, value in zip(counts.get(style, [0, 0, 0]), [*exact, 1])]
    return {f"{style}, MNIST digits": (plain / total, biased / total, total)
            for style, (plain, biased, total) in counts.items()}


def confusions(sets, temperature: float, bias: np.ndarray, shown: int = 6) -> str:
    """The commonest misreadings (true → read) of the digits of `sets`, with the temperature alone and with the bias."""
    logits, labels = (np.concatenate(parts) for parts in zip(*sets.values()))
    lines = []
    for name, shift in (("temperature alone", 0.0), ("with the class bias", bias)):
        read = guesses(logits, temperature, shift)
        pairs = Counter(zip(labels[read != labels].tolist(), read[read != labels].tolist()))
        lines.append(f"pendigits misread, {name}: {int((read != labels).sum())} of {len(labels):,}; commonest: "
                     + ", ".join(f"{true}→{got} {count}" for (true, got), count in pairs.most_common(shown)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits", type=int, default=1500, help="MNIST test digits per form (default 1500)")
    parser.add_argument("--numbers", type=int, default=300, help="numbers per style and canvas (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="numbers as read_numbers.py's seed (default 0)")
    arguments = parser.parse_args()
    recognizer, rng = DigitRecognizer.load(), np.random.default_rng(arguments.seed + 1)
    sets = {**real_digits(recognizer, arguments.seed), **mnist_sets(recognizer, arguments.digits, rng)}
    fit = ["MNIST held out", "pendigits, writers 1–15"]
    bias = fitted_bias(np.concatenate([sets[name][0] for name in fit]), np.concatenate([sets[name][1] for name in fit]),
                       recognizer.temperature)
    biased = Biased(recognizer, bias)
    rows = []
    for name, (logits, labels) in sets.items():
        plain = np.mean(guesses(logits, recognizer.temperature) == labels)
        shifted = np.mean(guesses(logits, recognizer.temperature, bias) == labels)
        rows.append([name + (" (fits the bias)" if name in fit else ""), f"{len(labels):,}", f"{plain:.2%}",
                     f"**{shifted:.2%}**", f"{100 * (shifted - plain):+.2f}"])
    numbers = {**numbers_read(biased, arguments.numbers, arguments.seed),
               **mnist_numbers_read(biased, arguments.numbers, arguments.seed)}
    for key, (plain, shifted, total) in numbers.items():
        rows.append([f"numbers read exactly, {key}", f"{total:,}", f"{plain:.1%}", f"**{shifted:.1%}**",
                     f"{100 * (shifted - plain):+.1f}"])
    print("class bias (added to logits / T, T = %.3f):" % recognizer.temperature,
          " ".join(f"{digit}: {value:+.2f}" for digit, value in enumerate(bias)))
    print(confusions({name: sets[name] for name in sets if name.startswith("pendigits")}, recognizer.temperature, bias))
    print(markdown_table(["digits", "count", "temperature alone", "with the class bias", "points"], rows))


if __name__ == "__main__":
    main()
