"""Reads a whole image: segment.py finds the marks and proposes cuts, the model reads every candidate
digit in one batched call, and the cut the model is most sure of is kept.
"""
from __future__ import annotations

import numpy as np

from digit_recognizer.reading import DIGIT, NOT_A_DIGIT, Mark, Reading
from digit_recognizer.segment import Group, find_marks

DIGITS = [str(digit) for digit in range(10)]
# How likely a candidate piece is one whole digit (not part of one, nor two), from what the model
# made of it and its shape: a logistic model fitted on pieces of numbers composed from pendigits
# writers (tests/handwriting.py, seed 50, 300 numbers, separate from the benchmark's). Features:
# top logit, log of the top softmax probability, width/height, and how much wider or narrower the
# piece is than the read digit's median width/height.
PIECE_WEIGHTS = np.array([0.257, -0.316, 1.225, -5.416, -3.714, -3.597])
MEDIAN_WIDTH = np.array([0.83, 0.36, 0.76, 0.63, 0.59, 0.75, 0.6, 0.73, 0.59, 0.65])  # per digit, same pieces


def read(recognizer, image, explain: bool = False) -> Reading:
    """Every mark in `image`, left to right: digits with their probabilities and frames, dots and dashes."""
    layout = find_marks(image)
    if layout.message:
        return Reading(message=layout.message)
    pieces = [piece for group in layout.groups for piece in group.pieces]
    if not pieces:
        return Reading(tuple(Mark(group.kind, group.box) for group in layout.groups if group.kind != DIGIT))
    logits = recognizer.logits(np.stack([piece.frame for piece in pieces]))
    probabilities = recognizer.calibrated(logits)
    digit = recognizer.is_digit(logits)
    likelihood = _log_likelihoods(logits, np.array([piece.width for piece in pieces]))
    marks, index = [], 0
    for group in layout.groups:
        rows = range(index, index + len(group.pieces))
        index += len(group.pieces)
        if group.kind != DIGIT:
            marks.append(Mark(group.kind, group.box))
            continue
        for row in _best_cut(group, {(pieces[row].start, pieces[row].end): row for row in rows}, likelihood):
            kind = DIGIT if digit[row] else NOT_A_DIGIT
            marks.append(Mark(kind, pieces[row].box, dict(zip(DIGITS, probabilities[row].tolist())), pieces[row].frame))
    if explain:
        marks = _with_heatmaps(recognizer, marks)
    return Reading(tuple(marks))


def _log_likelihoods(logits: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """log P(the piece is one whole digit) for each candidate piece (PIECE_WEIGHTS)."""
    top = logits.max(axis=1)
    log_top = -np.log(np.exp(logits - top[:, None]).sum(axis=1))
    median = MEDIAN_WIDTH[logits.argmax(axis=1)]
    features = np.stack([np.clip(top, -5, 25), log_top, widths, np.maximum(0, widths - median),
                         np.maximum(0, median - widths), np.ones(len(widths))], axis=1)
    return -np.logaddexp(0, -features @ PIECE_WEIGHTS)


def _best_cut(group: Group, rows: dict[tuple[int, int], int], likelihood: np.ndarray) -> list[int]:
    """The rows of the pieces that read the mark best: the path of pieces from its left edge to its
    right edge with the highest total log-likelihood (dynamic programming over cut positions)."""
    best: list[tuple[float, list[int]] | None] = [None] * group.cuts
    best[0] = (0.0, [])
    for end in range(1, group.cuts):
        for start in range(end):
            row = rows.get((start, end))
            if row is None or best[start] is None:
                continue
            score = best[start][0] + float(likelihood[row])
            if best[end] is None or score > best[end][0]:
                best[end] = (score, best[start][1] + [row])
    return best[-1][1] if best[-1] is not None else []


def _with_heatmaps(recognizer, marks: list[Mark]) -> list[Mark]:
    from digit_recognizer.explain import heatmaps

    read_marks = [mark for mark in marks if mark.frame is not None]
    if not read_marks:
        return marks
    maps = heatmaps(recognizer, np.stack([mark.frame for mark in read_marks]),
                    np.array([int(mark.label) for mark in read_marks]))
    by_mark = {id(mark): heatmap for mark, heatmap in zip(read_marks, maps)}
    return [Mark(m.kind, m.box, m.probabilities, m.frame, by_mark.get(id(m))) for m in marks]
