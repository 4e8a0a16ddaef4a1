"""Tells a drawing from a number: after the reader has chosen how to cut each mark, decides which marks are
drawings (a doodle, a letter, a symbol) rather than digits, so that a drawing is not read as digits piece by
piece. (Issue 9; today the model's energy alone decides, piece by piece.)
"""
from __future__ import annotations

import numpy as np

from digit_recognizer.cuts import Piece
from digit_recognizer.segment import Layout


def judged(layout: Layout, pieces: list[Piece], logits: np.ndarray, chosen: list[list[int]],
           digit: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """The pieces kept for each mark (rows of `pieces`/`logits`, as reader.chosen_pieces gives them) and, per
    row, whether it reads as a digit (`digit`: the recognizer's energy test)."""
    return chosen, digit
