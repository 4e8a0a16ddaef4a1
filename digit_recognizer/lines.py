"""Finds the lines of writing: a number written under another is read line by line, top to bottom, rather than
as one row of digits interleaved by their columns (a 1 over a 4 is not one digit).
"""
from __future__ import annotations

import numpy as np

LINE_PART = 0.5  # a part at least this share of the digits' height is (most of) a digit: a dot, dash or flag is not
LINE_OVERLAP = 0.5  # two lines lie one under the other when their digits share this much of the narrower one's
# columns (digits going down a slope, one after another, are one line)...
LINE_GAP = 0.25  # ...and at least this far apart (times the digits' height): an 8 drawn as two loops is one digit
NO_DIGITS = [-1, -1]  # the columns of a run's digits when it has none (only dots, dashes, flags)


def line_bands(parts: np.ndarray, height: float, rows: int) -> list[tuple[int, int]]:
    """The rows (top, bottom) of each line of writing, top to bottom, together covering all `rows` rows of the
    image; `parts`: the strokes' boxes (x, y, width, height), `height`: the digits'. Lines part where no stroke
    spans the rows between two runs of strokes that both hold digits, one under the other, LINE_GAP apart; one band
    when there is one line."""
    runs: list[list[int]] = []  # [top, bottom, left, right] per run of rows spanned by strokes; left/right: of its digits
    for x, y, width, part_height in sorted(parts[:, :4].tolist(), key=lambda part: part[1]):
        digit = [x, x + width] if part_height >= LINE_PART * height else NO_DIGITS
        if not runs or y >= runs[-1][1]:
            runs.append([y, y + part_height, *digit])
        else:
            runs[-1] = [runs[-1][0], max(runs[-1][1], y + part_height), *_joined(runs[-1][2:], digit)]
    lines: list[list[int]] = []
    for run in runs:
        if lines and (lines[-1][2] < 0 or run[2] < 0 or not _one_under_the_other(lines[-1], run)
                      or run[0] - lines[-1][1] < LINE_GAP * height):
            lines[-1] = [lines[-1][0], max(lines[-1][1], run[1]), *_joined(lines[-1][2:], run[2:])]
        else:
            lines.append(run)
    if len(lines) > 1 and lines[0][2] < 0:  # marks above the first digits (a flag, a stray dot) join them
        lines[1][0] = lines[0][0]
        del lines[0]
    edges = [0] + [(above[1] + below[0]) // 2 for above, below in zip(lines, lines[1:])] + [rows]
    return list(zip(edges, edges[1:]))


def _joined(columns: list[int], other: list[int]) -> list[int]:
    """The columns [left, right] that two runs' digits cover together (NO_DIGITS: a run without any)."""
    if columns[0] < 0 or other[0] < 0:
        return other if columns[0] < 0 else columns
    return [min(columns[0], other[0]), max(columns[1], other[1])]


def _one_under_the_other(above: list[int], below: list[int]) -> bool:
    """Whether the digits of two runs share LINE_OVERLAP of the narrower run's columns."""
    shared = min(above[3], below[3]) - max(above[2], below[2])
    return shared >= LINE_OVERLAP * min(above[3] - above[2], below[3] - below[2])
