"""Finds the marks in an image (digits, dots, dashes), left to right; for marks that may hold several
touching digits, cuts.py proposes pieces and reader.py lets the model choose among them.

Works on preprocess.py's ink map, read at a resolution where the digits are about TARGET_HEIGHT px tall.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from digit_recognizer.cuts import Piece, cut_positions, pieces
from digit_recognizer.pixels import to_pixels
from digit_recognizer.preprocess import (
    INK_LEVEL, MIN_CONTRAST, MIN_DIGIT_PIXELS, WORK_SIDE, Box, _digit_box, _frame, _labelled, _padded,
    _read_closer, _read_ink, _shrink_factor,
)
from digit_recognizer.frames import outside_boxes, without_frames
from digit_recognizer.lines import line_bands
from digit_recognizer.reading import DASH, DIGIT, DOT, FRAME

MAX_MARKS = 30  # an image holding more marks than this (a page of text, a sprinkle of specks) is not read
MAX_PARTS = 4 * MAX_MARKS  # connected strokes counted before reading any closer: bounds all later work
TARGET_HEIGHT = 40  # the ink is read again at a resolution where a digit is about this many px tall...
CLOSE_ENOUGH = 0.6  # ...when it is shorter than this share of it at work size
THIN_STROKE = 2.5  # strokes thinner than this (px, at the ink's resolution) are bridged across small breaks
SPECK_SIDE = 0.6  # ...and a part whose longer side is less than this many stroke widths is a speck
LOW_DOT = 0.6  # a dot whose top is below this share of a digit's height joins no digit
DOT_SIDE = 0.35  # a lone part smaller than this (times the digits' height) is a dot (or comma)
DASH_HEIGHT = 0.3  # a lone part flatter than this (times the digits' height)...
DASH_ASPECT = 2.0  # ...and this many times wider than tall is a dash (wider than UNDERLINE: an underline)
LONE_DASH_ASPECT = 4.0  # a lone mark this many times wider than tall is a dash too...
DASH_STROKES = 1.6  # ...when its columns hold at most this many strokes' width of ink on average (not a long number)
DASH_RUNS = 1.3  # ...and cross at most this many strokes on average (thin strokes, shrunk, look thicker than they are)
UNDERLINE = 1.2  # a flat part wider than this (times the digits' height) joins no digit
FLAG_HEIGHT, FLAG_GAP, FLAG_TOP = 0.6, 0.3, 0.35  # a mark shorter than FLAG_HEIGHT × height, within FLAG_GAP
# of a digit and in the top FLAG_TOP of it, is that digit's flag
SAME_DIGIT_OVERLAP = 0.5  # parts whose columns (slant removed) overlap by this much of the narrower one are one digit;
CROSSBAR_OVERLAP = 0.85  # a dash-shaped part level with a digit's middle joins it only this much inside its columns
STACKED, STACKED_OVERLAP = 0.3, 0.15  # parts sharing less than STACKED of the shorter's rows: STACKED_OVERLAP is enough
MAX_SLANT = 0.6  # |horizontal shift per px of height| the slant estimate is clipped to...
SLANT_WIDTH = 1.2  # ...and parts wider than this (times their height) have no say in it: touching digits, whose
# moments measure how the digits sit side by side, not how they lean
SPLIT_ASPECT = 0.8  # a digit mark wider than this (times its height, slant removed) may be several digits...
LONE_SPLIT_ASPECT = 0.8  # ...or, for the only mark of an image, wider than this (two touching digits may be narrow)
MIN_SPLIT_HEIGHT = 20  # a mark shorter than this (px at the ink's resolution) is too small to cut
SPLIT_RELATIVE = 1.3  # ...if, among 3 or more digit marks, it is also this much wider than their median



@dataclass(frozen=True)
class Group:
    """A mark: a DOT, DASH or FRAME (no pieces), or a DIGIT mark with every way of cutting it into pieces."""

    kind: str
    box: Box
    cuts: int = 2  # cut positions, both edges included: any path of pieces from 0 to cuts - 1 reads the mark
    pieces: tuple[Piece, ...] = ()
    line: int = 0  # the line of writing it is on, 0 at the top (lines.py)


@dataclass(frozen=True)
class Layout:
    groups: tuple[Group, ...] = ()  # left to right, then the boxes round them (FRAME)
    message: str = ""  # why nothing was read, when there was too much to read


def find_marks(image) -> Layout:
    """The marks in `image`, left to right. Raises pixels.ImageError for input that is not an image."""
    pixels = to_pixels(image)
    factor = _shrink_factor(pixels.shape, WORK_SIDE)
    ink = _read_ink(pixels, factor)
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        return Layout()
    ink, components, boxes, lines = without_frames(ink)  # a box round the number, or a line under it, is no part of it
    frames = tuple(Group(kind, tuple(value * factor for value in box))
                   for kind, found in ((FRAME, boxes), (DASH, lines)) for box in found)
    parts = _without_specks(components[2][1:], factor)
    if len(parts) > MAX_PARTS:
        return _too_many()
    if len(parts) == 0:
        return Layout(frames)
    height = _digit_height(parts)
    closer = factor
    if height < CLOSE_ENOUGH * TARGET_HEIGHT:  # small digits: read the ink again, closer
        closer = int(np.clip(factor * height // TARGET_HEIGHT, 1, factor))
    fine, fine_components = (ink, components) if closer == factor else without_frames(_read_ink(pixels, closer))[:2]
    groups = outside_boxes(_groups_by_line(fine, closer, fine_components), frames)
    if len(groups) > MAX_MARKS:
        return _too_many()
    if len(groups) == 1 and groups[0].kind == DIGIT:
        return Layout((_as_predict_frames_it(groups[0], pixels, ink, factor, components[2][1:]),) + frames)
    return Layout(tuple(groups) + frames)


def _too_many() -> Layout:
    return Layout(message=f"This image holds more than {MAX_MARKS} marks: write at most {MAX_MARKS} digits.")


def _groups_by_line(ink: np.ndarray, factor: int, components: tuple) -> list[Group]:
    """The marks of the ink, line by line (top to bottom), each line's left to right: `_groups` of each line's
    rows (lines.line_bands)."""
    strongest, parts = float(ink.max()), _without_specks(components[2][1:], factor)
    bands = line_bands(parts, _digit_height(parts), ink.shape[0]) if len(parts) else [(0, ink.shape[0])]
    if len(bands) == 1:
        return _groups(ink, factor, strongest, components)
    groups = []
    for line, (top, bottom) in enumerate(bands):
        band = np.zeros_like(ink)
        band[top:bottom] = ink[top:bottom]
        strokes = cv2.connectedComponentsWithStats((band > INK_LEVEL * strongest).astype(np.uint8), connectivity=8)
        groups += [replace(group, line=line) for group in _groups(band, factor, strongest, strokes, one_line=False)]
    return groups


def _without_specks(parts: np.ndarray, factor: int) -> np.ndarray:
    """The strokes (their stats) but specks smaller than MIN_DIGIT_PIXELS in the input, as predict drops them."""
    return parts[np.maximum(parts[:, 2], parts[:, 3]) * factor >= MIN_DIGIT_PIXELS]


def _digit_height(parts: np.ndarray) -> float:
    """The digits' height: the median height of the parts at least half as tall as the tallest."""
    heights = parts[:, 3]
    return float(np.median(heights[heights >= heights.max() / 2]))


def _as_predict_frames_it(group: Group, pixels: np.ndarray, ink: np.ndarray, factor: int,
                          parts: np.ndarray) -> Group:
    """A lone digit mark whose unsplit reading is exactly `predict`'s: its frame and box."""
    box = _digit_box(ink, parts)
    if box is not None and factor > 1 and max(box[2], box[3]) < 32:
        ink, box, factor = _read_closer(pixels, box, factor)
    if box is None or max(box[2], box[3]) * factor < MIN_DIGIT_PIXELS:
        return Group(group.kind, group.box)
    framed = tuple(Piece(p.start, p.end, p.box, _frame(ink, box), p.width) if (p.start, p.end) == (0, group.cuts - 1)
                   else p for p in group.pieces)
    return Group(group.kind, group.box, group.cuts, framed)


# --- Parts into marks ---------------------------------------------------------------------------------


@dataclass
class _Part:
    label: int
    box: Box  # at the ink's resolution
    left: float  # columns (slant removed)
    right: float


def _groups(ink: np.ndarray, factor: int, strongest: float, components: tuple, one_line: bool = True) -> list[Group]:
    """The marks of the ink (its connected strokes: `components`, as frames.without_frames gives them), left to
    right; `one_line`: the ink is all the image holds (else one of its lines: no mark of it is the image's only one)."""
    count, labels, stats, _ = components
    stroke = _stroke_width(labels, stats)
    if stroke < THIN_STROKE:  # hairlines break apart where they fade: bridge breaks of a pixel or two
        mask = cv2.dilate((ink > INK_LEVEL * strongest).astype(np.uint8), np.ones((3, 3), np.uint8))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = [label for label in range(1, count) if max(stats[label, 2], stats[label, 3]) >= SPECK_SIDE * stroke]
    if not keep:
        return []
    height = _digit_height(stats[keep])
    slant = _slant(labels, stats, keep, height)
    reference = ink.shape[0] / 2
    parts = [_part(label, labels, stats, slant, reference) for label in keep]
    members = _join(parts, height)
    widths = [max(p.right for p in chosen) - min(p.left for p in chosen) for chosen in members]
    tall = [width for width, chosen in zip(widths, members)
            if max(p.box[1] + p.box[3] for p in chosen) - min(p.box[1] for p in chosen) >= FLAG_HEIGHT * height]
    # Among several digits of one size, none is two digits: only a mark wider than most may be.
    least_split = SPLIT_RELATIVE * float(np.median(tall)) if len(tall) >= 3 else 0.0
    groups = []
    for chosen, width in zip(members, widths):
        groups.append(_mark(chosen, ink, labels, slant, reference, height, stroke, factor,
                            alone=one_line and len(members) == 1, may_split=width >= least_split))
    order = np.argsort([(min(p.left for p in chosen) + max(p.right for p in chosen)) for chosen in members])
    return [groups[index] for index in order]


def _stroke_width(labels: np.ndarray, stats: np.ndarray) -> float:
    """Stroke width of the largest part (4 × mean distance to its edge), in px."""
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, width, height = stats[label, :4]
    crop = _padded((labels[y : y + height, x : x + width] == label).astype(np.uint8), 1)
    distances = cv2.distanceTransform(crop, cv2.DIST_L2, 3)
    return 4 * float(distances[crop > 0].mean())


def _slant(labels: np.ndarray, stats: np.ndarray, keep: list[int], height: float) -> float:
    """Horizontal shift per px downwards of the writing's upright strokes: the median, over the tall
    parts, of the slope of x against y (positive leans left)."""
    slopes = []
    for label in keep:
        x, y, width, part_height = stats[label, :4]
        if part_height < height / 2 or width > SLANT_WIDTH * part_height:
            continue
        moments = cv2.moments((labels[y : y + part_height, x : x + width] == label).astype(np.uint8), binaryImage=True)
        if moments["mu02"] > 0:
            slopes.append(moments["mu11"] / moments["mu02"])
    return float(np.clip(np.median(slopes), -MAX_SLANT, MAX_SLANT)) if slopes else 0.0


def _part(label: int, labels: np.ndarray, stats: np.ndarray, slant: float, reference: float) -> _Part:
    x, y, width, height = (int(value) for value in stats[label, :4])
    rows, columns = np.nonzero(labels[y : y + height, x : x + width] == label)
    upright = columns + x - slant * (rows + y - reference)
    return _Part(label, (x, y, width, height), float(upright.min()), float(upright.max()) + 1)


def _join(parts: list[_Part], height: float) -> list[list[_Part]]:
    """Parts grouped into marks: parts sharing their columns (slant removed) are one digit (a 4, 5
    or 7 in strokes that do not touch, a 1 with flag and base); an underline joins nothing."""
    parent = list(range(len(parts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    # With fewer than 3 tall parts the slant is one digit's own: its columns as drawn count too.
    few_tall = sum(part.box[3] >= height / 2 for part in parts) < 3
    loose = [part.box[3] <= DASH_HEIGHT * height and part.right - part.left >= UNDERLINE * height for part in parts]
    for i, first in enumerate(parts):
        for j in range(i + 1, len(parts)):
            second = parts[j]
            if loose[i] or loose[j]:
                continue
            gap = max(first.box[1] - second.box[1] - second.box[3], second.box[1] - first.box[1] - first.box[3])
            stacked = -gap < STACKED * min(first.box[3], second.box[3])  # one above the other (a 6's stem and loop)
            if _low_dot(first, second, height) or _low_dot(second, first, height):
                continue
            share = STACKED_OVERLAP if stacked else SAME_DIGIT_OVERLAP
            if _mid_dash(first, second, height) or _mid_dash(second, first, height):
                share = CROSSBAR_OVERLAP  # a 7's bar lies across its stem; a dash only beside a digit's overhang
            if gap <= height / 2 and (_shared(first.left, first.right, second.left, second.right, share) or (
                    few_tall and _shared(first.box[0], first.box[0] + first.box[2],
                                         second.box[0], second.box[0] + second.box[2], share))):
                parent[root(j)] = root(i)
    members: dict[int, list[_Part]] = {}
    for index, part in enumerate(parts):
        members.setdefault(root(index), []).append(part)
    return _with_flags_joined(list(members.values()), height)


def _one_stroke_thick(mask: np.ndarray, stroke: float) -> bool:
    """Whether a part's columns hold, on average, about one stroke's width of ink and cross about one stroke
    (a dash, not touching digits: the loops of a flat 000833 cross two strokes in most columns)."""
    column_ink = mask.sum(axis=0)
    crossed = (np.diff(mask.astype(np.int8), axis=0, prepend=0) == 1).sum(axis=0)
    inked = column_ink > 0
    return (float(column_ink[inked].mean()) <= DASH_STROKES * max(stroke, 1.0)
            and float(crossed[inked].mean()) <= DASH_RUNS)


def _low_dot(part: _Part, other: _Part, height: float) -> bool:
    """Whether `part` is dot-sized and sits low beside `other` (a decimal point or comma tucked under
    the digit before or after it), rather than one of its strokes."""
    small = max(part.right - part.left, part.box[3]) <= DOT_SIDE * height
    return small and part.box[1] >= other.box[1] + LOW_DOT * other.box[3]


def _mid_dash(part: _Part, other: _Part, height: float) -> bool:
    """Whether `part` is dash-shaped and level with the middle of `other`."""
    flat = part.box[3] <= DASH_HEIGHT * height and part.right - part.left >= DASH_ASPECT * part.box[3]
    middle = part.box[1] + part.box[3] / 2
    return flat and other.box[1] + 0.3 * other.box[3] <= middle <= other.box[1] + 0.8 * other.box[3]


def _shared(left: float, right: float, other_left: float, other_right: float, share: float) -> bool:
    """Whether two column ranges overlap by at least `share` of the narrower one (and a pixel)."""
    overlap = min(right, other_right) - max(left, other_left)
    return overlap >= max(1.0, share * min(right - left, other_right - other_left))


def _with_flags_joined(marks: list[list[_Part]], height: float) -> list[list[_Part]]:
    """A short mark in the top part of a digit's height, close beside it, is that digit's flag
    (a 5's top stroke written apart): joined to the nearest such digit."""
    def extent(mark):
        return (min(p.left for p in mark), max(p.right for p in mark),
                min(p.box[1] for p in mark), max(p.box[1] + p.box[3] for p in mark))

    tall = [mark for mark in marks if extent(mark)[3] - extent(mark)[2] >= FLAG_HEIGHT * height]
    kept = []
    for mark in marks:
        left, right, top, bottom = extent(mark)
        if bottom - top >= FLAG_HEIGHT * height or right - left < DOT_SIDE * height:
            kept.append(mark)
            continue
        near = []
        for digit in tall:
            d_left, d_right, d_top, d_bottom = extent(digit)
            gap = max(left - d_right, d_left - right, 0)
            if gap <= FLAG_GAP * height and (top + bottom) / 2 <= d_top + FLAG_TOP * (d_bottom - d_top):
                near.append((gap, id(digit), digit))
        if near:
            min(near)[2].extend(mark)
        else:
            kept.append(mark)
    return kept


def _mark(parts: list[_Part], ink: np.ndarray, labels: np.ndarray, slant: float, reference: float,
          height: float, stroke: float, factor: int, alone: bool, may_split: bool) -> Group:
    """One mark: a dot, a dash, or a digit mark with its candidate pieces."""
    x0 = min(p.box[0] for p in parts)
    y0 = min(p.box[1] for p in parts)
    x1 = max(p.box[0] + p.box[2] for p in parts)
    y1 = max(p.box[1] + p.box[3] for p in parts)
    left, right = min(p.left for p in parts), max(p.right for p in parts)
    box = (x0 * factor, y0 * factor, (x1 - x0) * factor, (y1 - y0) * factor)
    width, mark_height = right - left, y1 - y0
    dot_sized = max(width, mark_height) <= DOT_SIDE * height and width < DASH_ASPECT * mark_height
    if len(parts) == 1 and not alone and dot_sized:
        return Group(DOT, box)
    if len(parts) == 1 and width >= DASH_ASPECT * mark_height:
        lone_dash = alone and width >= LONE_DASH_ASPECT * mark_height and _one_stroke_thick(
            labels[y0:y1, x0:x1] == parts[0].label, stroke)
        if mark_height <= DASH_HEIGHT * height or lone_dash:
            return Group(DASH, box)
    # (The narrower of its width as drawn and with the slant removed: a lone digit's own slant is no guide.)
    wide = (may_split and mark_height >= MIN_SPLIT_HEIGHT
            and min(width, x1 - x0) > (LONE_SPLIT_ASPECT if alone else SPLIT_ASPECT) * mark_height)
    if alone and not wide:  # framed as predict frames it, by the caller
        return Group(DIGIT, box, 2, (Piece(0, 1, box, None, width / mark_height),))
    crop = ink[y0:y1, x0:x1] * _labelled(labels[y0:y1, x0:x1], [p.label for p in parts])
    rows, columns = np.mgrid[y0:y1, x0:x1]
    upright = columns - slant * (rows - reference) - left  # 0 at the mark's left edge
    cuts = cut_positions(width, mark_height) if wide else []
    return Group(DIGIT, box, *pieces(crop, upright, cuts, width, mark_height, (x0, y0), factor, stroke))
