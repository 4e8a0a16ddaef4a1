"""Tells a drawing from a number: after the reader has chosen how to cut each mark, decides which marks are
drawings (a doodle, a letter, a symbol) rather than digits, so that a drawing is not read as digits piece by
piece (issue 9).

Two rules, each judging a drawing whole, as `predict` frames it, rather than by its pieces:
- marks whose boxes overlap heavily (a face and its eyes, a house and its door, a dot inside a loop) are one
  drawing: when every mark of the image is part of it, the whole image is framed as one (`whole_drawing`, in
  the reader's one batched model call) and, if that is not a digit, it is one "not a digit" mark;
- a mark cut into pieces (a car, a cloud) stays whole, "not a digit", when it is not a digit as a whole and
  any of its pieces is not a confident digit.

Constants: printed by `python benchmarks/fit_drawings.py` (drawings and numbers on seeds apart from the
benchmarks'); re-run it after retraining the model.
"""
from __future__ import annotations

import numpy as np

from digit_recognizer.cuts import Piece
from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.reading import DIGIT
from digit_recognizer.segment import Group, Layout

ONE_DRAWING_OVERLAP = 0.3  # two marks whose boxes share this much of the smaller box's area are one drawing
CONFIDENT_ENERGY = -12.0  # a mark that is not a digit whole is cut only into pieces at most this energy


def whole_drawing(layout: Layout, image, overlap: float = ONE_DRAWING_OVERLAP) -> list[Piece]:
    """[every mark of `image` framed as one, as `predict` frames it] when its marks may be one drawing (their
    boxes overlap); [] otherwise. The reader adds it to its one batched model call, after every mark's pieces."""
    if not one_drawing([group.box for group in layout.groups], overlap):
        return []
    frame = to_mnist_frame(image)
    if frame is None:
        return []
    boxes = np.array([group.box for group in layout.groups])
    left, top = boxes[:, :2].min(axis=0)
    right, bottom = (boxes[:, :2] + boxes[:, 2:]).max(axis=0)
    box = (int(left), int(top), int(right - left), int(bottom - top))
    return [Piece(0, 1, box, frame, box[2] / max(box[3], 1))]


def one_drawing(boxes: list, overlap: float) -> bool:
    """Whether two or more marks (`boxes`: x, y, width, height) are linked into one by boxes that share at least
    `overlap` of the smaller one's area, each to another."""
    if len(boxes) < 2:
        return False
    parent = list(range(len(boxes)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for i, first in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            if _shared_area(first, boxes[j]) >= overlap * min(first[2] * first[3], boxes[j][2] * boxes[j][3]):
                parent[root(j)] = root(i)
    return len({root(index) for index in range(len(boxes))}) == 1


def _shared_area(first, second) -> float:
    width = min(first[0] + first[2], second[0] + second[2]) - max(first[0], second[0])
    height = min(first[1] + first[3], second[1] + second[3]) - max(first[1], second[1])
    return float(max(width, 0) * max(height, 0))


def judged(layout: Layout, pieces: list[Piece], logits: np.ndarray, chosen: list[list[int]], digit: np.ndarray,
           confident: float = CONFIDENT_ENERGY) -> tuple[Layout, list[list[int]], np.ndarray]:
    """The marks (`layout`, or the whole drawing as one mark), the pieces kept for each (rows of `pieces`/`logits`,
    as reader.chosen_pieces gives them) and, per row, whether it reads as a digit (`digit`: the recognizer's
    energy test). `pieces` holds every mark's pieces in turn, then `whole_drawing`'s frame if there is one."""
    count = sum(len(group.pieces) for group in layout.groups)
    if len(pieces) > count and not digit[count]:  # the marks are one drawing, and it is not a digit
        return Layout((Group(DIGIT, pieces[count].box, 2, (pieces[count],)),)), [[count]], digit
    energy = _energy(logits)
    kept, first = [], 0
    for group, rows in zip(layout.groups, chosen):
        whole = next((first + number for number, piece in enumerate(group.pieces)
                      if (piece.start, piece.end) == (0, group.cuts - 1)), None)
        first += len(group.pieces)
        cut_doubtful = len(rows) > 1 and not all(digit[row] and energy[row] <= confident for row in rows)
        kept.append([whole] if whole is not None and cut_doubtful and not digit[whole] else rows)
    return layout, kept, digit


def _energy(logits: np.ndarray) -> np.ndarray:
    """−logsumexp of each row of logits (recognizer.energy)."""
    top = logits.max(axis=1)
    return -(top + np.log(np.exp(logits - top[:, None]).sum(axis=1)))
