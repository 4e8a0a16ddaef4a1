"""Proposes how to cut a mark that may hold several touching digits: evenly spaced cut positions, cuts
that bend round the strokes, and every piece between two cuts framed for the model.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digit_recognizer.preprocess import INK_LEVEL, Box, _frame, _labelled

MIN_PIECE, MAX_PIECE = 0.3, 1.15  # a piece of a split mark is this narrow to this wide (times its height):
# narrower ones, a stroke of a letter or a doodle, read as 1s (a 1 between cuts spans more than its own ink)
CUT_SPACING = 0.15  # coarse cuts are tried evenly spaced, at most this far apart (times the mark's height)...
MAX_CUTS = 16  # ...and at most this many per mark; fine cuts halve the spacing (2 × MAX_CUTS + 1 cuts at most)
CUT_REACH = 0.15  # a cut may bend this far (times the mark's height) from straight to cross less ink...
CUT_STRAYING = 0.4  # ...at this cost per row at its furthest (crossing a full pixel of ink costs 1)
STUB = 0.12  # a stroke of a cut piece with less than this share of its ink is a neighbour's stub
MIN_PIECE_INK = 0.04  # a piece with less than this share of the mark's ink is not a digit


@dataclass(frozen=True)
class Piece:
    """A candidate digit: the part of a mark between cut positions `start` and `end` (indices)."""

    start: int
    end: int
    box: Box  # in the input image's pixels
    frame: np.ndarray  # 28×28, what the model would see
    width: float  # width over the mark's height (slant removed)
    crossed: float = 0.0  # strokes its cuts cross (ink crossed over the stroke width): 0 when not cut
    coarse: bool = True  # between two coarse cuts (or edges): not cut at a fine cut


def cut_positions(width: float, height: int) -> list[float]:
    """Where to try cutting a wide mark: evenly spaced columns (slant removed), every other one a coarse cut (at
    most CUT_SPACING × height apart), a fine cut halfway between each two. Each cut then bends round the strokes
    near it (`_cut_paths`): touching digits seldom meet where the ink is thinnest, so cuts everywhere, fairly
    straight, give the model the right pieces more often. The reader judges a mark on its coarse pieces (finer
    ones make a doodle's strokes read as digits) and reads the number on all of them."""
    coarse = min(MAX_CUTS, int(width // (CUT_SPACING * height)))
    return [width * step / (2 * coarse + 2) for step in range(1, 2 * coarse + 2)] if coarse else []


def pieces(crop: np.ndarray, upright: np.ndarray, cuts: list[float], width: float, height: int,
           origin: tuple[int, int], factor: int, stroke: float) -> tuple[int, tuple[Piece, ...]]:
    """Every piece of a mark (`crop`: its ink; `upright`: each pixel's column with the slant removed,
    0 at its left edge) between two of its edges and `cuts`, from MIN_PIECE to MAX_PIECE wide, and
    the whole mark; with the number of cut positions, both edges included."""
    edges = [0.0, *cuts, width + 1]
    paths, crossings = _cut_paths(crop, upright, cuts, height)
    boundaries = [np.full(crop.shape[0], -np.inf), *paths, np.full(crop.shape[0], np.inf)]
    crossed = np.array([0.0, *crossings, 0.0]) / max(stroke, 1.0)
    found = []
    for start in range(len(edges) - 1):
        for end in range(start + 1, len(edges)):
            piece_width = (edges[end] - edges[start]) / height
            whole = start == 0 and end == len(edges) - 1
            if not whole and not MIN_PIECE <= piece_width <= MAX_PIECE:
                continue
            piece = _piece(crop, upright, boundaries[start], boundaries[end], origin, factor, whole)
            if piece is not None:
                found.append(Piece(start, end, piece[0], piece[1], piece_width, crossed[start] + crossed[end],
                                   whole or start % 2 == end % 2 == 0))
    return len(edges), tuple(found)


def _cut_paths(crop: np.ndarray, upright: np.ndarray, cuts: list[float], height: int) -> tuple[list, list]:
    """For each cut column (slant removed), the cut as a path from top to bottom that crosses as
    little ink as it can within CUT_REACH × height of the straight cut (one column per row at most):
    per row, the upright column left of which the ink goes to the left piece; and the ink each crosses."""
    if not cuts:
        return [], []
    rows, width = crop.shape
    reach = max(1, int(CUT_REACH * height))
    offsets = np.arange(-reach, reach + 1)
    shift = upright[:, 0]  # upright column of each row's first pixel
    centres = np.array(cuts)[None, :, None] + offsets[None, None, :]  # (1, cuts, offsets) upright columns
    columns = np.round(centres - shift[:, None, None]).astype(int)  # (rows, cuts, offsets) crop columns
    inside = (columns >= 0) & (columns < width)
    ink = np.where(inside, crop[np.arange(rows)[:, None, None], np.clip(columns, 0, width - 1)], 0.0)
    above = np.where(inside[1:], crop[np.arange(rows - 1)[:, None, None], np.clip(columns[1:], 0, width - 1)], 0.0)
    # A cut that moves one column between two rows parts that column's ink from the ink above it.
    passed = np.concatenate([np.zeros_like(ink[:1]), np.minimum(ink[1:], above)])
    cost = ink + CUT_STRAYING * np.abs(offsets) / reach
    total = cost[0]
    came_from = np.zeros(cost.shape, np.int8)
    options = np.full((3, len(cuts), len(offsets)), np.inf)  # from the left, straight above, from the right
    for row in range(1, rows):
        options[0, :, 1:], options[1] = total[:, :-1] + passed[row, :, 1:], total
        options[2, :, :-1] = total[:, 1:] + passed[row, :, 1:]
        came_from[row] = options.argmin(axis=0) - 1
        total = cost[row] + options.min(axis=0)
    step = total.argmin(axis=1)
    paths, crossed = np.empty((len(cuts), rows)), np.zeros(len(cuts))
    every = np.arange(len(cuts))
    for row in range(rows - 1, -1, -1):
        paths[:, row] = offsets[step]
        move = came_from[row, every, step]
        crossed += ink[row, every, step] + np.where(move != 0, passed[row, every, step + (move > 0)], 0)
        step = step + move
    return [np.array(cut) + path + 0.5 for cut, path in zip(cuts, paths)], crossed.tolist()


def _piece(crop: np.ndarray, upright: np.ndarray, start: np.ndarray, end: np.ndarray, origin: tuple[int, int],
           factor: int, whole: bool) -> tuple[Box, np.ndarray] | None:
    """The ink of a mark between two cut paths, framed, with its box in input pixels."""
    ink = crop if whole else crop * ((upright >= start[:, None]) & (upright < end[:, None]))
    if not whole and ink.sum() < MIN_PIECE_INK * crop.sum():
        return None
    if not whole:
        ink = _without_stubs(ink)
    rows, columns = np.flatnonzero(ink.max(axis=1) > INK_LEVEL), np.flatnonzero(ink.max(axis=0) > INK_LEVEL)
    if rows.size == 0:
        return None
    box = (int(columns[0]), int(rows[0]), int(columns[-1] - columns[0] + 1), int(rows[-1] - rows[0] + 1))
    x, y = origin
    return (((x + box[0]) * factor, (y + box[1]) * factor, box[2] * factor, box[3] * factor),
            _frame(ink, box))


def _without_stubs(ink: np.ndarray) -> np.ndarray:
    """A cut piece without the small bits of its neighbours the cut left in it: strokes of less than
    STUB share of the piece's ink, when a bigger stroke is there."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((ink > INK_LEVEL).astype(np.uint8), connectivity=8)
    if count <= 2:
        return ink
    area = stats[1:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(area < STUB * area.sum()) + 1
    return ink * ~_labelled(labels, small) if small.size < count - 1 else ink
