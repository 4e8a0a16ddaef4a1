"""Finds what is drawn or printed round the writing rather than written: boxes (a cheque's amount box, a form's
field, a frame drawn round a number) and long ruled lines under or through it (a cheque's line, which the digits
touch), so that the reader leaves them out; and, where a box holds digits, the marks outside it (`outside_boxes`).
Framed whole with the digits inside, a boxed number read as one drawing that is not a digit; cut with its digits, a
line touching them spoilt every piece.

A box is a connected stroke round at least one other, whose ink hugs the edges of its own bounding box on all four
sides; or, when the writing inside touches it (through a line across it), a stroke whose bounding box's edges are
inked all along (straight and closed): then only its edges are left out. A line is a straight run of ink (level
or sloping by up to 3°) RULE_LENGTH times as long as the tallest stroke is tall (that stroke measured without the
line), which reaches past the strokes it touches at one end; inside a box, a line across it from side to side need
only be RULE_IN_BOX times as long.
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from digit_recognizer.preprocess import INK_LEVEL, Box
from digit_recognizer.reading import DIGIT, FRAME, OUTSIDE

FRAME_BAND = 0.12  # a box's ink lies within this share of its shorter side (at least 2 px) of its edges...
FRAME_INK = 0.9  # ...this share of it at least...
FRAME_SIDE = 0.6  # ...and each of its four sides has ink along this share of its length at least
MIN_FRAME_SIDE = 10  # px: a smaller stroke is no box round writing
FRAME_CLOSED = 0.95  # a box whose four edges are inked along this share of their length at least...
FRAME_FILL = 0.85  # ...is a box round writing that touches it if the ink inside fills at most this share of its height
RULE_LENGTH = 2.4  # a straight horizontal stroke this many times longer than the tallest stroke is tall is a line...
MIN_RULE = 20  # ...and this many px at least, reaching past the other strokes it touches at one end at least...
RULE_BEYOND = 0.1  # ...by this much (times the tallest stroke's height; 2 px at least)...
RULE_SLOPES = (0.0, -0.0125, 0.0125, -0.025, 0.025, -0.0375, 0.0375, -0.05, 0.05)  # ...level or sloping (rows/column)
RULE_ACROSS, RULE_IN_BOX = 0.9, 1.5  # inside a box, a line across this share of its width (within its edges, FRAME_BAND
# deep) is a line when this many times longer than the tallest stroke is tall (across a cheque's box round 2 digits)


def without_frames(ink: np.ndarray) -> tuple[np.ndarray, tuple, list[Box], list[Box]]:
    """`ink` without the boxes round its writing and the long ruled lines through or under it, its strokes
    (cv2.connectedComponentsWithStats of its ink above INK_LEVEL of its strongest), the boxes' boxes and the
    lines' boxes (x, y, width, height, in `ink`'s pixels)."""
    components = _strokes(ink)
    in_boxes, boxes = frames(components[1], components[2])
    if boxes:
        ink = ink * ~in_boxes
        components = _strokes(ink)
    on_lines, shortest = _ruled(components, boxes)
    if not on_lines.any():
        return ink, components, boxes, []
    count, _, stats, _ = cv2.connectedComponentsWithStats(on_lines.astype(np.uint8), connectivity=8)
    lines = [box for box in (tuple(int(value) for value in stats[label, :4]) for label in range(1, count))
             if box[2] >= shortest / 2]  # the lines (not the bits beside one)
    ink = ink * ~(on_lines & ~_met(on_lines, components[1] > 0))
    components = _strokes(ink)
    remnants = [label for label in range(1, components[0]) if _remnant(components[2][label], lines)]
    if remnants:
        ink = ink * ~np.isin(components[1], remnants)
        components = _strokes(ink)
    return ink, components, boxes, lines


def _ruled(components: tuple, boxes: list[Box]) -> tuple[np.ndarray, float]:
    """The pixels of the long ruled lines among the strokes (`components`; `boxes`: the boxes round them), and the
    shortest a line may be."""
    count, labels, stats, _ = components
    on_lines = np.zeros(labels.shape, bool)
    if count < 2:
        return on_lines, MIN_RULE
    least = RULE_IN_BOX if boxes else RULE_LENGTH
    shortest = max(least / 1.5 * int(stats[1:, 3].max()), MIN_RULE)  # (the tallest may be the line's own)
    for label in np.flatnonzero(stats[1:, 2] >= shortest) + 1:  # only a stroke that long may hold such a line
        x, y, width, height = (int(value) for value in stats[label, :4])
        stroke = labels[y : y + height, x : x + width] == label
        candidate = ruled_lines(stroke, shortest)
        if not candidate.any():
            continue
        rest = stroke & ~candidate  # measured against the tallest stroke, this one without its line
        rows = np.flatnonzero(rest.any(axis=1))
        others = np.delete(stats[1:, 3], label - 1)
        tallest = max(int(rows[-1] - rows[0] + 1) if rows.size else 0, int(others.max()) if others.size else 0)
        length = RULE_LENGTH * tallest
        across = [box[2] - 2 * _band(box[2], box[3]) for box in boxes if _within((x, y, width, height), box)]
        if across:  # a line from side to side of the box round it
            length = min(length, max(RULE_ACROSS * min(across), RULE_IN_BOX * tallest))
        line = ruled_lines(stroke, max(length, MIN_RULE))
        if _beyond(line, rest, max(2.0, RULE_BEYOND * tallest)):
            on_lines[y : y + height, x : x + width] |= line
    return on_lines, shortest


def _met(on_lines: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """The pixels of the lines (`on_lines`) in the columns where a stroke meets them (`inked` in the row just above or
    just below a line's pixels): a stroke that crosses the line or ends on it keeps them, and is not cut short."""
    rows = on_lines.shape[0]
    columns = np.flatnonzero(on_lines.any(axis=0))
    top = np.argmax(on_lines[:, columns], axis=0) - 1
    bottom = rows - np.argmax(on_lines[::-1, columns], axis=0)
    met = np.zeros(on_lines.shape[1], bool)
    met[columns] = (((top >= 0) & inked[np.maximum(top, 0), columns])
                    | ((bottom < rows) & inked[np.minimum(bottom, rows - 1), columns]))
    return on_lines & met


def _beyond(line: np.ndarray, rest: np.ndarray, margin: float) -> bool:
    """Whether `line` reaches `margin` px past the rest of its stroke at one end at least (an underline's end is
    free; a cloud's or a boat's base line ends in its other strokes)."""
    line_columns, rest_columns = np.flatnonzero(line.any(axis=0)), np.flatnonzero(rest.any(axis=0))
    if line_columns.size == 0 or rest_columns.size == 0:
        return bool(line_columns.size)
    return bool(line_columns[0] <= rest_columns[0] - margin or line_columns[-1] >= rest_columns[-1] + margin)


def _remnant(part: np.ndarray, lines: list[Box]) -> bool:
    """Whether a stroke (its stats) is a flat bit of one of `lines` (boxes) that the line left behind."""
    box = tuple(int(value) for value in part[:4])
    return box[2] >= 2 * box[3] and any(_within(box, line) for line in lines)


def _within(box: Box, outer: Box, slack: int = 2) -> bool:
    """Whether `box` lies inside `outer` (both x, y, width, height), give or take `slack` px."""
    x, y, width, height = box
    left, top, outer_width, outer_height = outer
    return (x >= left - slack and y >= top - slack and x + width <= left + outer_width + slack
            and y + height <= top + outer_height + slack)


def ruled_lines(mask: np.ndarray, length: float) -> np.ndarray:
    """The pixels of `mask` (one stroke's) on straight lines at least `length` px long, level or sloping by one of
    RULE_SLOPES about its middle column: where one row, followed along the slope, holds ink in every column of such
    a run, and the rows beside it."""
    rows, width = mask.shape
    columns = np.arange(width)
    found = np.zeros_like(mask)
    for slope in RULE_SLOPES:
        shift = np.round(slope * (columns - width / 2)).astype(int)  # row offset per column
        source = np.arange(rows)[:, None] + shift[None, :]
        inside = (source >= 0) & (source < rows)
        along = inside & mask[np.clip(source, 0, rows - 1), columns]  # row r followed along the slope...
        along[:, 1:-1] |= along[:, :-2] & along[:, 2:]  # ...over gaps of a pixel (a thin line, shrunk, breaks up)
        last_gap = np.maximum.accumulate(np.where(along, -1, columns), axis=1)
        next_gap = np.minimum.accumulate(np.where(along, width, columns)[:, ::-1], axis=1)[:, ::-1]
        long = along & (next_gap - last_gap - 1 >= length)
        for step in (-2, -1, 0, 1, 2):  # back to the mask's rows, with two rows either side
            target = source[long] + step
            keep = (target >= 0) & (target < rows)
            found[target[keep], np.nonzero(long)[1][keep]] = True
    return mask & found


def _strokes(ink: np.ndarray) -> tuple:
    return cv2.connectedComponentsWithStats((ink > INK_LEVEL * float(ink.max())).astype(np.uint8), connectivity=8)


def frames(labels: np.ndarray, stats: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """The pixels of the boxes round the writing among the components (of cv2.connectedComponentsWithStats: `labels`,
    `stats`), and the boxes' boxes: a stroke round others whose ink hugs its box's edges (all of it), or a straight,
    closed box that the writing inside touches (its edges only, FRAME_BAND deep)."""
    found, boxes = np.zeros(labels.shape, bool), []
    sizes = stats[1:, 2:5].astype(np.int64)  # width, height, area
    hollow = (np.minimum(sizes[:, 0], sizes[:, 1]) >= MIN_FRAME_SIDE) & (2 * sizes[:, 2] <= sizes[:, 0] * sizes[:, 1])
    for label in np.flatnonzero(hollow) + 1:
        x, y, width, height = (int(value) for value in stats[label, :4])
        mask = labels[y : y + height, x : x + width] == label
        band = _band(width, height)
        edges = np.zeros_like(mask)
        edges[:band], edges[-band:], edges[:, :band], edges[:, -band:] = True, True, True, True
        sides = min(side.mean() for side in (mask[:band].any(axis=0), mask[-band:].any(axis=0),
                                             mask[:, :band].any(axis=1), mask[:, -band:].any(axis=1)))
        inner = np.flatnonzero((mask & ~edges).any(axis=1))
        if sides >= FRAME_SIDE and (mask & edges).sum() >= FRAME_INK * mask.sum() and _round_another(
                stats, int(label), x, y, width, height):
            found[y : y + height, x : x + width] |= mask
        elif sides >= FRAME_CLOSED and inner.size and inner[-1] - inner[0] + 1 <= FRAME_FILL * height:
            found[y : y + height, x : x + width] |= mask & edges
        else:
            continue
        boxes.append((x, y, width, height))
    return found, boxes


def _band(width: int, height: int) -> int:
    """How deep a box's edges are, in px (its ink lies within this of them)."""
    return max(2, int(FRAME_BAND * min(width, height)))


def _round_another(stats: np.ndarray, label: int, x: int, y: int, width: int, height: int) -> bool:
    """Whether another component lies wholly inside the box of component `label`."""
    others = np.delete(np.arange(1, len(stats)), label - 1)
    if others.size == 0:
        return False
    left, top, widths, heights = (stats[others, index] for index in range(4))
    return bool(np.any((left > x) & (top > y) & (left + widths < x + width) & (top + heights < y + height)))


def outside_boxes(groups: list, frames) -> list:
    """`groups` (segment.Group marks), but where a box among `frames` holds digit marks (a cheque's amount box, a
    form's field), the marks outside every such box are OUTSIDE: the box says what is to be read, not the printed $
    or label beside it."""
    holding = [frame.box for frame in frames
               if frame.kind == FRAME and any(group.kind == DIGIT and _centred_in(group.box, frame.box) for group in groups)]
    if not holding:
        return groups
    return [group if any(_centred_in(group.box, box) for box in holding)
            else replace(group, kind=OUTSIDE, cuts=2, pieces=()) for group in groups]


def _centred_in(box: Box, frame: Box) -> bool:
    """Whether the centre of `box` lies inside `frame` (both x, y, width, height)."""
    x, y = box[0] + box[2] / 2, box[1] + box[3] / 2
    return frame[0] <= x <= frame[0] + frame[2] and frame[1] <= y <= frame[1] + frame[3]
