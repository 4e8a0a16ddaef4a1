"""Tells a drawing from a number: after the reader has chosen how to cut each mark, decides which marks are
drawings (a doodle, a letter, a symbol) rather than digits, so that a drawing is not read as digits piece by
piece (issue 9).

Two rules, each judging a drawing whole, as `predict` frames it, rather than by its pieces:
- marks whose boxes overlap (a sun and its rays, a dot inside a loop) are one drawing, unless two of them are
  digits side by side: when every mark of the image is part of it, the whole image is framed as one (`whole_drawing`, in
  the reader's one batched model call) and, if that is not a digit, it is one "not a digit" mark;
- a mark cut into pieces (a car, a cloud, a letter) stays whole, "not a digit", when it is not a digit as a
  whole and fewer than NUMBER_SHARE of its pieces are digits, or, for a mark about as wide as one digit or cut
  only into 1s (the strokes of a u, a w, a check mark), when any piece is not a confident digit, or, for a mark cut
  in two (a w read as 41, a smiley as 63, a % as 06), when its two pieces are not confident digits on average, the
  more so the narrower it is (two touching digits are wider than most letters).
  (A number whose digits touch is not a digit whole either: most of its pieces are, and confidently.)
  A mark is judged on its coarse pieces (cuts.py): finer ones give a doodle's strokes more ways to read as digits.
  A mark cut into coarse pieces and kept as them, one at least a digit, is then read along its best path through all
  its pieces, fine ones too.
And a digit among digits is more likely a digit: in a number (two or more pieces read), a piece counts as one up
to IN_NUMBER_ENERGY.

Constants: printed by `python benchmarks/fit_drawings.py` (drawings and numbers on seeds apart from the
benchmarks'); re-run it after retraining the model. PAIR_ENERGY and PAIR_WIDTH were fitted with `--keep-rules`, on the
others as fitted before the fine cuts: refitted with them, the full fit drops the one-drawing rule (overlap 1.01),
which turns a sun whose rays stand apart into digits (tests/test_drawings.py), for 0.3 % fewer non-digits rejected.
"""
from __future__ import annotations

import numpy as np

from digit_recognizer.cuts import Piece
from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.reading import DIGIT, FRAME
from digit_recognizer.recognizer import energy
from digit_recognizer.segment import Group, Layout

ONE_DRAWING_OVERLAP = 0.1  # marks whose boxes share more than this of the smaller box's area are one drawing...
SAME_ROW = 0.7  # ...unless two digit marks among them share this much of the taller one's rows (side by side)
NARROW = 1.1  # a mark that is not a digit whole, and narrower than this (times its height)...
CONFIDENT_ENERGY = -13.0  # ...or cut only into 1s, is cut only into digits of at most this energy (a stroke reads as 1)
NUMBER_SHARE = 0.6  # a wider mark that is not a digit whole is read as its pieces when this share of them are digits
IN_NUMBER_ENERGY = -2.0  # among two or more pieces read, one of them a digit, a piece up to this energy is a digit
PAIR_ENERGY = -16.0  # a mark that is not a digit whole and is cut in two is cut into pieces of at most this mean energy...
PAIR_WIDTH = 10.0  # ...plus this much per height its width is beyond one height, less below (two digits are wide)


def whole_drawing(layout: Layout, image) -> list[Piece]:
    """[every mark of `image` framed as one, as `predict` frames it] when its marks may be one drawing (their
    boxes overlap); [] otherwise. The reader adds it to its one batched model call, after every mark's pieces."""
    if any(group.kind == FRAME for group in layout.groups):  # (framed whole, the box would be in the frame)
        return []
    return as_one(layout, image) if one_drawing(layout.groups, ONE_DRAWING_OVERLAP, SAME_ROW) else []


def as_one(layout: Layout, image) -> list[Piece]:
    """[every mark of `image` framed as one, as `predict` frames it, with the box round them all], or []."""
    frame = to_mnist_frame(image)
    if frame is None:
        return []
    boxes = np.array([group.box for group in layout.groups])
    left, top = boxes[:, :2].min(axis=0)
    right, bottom = (boxes[:, :2] + boxes[:, 2:]).max(axis=0)
    box = (int(left), int(top), int(right - left), int(bottom - top))
    return [Piece(0, 1, box, frame, box[2] / max(box[3], 1))]


def one_drawing(groups: tuple[Group, ...], overlap: float, same_row: float) -> bool:
    """Whether two or more marks are one drawing: each linked to another by boxes sharing more than `overlap` of
    the smaller one's area, and no two digit marks side by side (sharing `same_row` of the taller one's rows): that
    is a number, whatever overlaps it."""
    if len(groups) < 2:
        return False
    digits = [group.box for group in groups if group.kind == DIGIT]
    if any(_shared(first, second)[1] >= same_row * max(first[3], second[3])
           for i, first in enumerate(digits) for second in digits[i + 1:]):
        return False
    parent = list(range(len(groups)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for i, first in enumerate(groups):
        for j in range(i + 1, len(groups)):
            width, height = _shared(first.box, groups[j].box)
            smaller = min(first.box[2] * first.box[3], groups[j].box[2] * groups[j].box[3])
            if width > 0 and height > 0 and width * height > overlap * smaller:
                parent[root(j)] = root(i)
    return len({root(index) for index in range(len(groups))}) == 1


def _shared(first, second) -> tuple[int, int]:
    """The columns and rows two boxes (x, y, width, height) share (negative: the gap between them)."""
    return (min(first[0] + first[2], second[0] + second[2]) - max(first[0], second[0]),
            min(first[1] + first[3], second[1] + second[3]) - max(first[1], second[1]))


def reads_finer(rows: list[int], digit: np.ndarray) -> bool:
    """Whether a mark kept as its coarse pieces `rows` is read along its finer path: cut in two or more, one a digit."""
    return len(rows) >= 2 and any(digit[row] for row in rows)


def judged(layout: Layout, pieces: list[Piece], logits: np.ndarray, chosen: list[list[int]], digit: np.ndarray,
           narrow: float = NARROW, confident: float = CONFIDENT_ENERGY, in_number: float = IN_NUMBER_ENERGY,
           share: float = NUMBER_SHARE, pair: float = PAIR_ENERGY, pair_width: float = PAIR_WIDTH,
           finer: list[list[int]] | None = None) -> tuple[Layout, list[list[int]], np.ndarray]:
    """The marks (`layout`, or the whole drawing as one mark), the pieces kept for each (rows of `pieces`/`logits`;
    `chosen`: each mark's best path of coarse pieces, as reader.chosen_pieces gives them) and, per row, whether it
    reads as a digit (`digit`: the recognizer's energy test). `pieces` holds every mark's pieces in turn, then
    `whole_drawing`'s frame if there is one. A mark cut in two or more pieces and kept as them, one at least a digit,
    is then read along `finer` (its best path through all its pieces, fine cuts too), when given: a mark read whole
    stays whole (fine cuts would split a wide 0 into a 1 and a 0 more often than they part two touching digits)."""
    count = sum(len(group.pieces) for group in layout.groups)
    if len(pieces) > count and not digit[count]:  # the marks are one drawing, and it is not a digit
        return Layout((Group(DIGIT, pieces[count].box, 2, (pieces[count],)),)), [[count]], digit
    energies = energy(logits)
    kept, first = [], 0
    for index, (group, rows) in enumerate(zip(layout.groups, chosen)):
        whole = next((first + number for number, piece in enumerate(group.pieces)
                      if (piece.start, piece.end) == (0, group.cuts - 1)), None)
        first += len(group.pieces)
        cut = True
        if whole is not None and len(rows) >= 2 and not digit[whole]:
            if pieces[whole].width < narrow or all(logits[row].argmax() == 1 for row in rows):
                cut = all(digit[row] and energies[row] <= confident for row in rows)
            else:
                cut = np.mean([digit[row] for row in rows]) >= share
            allowed = pair + pair_width * (pieces[whole].width - 1)
            if len(rows) == 2 and energies[rows].mean() > allowed:  # two strokes of a letter or a doodle, not two digits
                cut = False
        if not cut:
            kept.append([whole])
        elif finer is not None and reads_finer(rows, digit):
            kept.append(finer[index])
        else:
            kept.append(rows)
    read = [row for group, rows in zip(layout.groups, kept) if group.kind == DIGIT for row in rows]
    if len(read) >= 2 and any(digit[row] for row in read):
        digit = np.array(digit, bool)
        digit[read] |= energies[read] <= in_number
    return layout, kept, digit
