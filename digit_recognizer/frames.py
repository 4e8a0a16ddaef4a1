"""Finds boxes round the writing (a cheque's amount box, a form's field, a frame drawn round a number), so that
the reader leaves them out: framed whole with the digits inside, a number in a box reads as one drawing that is
not a digit. A box is a connected stroke round at least one other, whose ink hugs the edges of its own bounding
box on all four sides.
"""
from __future__ import annotations

import cv2
import numpy as np

from digit_recognizer.preprocess import INK_LEVEL, Box

FRAME_BAND = 0.12  # a box's ink lies within this share of its shorter side (at least 2 px) of its edges...
FRAME_INK = 0.9  # ...this share of it at least...
FRAME_SIDE = 0.6  # ...and each of its four sides has ink along this share of its length at least
MIN_FRAME_SIDE = 10  # px: a smaller stroke is no box round writing


def without_frames(ink: np.ndarray) -> tuple[np.ndarray, tuple, list[Box]]:
    """`ink` without the boxes round its writing, its strokes (cv2.connectedComponentsWithStats of its ink above
    INK_LEVEL of its strongest) and the boxes' boxes (x, y, width, height, in `ink`'s pixels)."""
    components = _strokes(ink)
    found = frame_labels(components[1], components[2])
    if not found:
        return ink, components, []
    boxes = [tuple(int(value) for value in components[2][label, :4]) for label in found]
    ink = ink * ~np.isin(components[1], found)
    return ink, _strokes(ink), boxes


def _strokes(ink: np.ndarray) -> tuple:
    return cv2.connectedComponentsWithStats((ink > INK_LEVEL * float(ink.max())).astype(np.uint8), connectivity=8)


def frame_labels(labels: np.ndarray, stats: np.ndarray) -> list[int]:
    """The components (of cv2.connectedComponentsWithStats: `labels`, `stats`) that are boxes round others."""
    found = []
    for label in range(1, len(stats)):
        x, y, width, height, area = (int(value) for value in stats[label, :5])
        if min(width, height) < MIN_FRAME_SIDE or area > width * height / 2 or not _round_another(
                stats, label, x, y, width, height):
            continue
        mask = labels[y : y + height, x : x + width] == label
        band = max(2, int(FRAME_BAND * min(width, height)))
        rows, columns = np.nonzero(mask)
        near = (rows < band) | (rows >= height - band) | (columns < band) | (columns >= width - band)
        sides = (mask[:band].any(axis=0), mask[-band:].any(axis=0), mask[:, :band].any(axis=1), mask[:, -band:].any(axis=1))
        if near.mean() >= FRAME_INK and min(side.mean() for side in sides) >= FRAME_SIDE:
            found.append(label)
    return found


def _round_another(stats: np.ndarray, label: int, x: int, y: int, width: int, height: int) -> bool:
    """Whether another component lies wholly inside the box of component `label`."""
    others = np.delete(np.arange(1, len(stats)), label - 1)
    if others.size == 0:
        return False
    left, top, widths, heights = (stats[others, index] for index in range(4))
    return bool(np.any((left > x) & (top > y) & (left + widths < x + width) & (top + heights < y + height)))
