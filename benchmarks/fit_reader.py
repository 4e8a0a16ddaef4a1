"""Fits reader.py's piece scoring (PIECE_WEIGHTS, MEDIAN_WIDTH) for exact reading, on numbers and single
digits drawn on seeds 101–103: the benchmark (benchmarks/read_numbers.py) draws its own on seed 0, and the
MNIST forms here use MNIST's training split (the benchmark uses the test split). Prints what it fits, as lines
to paste into reader.py (and web/reader.js), and a table of exact readings before and after.

    python benchmarks/fit_reader.py                        # seeds 101 102 103; ~4 min on one core
    python benchmarks/fit_reader.py --numbers 10 --singles 20 --forms 5 --rounds 1    # a quick look

Cases: 2–6 digit numbers by one pendigits writer, with gaps and touching, on transparent / white / photo
canvases (as the benchmark composes them); single pendigits digits on the same canvases; MNIST digits in every
form of tests/renderings.py. Each case is segmented once and all its pieces go through the model in big
batches (the slow part); then coordinate ascent and random moves over the weights, each step re-reading every
case as `read` does on the cached logits (reader.both_paths, drawings.judged); then MEDIAN_WIDTH from the
numbers read exactly, and the weights once more. The objective: the share read exactly, numbers and single
digits counted alike, minus SPLIT_COST for each single digit read as two or more. Starts from reader.py's
weights, so a re-run after retraining moves them only where exact readings improve.
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

from benchmarks.inputs import MNIST_PATH
from benchmarks.read_numbers import NUMBER_CANVASES, STYLES, number_image
from benchmarks.timing import markdown_table
from digit_recognizer import reader
from digit_recognizer.cuts import Piece
from digit_recognizer.drawings import judged
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.segment import Layout
from tests.handwriting import load_pendigits, pendigit
from tests.renderings import FORMS, render

SEEDS = (101, 102, 103)
SPLIT_COST = 3.0  # a single digit read as two costs this many exact readings
BATCH = 2048  # frames per model call while caching


@dataclass
class Case:
    """One drawn input, segmented and read by the model once: what `chosen_pieces` needs, and the truth."""

    kind: str  # "separated", "touching", "single" (pendigits) or "mnist"
    truth: str
    layout: Layout
    pieces: list[Piece]  # every mark's pieces in turn, then what drawings.whole_drawing adds (as read() does)
    count: int  # the marks' own pieces
    logits: np.ndarray | None = None
    digit: np.ndarray | None = None
    features: np.ndarray | None = None


def drawn_cases(seeds, numbers: int, singles: int, forms: int) -> list[tuple[str, str, object]]:
    """(kind, truth, image) of every case, deterministic given the seeds."""
    data = load_pendigits()
    with np.load(MNIST_PATH) as mnist:
        train_images, train_labels = mnist["x_train"], mnist["y_train"]
    drawn = []
    for seed in seeds:
        for style_number, (style, touching) in enumerate(STYLES.items()):
            for canvas_number, canvas in enumerate(NUMBER_CANVASES):
                rng = np.random.default_rng([seed, style_number, canvas_number])
                drawn += [(style, text, image) for image, text in
                          (number_image(data, touching, canvas, rng) for _ in range(numbers))]
        for canvas_number, canvas in enumerate(NUMBER_CANVASES):
            rng = np.random.default_rng([seed, 10, canvas_number])
            for index in rng.choice(len(data.labels), size=singles, replace=False):
                drawn.append(("single", str(data.labels[index]), pendigit(data.strokes(int(index)), canvas, rng)))
        for number, form in enumerate(FORMS):
            rng = np.random.default_rng([seed, 20 + number])
            for index in rng.choice(len(train_images), size=forms, replace=False):
                drawn.append(("mnist", str(train_labels[index]), render(train_images[index], form, rng)))
    return drawn


def segmented(recognizer: DigitRecognizer, drawn) -> list[Case]:
    """Every case segmented, and all pieces read by the model in batches of BATCH."""
    cases = []
    for kind, truth, image in drawn:
        cases.append(Case(kind, truth, *reader.candidates(image)))
    frames = [piece.frame for case in cases for piece in case.pieces]
    logits = np.concatenate([recognizer.logits(np.stack(frames[start:start + BATCH]))
                             for start in range(0, len(frames), BATCH)]) if frames else np.zeros((0, 10))
    start = 0
    for case in cases:
        case.logits = logits[start:start + len(case.pieces)]
        case.digit = reader.reads_as_digit(recognizer, case.logits)
        start += len(case.pieces)
    return cases


def with_features(cases: list[Case]) -> None:
    """Each case's piece features (they depend on reader.MEDIAN_WIDTH)."""
    for case in cases:
        if case.pieces:
            case.features = reader.piece_features(case.layout, case.pieces[:case.count], case.logits[:case.count],
                                                  case.digit[:case.count])


def text_read(case: Case, weights: np.ndarray) -> str:
    """What `read` says for the case with these weights: the digits of the chosen pieces, left to right."""
    if not case.pieces:
        return ""
    chosen, finer = best_cuts(case, weights)
    _, chosen, digit = judged(case.layout, case.pieces, case.logits, chosen, case.digit, finer=finer)
    return "".join(str(int(case.logits[row].argmax())) for rows in chosen for row in rows if digit[row])


def best_cuts(case: Case, weights: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """reader.chosen_pieces on the case's cached features."""
    return reader.both_paths(case.layout, case.pieces[:case.count], case.features @ weights)


def scores(cases: list[Case], weights: np.ndarray) -> dict[str, float]:
    """Share read exactly per kind of case, and the share of single digits read as two or more."""
    right: dict[str, list[bool]] = {}
    split = []
    for case in cases:
        text = text_read(case, weights)
        right.setdefault(case.kind, []).append(text == case.truth)
        if case.kind in ("single", "mnist"):
            split.append(len(text) >= 2)
    result = {kind: float(np.mean(values)) for kind, values in right.items()}
    result["single split"] = float(np.mean(split)) if split else 0.0
    return result


def objective(result: dict[str, float], counts: dict[str, int]) -> float:
    exact = sum(result[kind] * count for kind, count in counts.items())
    return exact - SPLIT_COST * result["single split"] * (counts.get("single", 0) + counts.get("mnist", 0))


def coordinate_ascent(cases: list[Case], weights: np.ndarray, rounds: int) -> np.ndarray:
    """Each weight in turn moved to the best of ±1/2, 1, 2 or 4 steps while exact readings improve (the
    step halving each round)."""
    counts = {kind: sum(case.kind == kind for case in cases) for kind in {case.kind for case in cases}}
    best = objective(scores(cases, weights), counts)
    steps = np.maximum(np.abs(weights) * 0.5, 0.5)
    for round_number in range(rounds):
        for k in range(len(weights)):
            while True:
                trials = [weights + np.eye(len(weights))[k] * steps[k] * move
                          for move in (0.5, 1, 2, 4, -0.5, -1, -2, -4)]
                values = [objective(scores(cases, trial), counts) for trial in trials]
                if max(values) <= best:
                    break
                weights, best = trials[int(np.argmax(values))], max(values)
        steps = steps / 2
        print(f"round {round_number + 1}: objective {best:.1f} of {sum(counts.values())}, weights "
              f"{np.round(weights, 3).tolist()}", flush=True)
    return weights


def random_moves(cases: list[Case], weights: np.ndarray, trials: int, seed: int = 0) -> np.ndarray:
    """All weights moved at once at random (by up to about half of each, or 0.5), kept when exact readings
    improve: out of the corners coordinate ascent gets stuck in."""
    counts = {kind: sum(case.kind == kind for case in cases) for kind in {case.kind for case in cases}}
    best, rng = objective(scores(cases, weights), counts), np.random.default_rng(seed)
    for _ in range(trials):
        trial = weights + rng.normal(size=len(weights)) * np.maximum(np.abs(weights) * 0.25, 0.25)
        value = objective(scores(cases, trial), counts)
        if value > best:
            weights, best = trial, value
    print(f"{trials} random moves: objective {best:.1f}, weights {np.round(weights, 3).tolist()}", flush=True)
    return weights


def median_widths(cases: list[Case], weights: np.ndarray) -> np.ndarray:
    """Per digit, the median width/height of the pieces of numbers read exactly (reader.MEDIAN_WIDTH)."""
    widths: dict[int, list[float]] = {digit: [] for digit in range(10)}
    for case in cases:
        if case.kind in ("separated", "touching") and text_read(case, weights) == case.truth:
            for row in (row for rows in best_cuts(case, weights)[1] for row in rows):  # (the finer paths)
                widths[int(case.logits[row].argmax())].append(case.pieces[row].width)
    return np.array([round(float(np.median(w)), 2) if w else reader.MEDIAN_WIDTH[d] for d, w in widths.items()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--numbers", type=int, default=30, help="numbers per style, canvas and seed (default 30)")
    parser.add_argument("--singles", type=int, default=50, help="pendigits digits per canvas and seed (default 50)")
    parser.add_argument("--forms", type=int, default=15, help="MNIST digits per form and seed (default 15)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of coordinate ascent (default 3)")
    parser.add_argument("--trials", type=int, default=150, help="random moves after it (default 150)")
    arguments = parser.parse_args()
    if set(arguments.seeds) & {0}:
        raise SystemExit("seed 0 is the benchmark's: fit on other seeds")
    recognizer = DigitRecognizer.load()
    cases = segmented(recognizer, drawn_cases(arguments.seeds, arguments.numbers, arguments.singles, arguments.forms))
    print(f"{len(cases)} cases, {sum(len(case.pieces) for case in cases)} pieces", flush=True)
    with_features(cases)
    before = scores(cases, reader.PIECE_WEIGHTS)
    weights = coordinate_ascent(cases, reader.PIECE_WEIGHTS.astype(float), arguments.rounds)
    weights = random_moves(cases, weights, arguments.trials)
    reader.MEDIAN_WIDTH = median_widths(cases, weights)  # then the weights again, with the new widths
    with_features(cases)
    weights = coordinate_ascent(cases, weights, max(1, arguments.rounds // 2))
    after = scores(cases, weights)
    print(markdown_table(["cases (seeds " + " ".join(map(str, arguments.seeds)) + ")", "before", "after"],
                         [[kind, f"{before[kind]:.1%}", f"{after[kind]:.1%}"] for kind in before]))
    print(f"PIECE_WEIGHTS = np.array({np.round(weights, 3).tolist()})")
    print(f"MEDIAN_WIDTH = np.array({reader.MEDIAN_WIDTH.tolist()})")


if __name__ == "__main__":
    main()
