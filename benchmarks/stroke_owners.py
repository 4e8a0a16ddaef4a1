"""An exploration for touching numbers, not used by `read`: pieces cut by stroke instead of by column.

`read` cuts a wide mark into pieces between (bent) columns. Touching digits that reach over each other (a 7's bar
over the next digit, a 4's crossbar through it) have no column that parts them. Here each pixel of ink gets an owner
instead: the stroke whose skeleton is nearest, where a stroke is a run of the skeleton between junctions, joined
through crossings (four arms: the two straightest pairs go on through). The strokes, in order of their mean column,
are cut between any two; a piece is every stroke between two such cuts. Prints, per canvas, the share of numbers
read exactly by `read`, by the best path of stroke pieces (scored as `read` scores pieces: reader.PIECE_WEIGHTS),
by whichever of the two paths scores higher, by a choice between them fitted on other numbers (a logistic regression
on the paths' scores and lengths and how sure `read` is), by that choice only where `read` reads some digit (where it
reads none, the image may be a drawing that is no digit: choosing there turns away few of them), and by either (the
most a perfect choice could read); and
how often a right path exists (every digit a well-placed piece read right, as benchmarks/touching.py judges it)
among column pieces, stroke pieces, or either. The strokes come from the canvas's ink, as `read` finds it.

    python benchmarks/stroke_owners.py          # 100 touching numbers per canvas and seed: fit 203 204, measure 201 202
    python benchmarks/stroke_owners.py --numbers 30 --seeds 201 --fit-seeds 205
    python benchmarks/stroke_owners.py --separated     # the same choice on numbers with gaps: does it cost them?
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np

from benchmarks.read_numbers import NUMBER_CANVASES, composed_image
from benchmarks.timing import markdown_table
from benchmarks.touching import (
    WELL_PLACED_BOX, WELL_PLACED_FRAME, _right_path, box_overlap, diagnose, digit_truth, frame_overlap,
)
from digit_recognizer.pixels import to_pixels
from digit_recognizer.preprocess import INK_LEVEL, _frame, _read_ink
from digit_recognizer.cuts import Piece
from digit_recognizer.reader import MEDIAN_WIDTH, PIECE_WEIGHTS, best_paths, candidates, piece_features, seen
from digit_recognizer.reading import DIGIT
from digit_recognizer.segment import Group, Layout
from digit_recognizer.recognizer import DigitRecognizer
from tests.handwriting import load_pendigits

SEEDS = (201, 202)
SKELETON_HEIGHT = 60  # px: the number's ink is read at about this height
PRUNE = 1.0  # every end of the skeleton is cut back by this many stroke widths (a thick stroke's skeleton has spurs)
ARM_REACH = 7  # px: an arm's direction out of a crossing, from its skeleton within this distance of it
STRAIGHT = -0.6  # two arms of a crossing are one stroke when the cosine of their directions is below this
MAX_STROKES = 40  # a number with more strokes is not cut by stroke
MAX_GROUP = 8  # strokes in one piece at most
MAX_WIDTH = 1.6  # a piece of several strokes wider than this (times its height) is no digit
MIN_INK = 0.04  # a piece with less than this share of the ink is no digit (as cuts.MIN_PIECE_INK)


def thinned(mask: np.ndarray) -> np.ndarray:
    """The skeleton of a 0/1 image (Zhang and Suen, 1984): uint8, 1 on the skeleton."""
    image = np.pad(mask.astype(np.uint8), 1)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p2, p3, p4 = image[:-2, 1:-1], image[:-2, 2:], image[1:-1, 2:]
            p5, p6, p7 = image[2:, 2:], image[2:, 1:-1], image[2:, :-2]
            p8, p9 = image[1:-1, :-2], image[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            count = sum(ring[:8])
            rises = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.uint8) for i in range(8))
            clear = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0) if step == 0 else (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            removed = (image[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (rises == 1) & clear
            if removed.any():
                image[1:-1, 1:-1][removed] = 0
                changed = True
    return image[1:-1, 1:-1]


def _neighbours(skeleton: np.ndarray) -> np.ndarray:
    return cv2.filter2D(skeleton, -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT) - skeleton


def stroke_owners(ink: np.ndarray) -> np.ndarray:
    """Per pixel of `ink` (float, 1 = ink) above half, the label (≥ 1) of the stroke that owns it; -1 elsewhere."""
    mask = (ink > 0.5).astype(np.uint8)
    skeleton = thinned(mask)
    if not skeleton.any():
        return np.full(ink.shape, -1)
    width = 2 * float(np.median(cv2.distanceTransform(np.pad(mask, 1), cv2.DIST_L2, 3)[1:-1, 1:-1][skeleton == 1]))
    for _ in range(max(2, int(round(PRUNE * width)))):
        skeleton = (skeleton * ~((skeleton == 1) & (_neighbours(skeleton) <= 1))).astype(np.uint8)
    junctions = (skeleton == 1) & (_neighbours(skeleton) >= 3)
    count, crossings = cv2.connectedComponents(cv2.dilate(junctions.astype(np.uint8), np.ones((3, 3), np.uint8)) & skeleton)
    runs = ((skeleton == 1) & (crossings == 0)).astype(np.uint8)
    run_count, run_labels = cv2.connectedComponents(runs, connectivity=8)
    parent = list(range(run_count))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for crossing in range(1, count):
        for first, second in _straight_pairs(crossings == crossing, run_labels):
            parent[root(first)] = root(second)
    stroke_of_run = np.array([root(index) for index in range(run_count)])
    # Each pixel goes to its nearest skeleton pixel outside the crossings (labels number those pixels in raster order).
    _, nearest = cv2.distanceTransformWithLabels(1 - runs, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    rows, columns = np.nonzero(runs)
    owner_of_label = np.zeros(nearest.max() + 1, int)
    owner_of_label[1:len(rows) + 1] = stroke_of_run[run_labels[rows, columns]]
    return np.where(mask > 0, owner_of_label[nearest], -1)


def _straight_pairs(crossing: np.ndarray, run_labels: np.ndarray) -> list[tuple[int, int]]:
    """The runs that go on through a crossing of four arms: the pairs of arms pointing most nearly opposite ways."""
    rows, columns = np.nonzero(crossing)
    centre = np.array([rows.mean(), columns.mean()])
    near = cv2.dilate(crossing.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    directions = {}
    for run in np.unique(run_labels[near & (run_labels > 0)]):
        points = np.argwhere(run_labels == run)
        close = points[np.hypot(*(points - centre).T) <= ARM_REACH]
        if len(close):
            vector = close.mean(axis=0) - centre
            if np.linalg.norm(vector) > 0:
                directions[int(run)] = vector / np.linalg.norm(vector)
    if len(directions) != 4:
        return []
    pairs, used = [], set()
    for cosine, first, second in sorted((float(directions[a] @ directions[b]), a, b)
                                        for a in directions for b in directions if a < b):
        if cosine < STRAIGHT and not {first, second} & used:
            pairs.append((first, second))
            used |= {first, second}
    return pairs


def stroke_pieces(ink: np.ndarray, factor: int, height: int) -> Group | None:
    """The ink (read at 1/`factor` of the number's pixels, where it is `height` px tall) as one digit mark whose
    pieces are made of the strokes between two cuts, the strokes in order of their mean column (a cut between any
    two); None when there are no strokes or too many."""
    owners = stroke_owners(ink)
    labels = [label for label in np.unique(owners) if label > 0]
    if not labels or len(labels) > MAX_STROKES:
        return None
    columns = np.broadcast_to(np.arange(ink.shape[1]), ink.shape)
    labels.sort(key=lambda label: columns[owners == label].mean())
    found = []
    for start in range(len(labels)):
        for end in range(start + 1, min(len(labels), start + MAX_GROUP) + 1):
            part = ink * np.isin(owners, labels[start:end])
            if part.sum() < MIN_INK * ink.sum():
                continue
            rows, cols = np.flatnonzero(part.max(axis=1) > INK_LEVEL), np.flatnonzero(part.max(axis=0) > INK_LEVEL)
            box = (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))
            if end - start > 1 and box[2] > MAX_WIDTH * box[3]:
                continue
            scaled = tuple(value * factor for value in box)
            found.append(Piece(start, end, scaled, _frame(part, box), scaled[2] / height))
    return Group(DIGIT, (0, 0, ink.shape[1] * factor, ink.shape[0] * factor), len(labels) + 1, tuple(found))


def stroke_read(recognizer: DigitRecognizer, number, ink: np.ndarray | None = None,
                offset: tuple[int, int] = (0, 0)) -> tuple[str, float, bool]:
    """The number read along its best path of stroke pieces, that path's score, and whether a right path exists;
    the strokes from `ink` (where the number's ink starts at `offset`), else the number's clean ink."""
    ink = number.ink if ink is None else ink
    rows = np.flatnonzero(ink.max(axis=1) > 0.5)
    height = rows[-1] - rows[0] + 1
    factor = max(1, int(round(height / SKELETON_HEIGHT)))
    small = cv2.resize(ink, (ink.shape[1] // factor, ink.shape[0] // factor), interpolation=cv2.INTER_AREA)
    mark = stroke_pieces(small / max(float(small.max()), 1e-6), factor, height)
    if mark is None or not mark.pieces:
        return "", -np.inf, False
    pieces, layout = mark.pieces, Layout((mark,))
    logits = recognizer.logits(np.stack([piece.frame for piece in pieces]))
    digit = recognizer.is_digit(logits)
    widths = np.array([piece.width for piece in pieces])
    top = logits.max(axis=1)
    median = MEDIAN_WIDTH[logits.argmax(axis=1)]
    empty = np.zeros(len(pieces))
    features = np.stack([np.clip(top, -5, 25), -np.log(np.exp(logits - top[:, None]).sum(axis=1)), widths,
                         np.maximum(0, widths - median), np.maximum(0, median - widths), empty, empty + 1, empty, empty,
                         ~digit], axis=1)  # as reader.piece_features: no ink crossed, never a lone mark unsplit
    score = features @ PIECE_WEIGHTS
    truths = [digit_truth(number, position, offset) for position in range(len(number.text))]
    good = [{row for row, piece in enumerate(pieces) if str(logits[row].argmax()) == label
             and box_overlap(piece.box, truth_box) >= WELL_PLACED_BOX
             and frame_overlap(piece.frame, truth_frame) >= WELL_PLACED_FRAME}
            for (truth_box, truth_frame), label in zip(truths, number.text)]
    (path,) = best_paths(layout, score)
    if not path:
        return "", -np.inf, _right_path(layout, good)
    text = "".join(str(int(logits[row].argmax())) for row in path if digit[row])
    return text, float(sum(score[row] for row in path)), _right_path(layout, good)


def column_score(recognizer: DigitRecognizer, image) -> float:
    """The score of the path of column pieces `read` reads a number along (all its marks' finer paths)."""
    layout, pieces, count = candidates(image)
    if not pieces:
        return -np.inf
    logits = recognizer.logits(np.stack([piece.frame for piece in pieces]))
    item = seen(recognizer, layout, pieces, count, logits)
    score = piece_features(layout, pieces[:count], logits[:count], item.digit[:count]) @ PIECE_WEIGHTS
    return float(sum(score[row] for rows in item.finer for row in rows))


COLUMNS = ("numbers", "`read`", "stroke path", "higher-scoring path", "fitted choice",
           "fitted choice where `read` reads digits", "either (perfect choice)",
           "right path: columns", "strokes", "either")
FIT_SEEDS = (203, 204)  # the numbers the choice between the two paths is fitted on (touching.py's next seeds)
FIT_STEPS, FIT_RATE, FIT_DECAY = 5000, 0.1, 1e-3  # logistic regression by gradient descent


def canvas_ink(image) -> np.ndarray:
    """The ink of an input image as `read` finds it (full size; 1 = ink)."""
    ink = _read_ink(to_pixels(image), 1)
    return ink / max(float(ink.max()), 1e-6)


def records(recognizer: DigitRecognizer, data, numbers: int, seeds, touching: bool = True) -> list[dict]:
    """Per touching number (touching.py's, per canvas and seed; or with gaps): what `read` and the stroke path make
    of it."""
    found = []
    for canvas_number, canvas in enumerate(NUMBER_CANVASES):
        for seed in seeds:
            rng = np.random.default_rng([seed, int(touching), canvas_number])  # touching.py's numbers (style 1)
            for _ in range(numbers):
                image, number, offset = composed_image(data, touching, canvas, rng)
                _, read_text, column_path, _ = diagnose(recognizer, image, number, offset)
                text, score, stroke_path = stroke_read(recognizer, number, canvas_ink(image), offset)
                sure = [max(mark.probabilities.values()) for mark in recognizer.read(image).digits] or [0.0]
                found.append({"canvas": canvas, "truth": number.text, "read": read_text, "stroke": text,
                              "read_score": column_score(recognizer, image), "stroke_score": score,
                              "least_sure": min(sure), "mean_sure": float(np.mean(sure)),
                              "column_path": column_path, "stroke_path": stroke_path})
    return found


def choice_features(record: dict) -> np.ndarray:
    """What the fitted choice weighs: the two paths' scores and lengths, and how sure `read` is of its digits."""
    stroke_score, read_score = (max(record[key], -100.0) for key in ("stroke_score", "read_score"))
    strokes, read = len(record["stroke"]), len(record["read"])
    return np.array([stroke_score - read_score, strokes - read, record["least_sure"], record["mean_sure"],
                     stroke_score / max(strokes, 1) - read_score / max(read, 1), float(strokes == 0)])


def fitted_choice(fitting: list[dict]):
    """A logistic regression telling, from choice_features, whether the stroke path reads a number right where `read`
    does not, fitted on the numbers where exactly one of the two is right; returns the choice (record → bool)."""
    useful = [record for record in fitting if (record["stroke"] == record["truth"]) != (record["read"] == record["truth"])]
    features = np.stack([choice_features(record) for record in useful])
    mean, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    inputs = np.column_stack([(features - mean) / spread, np.ones(len(useful))])
    wanted = np.array([record["stroke"] == record["truth"] for record in useful], float)
    weights = np.zeros(inputs.shape[1])
    for _ in range(FIT_STEPS):
        weights -= FIT_RATE * (inputs.T @ (1 / (1 + np.exp(-inputs @ weights)) - wanted) / len(useful) + FIT_DECAY * weights)
    return lambda record: float(np.append((choice_features(record) - mean) / spread, 1.0) @ weights) > 0


def table_rows(measured: list[dict], choose) -> list[list[str]]:
    """Per canvas and in all: the share of numbers each way of reading reads exactly (COLUMNS' order), and how often a
    right path exists."""
    readings = (lambda record: record["read"], lambda record: record["stroke"],
                lambda record: record["stroke"] if record["stroke_score"] > record["read_score"] else record["read"],
                lambda record: record["stroke"] if choose(record) else record["read"],
                lambda record: record["stroke"] if choose(record) and record["read"] else record["read"])
    rows = []
    for canvas in (*NUMBER_CANVASES, "all"):
        chosen = [record for record in measured if canvas in ("all", record["canvas"])]
        shares = [*(np.mean([reading(record) == record["truth"] for record in chosen]) for reading in readings),
                  np.mean([record["truth"] in (record["read"], record["stroke"]) for record in chosen]),
                  np.mean([record["column_path"] for record in chosen]), np.mean([record["stroke_path"] for record in chosen]),
                  np.mean([record["column_path"] or record["stroke_path"] for record in chosen])]
        rows.append([canvas, str(len(chosen)), *(f"{share:.1%}" for share in shares)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=100, help="numbers per canvas and seed (default 100)")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="default 201 202")
    parser.add_argument("--fit-seeds", type=int, nargs="+", default=list(FIT_SEEDS), help="default 203 204")
    parser.add_argument("--separated", action="store_true",
                        help="measure on numbers with gaps (the choice still fitted on touching ones)")
    arguments = parser.parse_args()
    recognizer, data = DigitRecognizer.load(), load_pendigits()
    choose = fitted_choice(records(recognizer, data, arguments.numbers, arguments.fit_seeds))
    measured = records(recognizer, data, arguments.numbers, arguments.seeds, not arguments.separated)
    print(markdown_table(["canvas", *COLUMNS], table_rows(measured, choose)))


if __name__ == "__main__":
    main()
