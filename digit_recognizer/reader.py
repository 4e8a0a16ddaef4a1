"""Reads a whole image: segment.py finds the marks (cuts.py proposes how to cut wide ones), the model
reads every candidate digit in one batched call, and the cut that reads best is kept.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from digit_recognizer.reading import DIGIT, NOT_A_DIGIT, Mark, Reading
from digit_recognizer.cuts import Piece
from digit_recognizer.drawings import judged, whole_drawing
from digit_recognizer.recognizer import DIGITS
from digit_recognizer.segment import Group, Layout, find_marks

# How good a candidate piece is as one whole digit (not part of one, nor two): a linear score of what the
# model made of it and of its shape (piece_features, in FEATURES' order), summed over the pieces of a reading.
# Generated: every constant below is printed by `python benchmarks/fit_reader.py` (numbers and single digits
# composed on seeds 101–103, apart from the benchmark's seed 0); re-run it after retraining the model.
FEATURES = ("top logit", "log top probability", "width", "wider than its digit", "narrower than its digit",
            "strokes its cuts cross", "1", "lone mark unsplit", "lone mark unsplit, its width", "not a digit")
PIECE_WEIGHTS = np.array([0.386, 1.61, 4.267, -4.228, 1.871, 0.319, -7.976, 6.482, -2.555, -1.097])
# Width/height of well-cut pieces, per digit.
MEDIAN_WIDTH = np.array([0.88, 0.46, 0.84, 0.68, 0.64, 0.73, 0.57, 0.64, 0.58, 0.6])
# A digit cut from a wider mark (digits that touch) is right less often than the model's confidence in it says: the
# model's temperature was fitted on whole digits. Its probabilities use this many times that temperature. Printed
# by `python benchmarks/confidence.py --fit` (numbers on seeds 101–103); re-run it after retraining the model.
CUT_TEMPERATURE = 1.846
# "Not a digit" per class: the saved energy threshold plus this for a piece's top guess, so that other writers' digits of
# each class are turned away equally often (their 4s and 1s far more often than their 3s at one threshold) and as
# often in all as at the saved threshold. Printed by `python benchmarks/fit_thresholds.py` (pendigits writers 1–15,
# the temperature's); re-run it after retraining the model.
CLASS_ENERGY_SHIFT = np.array([0.39, 0.64, -1.29, -3.64, 0.93, -3.43, 0.49, -0.31, 0.44, -1.78])


@dataclass(frozen=True)
class Seen:
    """An image as the reader sees it: its marks, every candidate piece, what the model made of each, and the
    paths of pieces that read each mark best (before drawings.judged). What `read` and the fitting and
    diagnostic scripts in benchmarks/ share."""

    layout: Layout
    pieces: list[Piece]  # every mark's pieces in turn, then the whole drawing's frame, if any
    count: int  # the marks' own pieces
    logits: np.ndarray  # a row per piece
    digit: np.ndarray  # per piece: a digit by the recognizer's energy test
    chosen: list[list[int]]  # per mark, the rows of its best path of coarse pieces; [] for dots and dashes
    finer: list[list[int]]  # per mark, the rows of its best path of all its pieces, fine cuts too


def candidates(image, drawing=whole_drawing) -> tuple[Layout, list[Piece], int]:
    """The marks of `image`, every candidate piece (each mark's in turn, then what `drawing` adds: the whole image
    framed as one, when its marks may be one drawing) and how many are the marks' own. No pieces when the image
    holds too much to read or no digit mark."""
    layout = find_marks(image)
    pieces = [piece for group in layout.groups for piece in group.pieces]
    if layout.message or not pieces:
        return layout, [], 0
    return layout, pieces + drawing(layout, image), len(pieces)


def reads_as_digit(recognizer, logits: np.ndarray) -> np.ndarray:
    """`read`'s "not a digit" test, per row of `logits`: the saved threshold shifted by CLASS_ENERGY_SHIFT."""
    return recognizer.is_digit(logits, CLASS_ENERGY_SHIFT)


def seen(recognizer, layout: Layout, pieces: list[Piece], count: int, logits: np.ndarray) -> Seen:
    """What `read` makes of `candidates`, given the model's `logits` for every piece."""
    digit = reads_as_digit(recognizer, logits)
    return Seen(layout, pieces, count, logits, digit, *chosen_pieces(layout, pieces[:count], logits[:count], digit[:count]))


def read(recognizer, image, explain: bool = False) -> Reading:
    """Every mark in `image`, left to right: digits with their probabilities and frames, dots and dashes."""
    layout, pieces, count = candidates(image)
    if layout.message:
        return Reading(message=layout.message)
    if not pieces:
        return Reading(tuple(Mark(group.kind, group.box, line=group.line) for group in layout.groups if group.kind != DIGIT))
    item = seen(recognizer, layout, pieces, count, recognizer.logits(np.stack([piece.frame for piece in pieces])))
    layout, chosen, digit = judged(layout, pieces, item.logits, item.chosen, item.digit, finer=item.finer)
    cut = cut_rows(layout, chosen, pieces, count)
    probabilities = recognizer.calibrated(item.logits, np.where(cut, CUT_TEMPERATURE, 1.0)[:, None])
    marks = []
    for group, rows in zip(layout.groups, chosen):
        if group.kind != DIGIT:
            marks.append(Mark(group.kind, group.box, line=group.line))
        for row in rows:
            kind = DIGIT if digit[row] else NOT_A_DIGIT
            marks.append(Mark(kind, pieces[row].box, dict(zip(DIGITS, probabilities[row].tolist())), pieces[row].frame,
                              line=group.line))
    if explain:
        marks = _with_heatmaps(recognizer, marks)
    return Reading(tuple(marks))


def cut_rows(layout: Layout, chosen: list[list[int]], pieces: list[Piece], count: int) -> np.ndarray:
    """Per row of `pieces`, whether it is a chosen piece cut from a wider mark (not a mark read whole): `layout`
    and `chosen` as drawings.judged gives them, `count` the marks' own pieces (then the whole drawing's frame)."""
    cut = np.zeros(len(pieces), bool)
    for group, rows in zip(layout.groups, chosen):
        for row in rows:
            cut[row] = row < count and (pieces[row].start, pieces[row].end) != (0, group.cuts - 1)
    return cut


def chosen_pieces(layout: Layout, pieces: list[Piece], logits: np.ndarray, digit: np.ndarray,
                  weights: np.ndarray = PIECE_WEIGHTS) -> tuple[list[list[int]], list[list[int]]]:
    """For each mark, the rows (of `pieces` and `logits`: every mark's pieces in turn; `digit`: whether each
    reads as a digit at all) of the pieces that read it best: among its coarse pieces, and among all of them
    (`both_paths`); [] for dots and dashes."""
    return both_paths(layout, pieces, piece_features(layout, pieces, logits, digit) @ weights)


def both_paths(layout: Layout, pieces: list[Piece], score: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """`best_paths` through the coarse pieces only (what drawings.judged judges a mark by: fine pieces make the
    strokes of a doodle read as digits), and through all pieces (what a number is read along)."""
    coarse = np.array([piece.coarse for piece in pieces], bool)
    return best_paths(layout, np.where(coarse, score, -np.inf)), best_paths(layout, score)


def best_paths(layout: Layout, score: np.ndarray) -> list[list[int]]:
    """For each mark, the rows (of `score`: one per piece of every mark in turn) of its path of pieces with the
    highest total score; [] for dots and dashes."""
    chosen, index = [], 0
    for group in layout.groups:
        rows = {(piece.start, piece.end): index + number for number, piece in enumerate(group.pieces)}
        index += len(group.pieces)
        chosen.append(_best_cut(group, rows, score) if group.kind == DIGIT else [])
    return chosen


def piece_features(layout: Layout, pieces: list[Piece], logits: np.ndarray, digit: np.ndarray) -> np.ndarray:
    """What PIECE_WEIGHTS weigh, per piece (rows of `pieces`): shape (len(pieces), len(FEATURES))."""
    widths = np.array([piece.width for piece in pieces])
    top = logits.max(axis=1)
    log_top = -np.log(np.exp(logits - top[:, None]).sum(axis=1))
    median = MEDIAN_WIDTH[logits.argmax(axis=1)]
    lone = sum(group.kind == DIGIT for group in layout.groups) == 1  # a lone mark is more likely one digit...
    unsplit = np.array([lone and (piece.start, piece.end) == (0, group.cuts - 1)
                        for group in layout.groups for piece in group.pieces], bool)
    return np.stack([np.clip(top, -5, 25), log_top, widths, np.maximum(0, widths - median),
                     np.maximum(0, median - widths), [piece.crossed for piece in pieces], np.ones(len(pieces)),
                     unsplit, unsplit * widths,  # ...unless much wider than a digit
                     ~np.asarray(digit, bool)], axis=1)


def _best_cut(group: Group, rows: dict[tuple[int, int], int], score: np.ndarray) -> list[int]:
    """The rows of the pieces that read the mark best: the path of pieces from its left edge to its
    right edge with the highest total score (dynamic programming over cut positions)."""
    best: list[tuple[float, list[int]] | None] = [None] * group.cuts
    best[0] = (0.0, [])
    for end in range(1, group.cuts):
        for start in range(end):
            row = rows.get((start, end))
            if row is None or best[start] is None:
                continue
            total = best[start][0] + float(score[row])
            if best[end] is None or total > best[end][0]:
                best[end] = (total, best[start][1] + [row])
    return best[-1][1] if best[-1] is not None else []


def _with_heatmaps(recognizer, marks: list[Mark]) -> list[Mark]:
    from digit_recognizer.explain import heatmaps

    read_marks = [mark for mark in marks if mark.frame is not None]
    if not read_marks:
        return marks
    maps = heatmaps(recognizer, np.stack([mark.frame for mark in read_marks]),
                    np.array([int(mark.label) for mark in read_marks]))
    by_mark = {id(mark): heatmap for mark, heatmap in zip(read_marks, maps)}
    return [replace(mark, heatmap=by_mark.get(id(mark))) for mark in marks]
