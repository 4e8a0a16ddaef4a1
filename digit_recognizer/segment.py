"""Finds the marks in an image (digits, dots, dashes), left to right, and proposes how to cut marks
that may hold several touching digits; reader.py lets the model choose among the proposals.

Works on preprocess.py's ink map, read at a resolution where the digits are about TARGET_HEIGHT px tall.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from digit_recognizer.preprocess import (
    INK_LEVEL, MIN_CONTRAST, MIN_DIGIT_PIXELS, WORK_SIDE, Box, _digit_box, _frame, _pixels, _read_closer,
    _read_ink, _shrink_factor,
)
from digit_recognizer.reading import DASH, DIGIT, DOT

MAX_MARKS = 30  # an image holding more marks than this (a page of text, a sprinkle of specks) is not read
MAX_PARTS = 4 * MAX_MARKS  # connected strokes counted before reading any closer: bounds all later work
TARGET_HEIGHT = 40  # the ink is read again at a resolution where a digit is about this many px tall...
CLOSE_ENOUGH = 0.6  # ...when it is shorter than this share of it at work size
THIN_STROKE = 2.5  # strokes thinner than this (px, at the ink's resolution) are bridged across small breaks
SPECK_SIDE = 0.6  # ...and a part whose longer side is less than this many stroke widths is a speck
DOT_SIDE = 0.35  # a lone part smaller than this (times the digits' height) is a dot (or comma)
DASH_HEIGHT = 0.3  # a lone part flatter than this (times the digits' height)...
DASH_ASPECT = 2.5  # ...and this many times wider than tall is a dash (wider than UNDERLINE: an underline)
UNDERLINE = 1.2  # a flat part wider than this (times the digits' height) joins no digit
FLAG_HEIGHT, FLAG_GAP, FLAG_TOP = 0.6, 0.3, 0.35  # a mark shorter than FLAG_HEIGHT × height, within FLAG_GAP
# of a digit and in the top FLAG_TOP of it, is that digit's flag
SAME_DIGIT_OVERLAP = 0.5  # parts whose columns (slant removed) overlap by this much of the narrower one are one digit;
STACKED, STACKED_OVERLAP = 0.3, 0.15  # parts sharing less than STACKED of the shorter's rows: STACKED_OVERLAP is enough
MAX_SLANT = 0.6  # |horizontal shift per px of height| the slant estimate is clipped to
SPLIT_ASPECT = 0.8  # a digit mark wider than this (times its height, slant removed) may be several digits...
SPLIT_RELATIVE = 1.3  # ...if, among 3 or more digit marks, it is also this much wider than their median
MIN_PIECE, MAX_PIECE = 0.1, 1.15  # a piece of a split mark is this narrow to this wide (times its height)
CUTS_PER_HEIGHT = 3  # cut positions tried per height of a mark's width (the lowest columns of ink)...
MAX_CUTS = 16  # ...at most this many per mark, at least MIN_CUT_SPACING (times its height) apart
MIN_CUT_SPACING = 0.12
MAX_CUT_GAP = 0.3  # evenly spaced cuts fill longer stretches without a low column
CUT_REACH = 0.15  # a cut may bend this far (times the mark's height) from straight to cross less ink...
CUT_STRAYING = 0.05  # ...at this cost per row at its furthest (crossing a full pixel of ink costs 1)
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


@dataclass(frozen=True)
class Group:
    """A mark: a DOT or DASH (no pieces), or a DIGIT mark with every way of cutting it into pieces."""

    kind: str
    box: Box
    cuts: int = 2  # cut positions, both edges included: any path of pieces from 0 to cuts - 1 reads the mark
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class Layout:
    groups: tuple[Group, ...] = ()  # left to right
    message: str = ""  # why nothing was read, when there was too much to read


def find_marks(image) -> Layout:
    """The marks in `image`, left to right. Raises preprocess.ImageError for input that is not an image."""
    pixels = _pixels(image)
    factor = _shrink_factor(pixels.shape, WORK_SIDE)
    ink = _read_ink(pixels, factor)
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        return Layout()
    components = cv2.connectedComponentsWithStats((ink > INK_LEVEL * strongest).astype(np.uint8), connectivity=8)
    parts = components[2][1:]
    parts = parts[np.maximum(parts[:, 2], parts[:, 3]) * factor >= MIN_DIGIT_PIXELS]  # specks, as predict drops
    if len(parts) > MAX_PARTS:
        return _too_many()
    if len(parts) == 0:
        return Layout()
    height = _digit_height(parts)
    closer = factor if height >= CLOSE_ENOUGH * TARGET_HEIGHT else int(np.clip(factor * height // TARGET_HEIGHT, 1, factor))
    fine = ink if closer == factor else _read_ink(pixels, closer)
    groups = _groups(fine, closer, float(fine.max()), components if closer == factor else None)
    if len(groups) > MAX_MARKS:
        return _too_many()
    if len(groups) == 1 and groups[0].kind == DIGIT:
        return Layout((_as_predict_frames_it(groups[0], pixels, ink, factor, components[2][1:]),))
    return Layout(tuple(groups))


def _too_many() -> Layout:
    return Layout(message=f"This image holds more than {MAX_MARKS} marks: write at most {MAX_MARKS} digits.")


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
    pieces = tuple(Piece(p.start, p.end, p.box, _frame(ink, box), p.width) if (p.start, p.end) == (0, group.cuts - 1)
                   else p for p in group.pieces)
    return Group(group.kind, group.box, group.cuts, pieces)


# --- Parts into marks ---------------------------------------------------------------------------------


@dataclass
class _Part:
    label: int
    box: Box  # at the ink's resolution
    left: float  # columns (slant removed)
    right: float


def _groups(ink: np.ndarray, factor: int, strongest: float, components: tuple | None) -> list[Group]:
    """The marks of the ink (its connected strokes' `components` when already found), left to right."""
    if components is None:
        components = cv2.connectedComponentsWithStats((ink > INK_LEVEL * strongest).astype(np.uint8), connectivity=8)
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
                            alone=len(members) == 1, may_split=width >= least_split))
    order = np.argsort([(min(p.left for p in chosen) + max(p.right for p in chosen)) for chosen in members])
    return [groups[index] for index in order]


def _stroke_width(labels: np.ndarray, stats: np.ndarray) -> float:
    """Stroke width of the largest part (4 × mean distance to its edge), in px."""
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, width, height = stats[label, :4]
    crop = np.pad((labels[y : y + height, x : x + width] == label).astype(np.uint8), 1)
    distances = cv2.distanceTransform(crop, cv2.DIST_L2, 3)
    return 4 * float(distances[crop > 0].mean())


def _slant(labels: np.ndarray, stats: np.ndarray, keep: list[int], height: float) -> float:
    """Horizontal shift per px downwards of the writing's upright strokes: the median, over the tall
    parts, of the slope of x against y (positive leans left)."""
    slopes = []
    for label in keep:
        x, y, width, part_height = stats[label, :4]
        if part_height < height / 2:
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
            share = STACKED_OVERLAP if stacked else SAME_DIGIT_OVERLAP
            if gap <= height / 2 and (_shared(first.left, first.right, second.left, second.right, share) or (
                    few_tall and _shared(first.box[0], first.box[0] + first.box[2],
                                         second.box[0], second.box[0] + second.box[2], share))):
                parent[root(j)] = root(i)
    members: dict[int, list[_Part]] = {}
    for index, part in enumerate(parts):
        members.setdefault(root(index), []).append(part)
    return _with_flags_joined(list(members.values()), height)


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
    if len(parts) == 1 and not alone and max(width, mark_height) <= DOT_SIDE * height:
        return Group(DOT, box)
    if len(parts) == 1 and mark_height <= DASH_HEIGHT * height and width >= DASH_ASPECT * mark_height:
        return Group(DASH, box)
    crop = ink[y0:y1, x0:x1] * np.isin(labels[y0:y1, x0:x1], [p.label for p in parts])
    rows, columns = np.mgrid[y0:y1, x0:x1]
    upright = columns - slant * (rows - reference) - left  # 0 at the mark's left edge
    wide = may_split and width > SPLIT_ASPECT * mark_height
    cuts = _cut_positions(crop, upright, width, mark_height) if wide else []
    if alone and not cuts:  # framed as predict frames it, by the caller
        return Group(DIGIT, box, 2, (Piece(0, 1, box, None, width / mark_height),))
    edges = [0.0, *cuts, width + 1]
    paths, crossings = _cut_paths(crop, upright, cuts, mark_height)
    boundaries = [np.full(crop.shape[0], -np.inf), *paths, np.full(crop.shape[0], np.inf)]
    crossed = np.array([0.0, *crossings, 0.0]) / max(stroke, 1.0)
    pieces = []
    for start in range(len(edges) - 1):
        for end in range(start + 1, len(edges)):
            piece_width = (edges[end] - edges[start]) / mark_height
            whole = start == 0 and end == len(edges) - 1
            if not whole and not MIN_PIECE <= piece_width <= MAX_PIECE:
                continue
            piece = _piece(crop, upright, boundaries[start], boundaries[end], (x0, y0), factor, whole)
            if piece is not None:
                pieces.append(Piece(start, end, piece[0], piece[1], piece_width, crossed[start] + crossed[end]))
    return Group(DIGIT, box, len(edges), tuple(pieces))


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
    cost = np.where(inside, crop[np.arange(rows)[:, None, None], np.clip(columns, 0, width - 1)], 0.0)
    cost = cost + CUT_STRAYING * np.abs(offsets) / reach
    total = cost[0]
    came_from = np.zeros(cost.shape, np.int8)
    options = np.full((3, len(cuts), len(offsets)), np.inf)  # from the left, straight above, from the right
    for row in range(1, rows):
        options[0, :, 1:], options[1], options[2, :, :-1] = total[:, :-1], total, total[:, 1:]
        came_from[row] = options.argmin(axis=0) - 1
        total = cost[row] + options.min(axis=0)
    step = total.argmin(axis=1)
    paths, crossed = np.empty((len(cuts), rows)), np.zeros(len(cuts))
    every = np.arange(len(cuts))
    for row in range(rows - 1, -1, -1):
        paths[:, row] = offsets[step]
        crossed += np.where(inside[row, every, step], crop[row, np.clip(columns[row, every, step], 0, width - 1)], 0)
        step = step + came_from[row, every, step]
    return [np.array(cut) + path + 0.5 for cut, path in zip(cuts, paths)], crossed.tolist()


def _cut_positions(crop: np.ndarray, upright: np.ndarray, width: float, height: int) -> list[float]:
    """Where to try cutting a wide mark: the columns (slant removed) where the ink is locally lowest,
    the lowest first, and enough evenly spaced ones that no two cuts are more than MAX_CUT_GAP apart."""
    columns = np.clip(upright.astype(int), 0, int(width))
    profile = np.bincount(columns.ravel(), weights=crop.ravel(), minlength=int(width) + 1)
    reach = max(1, int(MIN_CUT_SPACING * height))
    smooth = np.convolve(profile, np.ones(reach) / reach, mode="same")
    padded = np.pad(smooth, reach, constant_values=np.inf)
    window = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1)
    low, high = int(MIN_PIECE * height), int(width - MIN_PIECE * height)
    minima = [column for column in range(low, high) if smooth[column] <= window[column].min()]
    wanted = min(MAX_CUTS, int(np.ceil(CUTS_PER_HEIGHT * width / height)))
    cuts: list[float] = []
    for column in sorted(minima, key=lambda column: smooth[column]):
        if len(cuts) < wanted and all(abs(column - cut) >= MIN_CUT_SPACING * height for cut in cuts):
            cuts.append(float(column))
    edges = [0.0, *sorted(cuts), width]
    filled = []
    for start, end in zip(edges[:-1], edges[1:]):
        extra = int((end - start) // (MAX_CUT_GAP * height))
        filled += [start + (end - start) * step / (extra + 1) for step in range(1, extra + 1)]
    return sorted(cuts + filled)


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
    return ink * ~np.isin(labels, small) if small.size < count - 1 else ink
