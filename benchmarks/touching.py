"""Why touching numbers are misread: for every true digit of numbers composed as benchmarks/read_numbers.py
composes its touching ones (other seeds), whether some candidate piece is well placed (its box and its frame
match the digit's own ink), whether the model reads such a piece right, and whether the chosen path used it.
Prints one table: shares of the true digits per outcome, per canvas and in all.

    python benchmarks/touching.py                     # 100 touching numbers per canvas, seeds 201–203
    python benchmarks/touching.py --numbers 30 --seeds 201 --model /path/to/cnn_model_v2.h5
    python benchmarks/touching.py --separated         # the numbers with gaps instead

Outcomes, each digit in the first that applies: "no well-placed piece" (no candidate's box overlaps the digit's
box by WELL_PLACED_BOX, intersection over union, with a frame sharing WELL_PLACED_FRAME of the ink of the digit
framed alone); "misread" (no well-placed piece reads as the digit); "not chosen" (the best path of pieces read,
through all pieces for a mark cut in two or more coarse ones, one a digit (drawings.reads_finer), does not use a
well-placed piece read right); "dropped as not a digit" (it does, but drawings.judged drops it); "read right".
"alone misread" counts digits the model misreads even framed alone.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np

from benchmarks.read_numbers import NUMBER_CANVASES, STYLES, composed_image
from benchmarks.timing import markdown_table
from digit_recognizer.drawings import _shared, judged, reads_finer
from digit_recognizer.preprocess import INK_LEVEL, _frame
from digit_recognizer.reader import candidates, seen
from digit_recognizer.reading import DIGIT
from digit_recognizer.recognizer import DigitRecognizer
from tests.handwriting import ComposedNumber, load_pendigits

SEEDS = (201, 202, 203)
WELL_PLACED_BOX = 0.65  # a piece's box over the digit's box: intersection over union
WELL_PLACED_FRAME = 0.6  # the ink two frames share over the ink either has (sum of minima over sum of maxima)...
FRAME_BLUR = 1.5  # ...both blurred this much (px of 28). (95 % of the pieces of numbers read exactly pass both.)
OUTCOMES = ("no well-placed piece", "misread", "not chosen", "dropped as not a digit", "read right")


def digit_truth(number: ComposedNumber, position: int, offset: tuple[int, int]):
    """The digit's tight box in the image's pixels and its frame, framed alone."""
    ink = number.digit_ink(position)
    rows, columns = np.flatnonzero(ink.max(axis=1) > INK_LEVEL), np.flatnonzero(ink.max(axis=0) > INK_LEVEL)
    box = (int(columns[0]), int(rows[0]), int(columns[-1] - columns[0] + 1), int(rows[-1] - rows[0] + 1))
    return (box[0] + offset[0], box[1] + offset[1], box[2], box[3]), _frame(ink, box)


def box_overlap(first, second) -> float:
    """Intersection over union of two boxes (x, y, width, height)."""
    width, height = _shared(first, second)
    shared = max(0, width) * max(0, height)
    return shared / (first[2] * first[3] + second[2] * second[3] - shared)


def frame_overlap(first: np.ndarray, second: np.ndarray) -> float:
    """The ink two frames share over the ink either has, both blurred (a pixel's shift is no mismatch)."""
    first, second = (cv2.GaussianBlur(frame, (0, 0), FRAME_BLUR) for frame in (first, second))
    return float(np.minimum(first, second).sum() / max(np.maximum(first, second).sum(), 1e-6))


def diagnose(recognizer: DigitRecognizer, image, number: ComposedNumber, offset) -> tuple[list, str, bool, int]:
    """Per true digit, its outcome (one of OUTCOMES) and whether the model misreads it framed alone; the text
    `read` gives (the same steps as reader.read); whether some path of pieces is all well placed and read right;
    and how many pieces there were."""
    layout, pieces, count = candidates(image)
    if not pieces or any(piece.frame is None for piece in pieces):
        return [(OUTCOMES[0], False)] * len(number.text), "", False, count
    truths = [digit_truth(number, position, offset) for position in range(len(number.text))]
    frames = [piece.frame for piece in pieces] + [frame for _, frame in truths]
    logits = recognizer.logits(np.stack(frames))  # the truths in the same call
    alone, item = logits[len(pieces):].argmax(axis=1), seen(recognizer, layout, pieces, count, logits[:len(pieces)])
    logits = item.logits
    path = {row for coarse, finer in zip(item.chosen, item.finer)
            for row in (finer if reads_finer(coarse, item.digit) else coarse)}
    layout, chosen, digit = judged(layout, pieces, logits, item.chosen, item.digit, finer=item.finer)
    used = {row for rows in chosen for row in rows if digit[row]}
    text = "".join(str(int(logits[row].argmax())) for rows in chosen for row in rows if digit[row])
    labels = logits.argmax(axis=1)
    outcomes, good = [], []  # good: per digit, its well-placed pieces read right
    for (box, frame), label, read_alone in zip(truths, number.text, alone):
        placed = [row for row in range(count) if box_overlap(pieces[row].box, box) >= WELL_PLACED_BOX
                  and frame_overlap(pieces[row].frame, frame) >= WELL_PLACED_FRAME]
        right = [row for row in placed if str(labels[row]) == label]
        outcome = OUTCOMES[0] if not placed else OUTCOMES[1] if not right else \
            OUTCOMES[2] if not path.intersection(right) else OUTCOMES[3] if not used.intersection(right) else OUTCOMES[4]
        outcomes.append((outcome, str(read_alone) != label))
        good.append(set(right))
    return outcomes, text, _right_path(layout, good), count


def _right_path(layout, good: list[set[int]]) -> bool:
    """Whether each mark has a path of pieces (cut to cut, edge to edge) that reads its digits, in turn, from
    well-placed pieces read right (`good`: per digit, those pieces' rows)."""
    reached, index = {0}, 0  # digits read so far, by some path
    for group in layout.groups:
        rows = {index + number: piece for number, piece in enumerate(group.pieces)}
        index += len(group.pieces)
        if group.kind != DIGIT:
            continue
        states = {(0, done) for done in reached}  # (cut, digits read)
        for cut in range(group.cuts - 1):  # cuts only go right: one pass in order
            for start, done in [state for state in states if state[0] == cut]:
                for row, piece in rows.items():
                    if piece.start == start and done < len(good) and row in good[done]:
                        states.add((piece.end, done + 1))
        reached = {done for cut, done in states if cut == group.cuts - 1}
    return len(good) in reached


def run(numbers: int, seeds, touching: bool, model: str | None):
    recognizer, data = DigitRecognizer.load(model) if model else DigitRecognizer.load(), load_pendigits()
    style_number = list(STYLES.values()).index(touching)
    counts, numbers_seen = {}, {}
    for canvas_number, canvas in enumerate(NUMBER_CANVASES):
        counts[canvas], numbers_seen[canvas] = Counter(), Counter()
        for seed in seeds:
            rng = np.random.default_rng([seed, style_number, canvas_number])
            for _ in range(numbers):
                image, number, offset = composed_image(data, touching, canvas, rng)
                outcomes, text, right_path, pieces = diagnose(recognizer, image, number, offset)
                counts[canvas].update(outcome for outcome, _ in outcomes)
                counts[canvas].update("alone misread" for _, misread in outcomes if misread)
                counts[canvas]["digits"] += len(outcomes)
                numbers_seen[canvas].update(numbers=1, exact=text == number.text, right_path=right_path,
                                            exact_with_right_path=right_path and text == number.text, pieces=pieces)
    return counts, numbers_seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=100, help="numbers per canvas and seed (default 100)")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="default 201 202 203")
    parser.add_argument("--separated", action="store_true", help="numbers with gaps instead of touching ones")
    parser.add_argument("--model", help="a model file (default: the shipped one)")
    arguments = parser.parse_args()
    counts, numbers = run(arguments.numbers, arguments.seeds, not arguments.separated, arguments.model)
    counts["all"], numbers["all"] = sum(counts.values(), Counter()), sum(numbers.values(), Counter())
    print(markdown_table(["canvas", "digits", *OUTCOMES, "alone misread", "numbers", "exact", "a right path exists",
                          "exact where one does", "pieces per number"], [table_row(canvas, counts[canvas], numbers[canvas])
                                                                          for canvas in counts]))


def table_row(canvas: str, count: Counter, numbers: Counter) -> list[str]:
    digits, total = count["digits"], numbers["numbers"]
    return [canvas, str(digits), *(f"{count[outcome] / digits:.1%}" for outcome in (*OUTCOMES, "alone misread")),
            str(total), f"{numbers['exact'] / total:.1%}", f"{numbers['right_path'] / total:.1%}",
            f"{numbers['exact_with_right_path'] / max(numbers['right_path'], 1):.1%}", f"{numbers['pieces'] / total:.0f}"]


if __name__ == "__main__":
    main()
