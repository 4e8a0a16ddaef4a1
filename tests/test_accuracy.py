"""How often the trained model reads realistic renderings of MNIST test digits, per form of input:
the naive recipe (drop alpha, grey, squash to 28×28, invert) against `to_mnist_frame`.

`pytest tests/test_accuracy.py -s` prints the table.
"""
from pathlib import Path

import numpy as np
import pytest

from benchmarks.accuracy import accuracy
from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.recognizer import DigitRecognizer
from renderings import FORMS, naive, render

MODEL_PATH = Path(__file__).resolve().parent.parent / "cnn_model_v2.h5"
DIGITS = 300
SEED = 0
# Every form measured 98.0 % (thick) to 99.7 % with the shipped cnn_model_v2.h5 at DIGITS and SEED (the README's
# benchmark table; the first model, before outlier exposure, 97.7–99.7 %); the margin allows for a retrained model.
MIN_ACCURACY = 0.98


@pytest.fixture(scope="module")
def model() -> DigitRecognizer:
    return DigitRecognizer.load(MODEL_PATH)


@pytest.fixture(scope="module")
def accuracies(model, mnist_test) -> dict[str, tuple[float, float]]:
    images, labels = mnist_test[0][:DIGITS], mnist_test[1][:DIGITS]
    table = {}
    for form in FORMS:
        rng = np.random.default_rng(SEED)
        inputs = [render(image, form, rng) for image in images]
        table[form] = (accuracy(model, [naive(item) for item in inputs], labels),
                       accuracy(model, [to_mnist_frame(item) for item in inputs], labels))
    print(f"\n{'form':<12} {'naive':>7} {'to_mnist_frame':>15}   ({DIGITS} MNIST test digits, seed {SEED})")
    for form, (naive_accuracy, our_accuracy) in table.items():
        print(f"{form:<12} {naive_accuracy:>7.1%} {our_accuracy:>15.1%}")
    return table


@pytest.mark.parametrize("form", FORMS)
def test_model_reads_every_form_as_well_as_mnist(form, accuracies):
    naive_accuracy, our_accuracy = accuracies[form]
    assert our_accuracy >= MIN_ACCURACY
    assert our_accuracy > naive_accuracy
