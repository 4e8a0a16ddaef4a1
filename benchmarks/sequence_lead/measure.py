"""What the sequence reader (train.py) adds to `read`, measured as benchmarks/read_numbers.py and rejection.py
measure: each digit mark `read` finds is also read whole as a strip, and a mark's digits are taken from the sequence
reader when a gate allows it. Prints one table.

Gates, per mark, when the sequence reader reads two or more digits in it with a greedy path of log-probability at
least --sure: "A" where `read` read two or more digits in the mark (it cut the mark), "B" where `read` turned the
mark away whole as not a digit, "C" where `read` read it as one digit.

    python -m benchmarks.sequence_lead.measure --model /tmp/sequence.keras                 # seed 0, 100 per canvas
    python -m benchmarks.sequence_lead.measure --model /tmp/sequence.keras --seed 203 --numbers 60
"""
from __future__ import annotations

import argparse
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.read_numbers import NUMBER_CANVASES, STYLES, composed_image
from benchmarks.sequence_lead.strips import strip
from benchmarks.timing import markdown_table
from digit_recognizer.preprocess import to_ink
from digit_recognizer.reading import DIGIT, NOT_A_DIGIT
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.segment import find_marks
from tests.handwriting import load_pendigits, pendigit
from tests.nondigits import CATEGORIES, drawings

GATES = ("A", "AB", "ABC")


def sequence_text(logits: np.ndarray) -> tuple[str, float]:
    """Greedy CTC decoding of one strip's (columns, 11) logits: the digits and the path's log-probability."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    best, digits, previous = logits.argmax(axis=-1), [], 0
    for symbol in best:
        if symbol not in (0, previous):
            digits.append(str(symbol - 1))
        previous = symbol
    return "".join(digits), float(log_probabilities.max(axis=-1).sum())


def marks_read(recognizer: DigitRecognizer, model, image) -> tuple[str, list[tuple[str, bool, str, float]]]:
    """`read`'s text, and per digit mark (left to right): `read`'s digits in it, whether `read` turned it away, and
    the sequence reader's digits and sureness."""
    reading = recognizer.read(image)
    groups = [group for group in find_marks(image).groups if group.kind == DIGIT]
    if not groups:
        return reading.text, []
    ink, boxes = to_ink(image), [group.box for group in groups]
    strips = np.stack([strip(ink[y:y + h, x:x + w]) for x, y, w, h in boxes])
    logits = np.asarray(model(strips[..., None], training=False))
    digits, rejected = [[] for _ in groups], [False] * len(groups)
    for mark in reading.marks:
        if mark.kind in (DIGIT, NOT_A_DIGIT):
            owner = _owner(boxes, mark.box[0] + mark.box[2] / 2)
            if mark.kind == DIGIT:
                digits[owner].append((mark.box[0], mark.label))
            else:
                rejected[owner] = True
    return reading.text, [("".join(label for _, label in sorted(found)), turned_away, *sequence_text(row))
                          for found, turned_away, row in zip(digits, rejected, logits)]


def combined(marks: list[tuple[str, bool, str, float]], gates: str, sure: float) -> str:
    text = []
    for mine, turned_away, sequence, sureness in marks:
        allowed = (("A" in gates and len(mine) >= 2) or ("B" in gates and turned_away and not mine)
                   or ("C" in gates and len(mine) == 1))
        text.append(sequence if allowed and len(sequence) >= 2 and sureness >= sure else mine)
    return "".join(text)


def _owner(boxes: list, centre: float) -> int:
    def distance(box) -> float:
        return 0.0 if box[0] <= centre <= box[0] + box[2] else 1 + min(abs(centre - box[0]), abs(centre - box[0] - box[2]))
    return min(range(len(boxes)), key=lambda index: distance(boxes[index]))


def cases(seed: int, numbers: int) -> dict[str, list[tuple[object, str]]]:
    """The benchmarks' inputs: numbers as read_numbers.py composes them (its first `numbers` per canvas), non-digit
    drawings (numbers / 2 per category) and single pendigits digits (numbers per canvas), with the text to read."""
    data, found = load_pendigits(), {}
    for number, (style, touching) in enumerate(STYLES.items()):
        found[style] = []
        for canvas_number, canvas in enumerate(NUMBER_CANVASES):
            rng = np.random.default_rng([seed, number, canvas_number])
            found[style] += [(image, composed.text) for image, composed, _ in
                             (composed_image(data, touching, canvas, rng) for _ in range(numbers))]
    rng = np.random.default_rng([seed, 0])
    found["not a digit (rejected)"] = [(image, "") for category in CATEGORIES for _, image in drawings(numbers // 2, rng, (category,))]
    rng = np.random.default_rng([seed, 10])
    chosen = rng.choice(len(data.labels), size=len(NUMBER_CANVASES) * numbers, replace=False)
    found["single digits"] = [(pendigit(data.strokes(int(index)), NUMBER_CANVASES[position % 3], rng), str(data.labels[index]))
                              for position, index in enumerate(chosen)]
    return found


def main() -> None:
    import keras

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="the sequence reader train.py saved")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--numbers", type=int, default=100, help="numbers per canvas and style (default 100)")
    parser.add_argument("--sure", type=float, nargs="+", default=[-math.inf, -1.5, -0.7],
                        help="floors on the sequence's greedy log-probability (default: none, -1.5, -0.7)")
    args = parser.parse_args()
    recognizer, model = DigitRecognizer.load(), keras.models.load_model(args.model)
    settings = [(gates, sure) for gates in GATES for sure in args.sure]
    rows = []
    for name, inputs in cases(args.seed, args.numbers).items():
        readings = [(marks_read(recognizer, model, image), truth) for image, truth in inputs]
        right = [np.mean([combined(marks, gates, sure) == truth for (_, marks), truth in readings]) for gates, sure in settings]
        rows.append([name, str(len(inputs)), f"{np.mean([text == truth for (text, _), truth in readings]):.1%}",
                     *(f"{value:.1%}" for value in right)])
    print(markdown_table(["inputs", "count", "read"] + [f"+ sequence {gates}, sure ≥ {sure:g}" if math.isfinite(sure) else f"+ sequence {gates}"
                                                        for gates, sure in settings], rows))


if __name__ == "__main__":
    main()
