"""benchmarks/stroke_owners.py's strokes: a skeleton's runs, joined where two strokes cross, own the ink nearest them."""
import cv2
import numpy as np

from benchmarks.stroke_owners import stroke_owners, thinned


def lines(*segments, shape=(80, 80), width=7) -> np.ndarray:
    ink = np.zeros(shape, np.uint8)
    for start, end in segments:
        cv2.line(ink, start, end, 1, width)
    return ink.astype(np.float32)


def test_the_skeleton_of_a_thick_line_is_one_pixel_wide_along_its_middle():
    skeleton = thinned(lines(((10, 40), (70, 40))) > 0.5)
    rows, columns = np.nonzero(skeleton)
    assert set(rows) <= {39, 40, 41} and columns.min() <= 14 and columns.max() >= 66
    assert skeleton.sum() <= 70  # one pixel per column, about


def test_two_crossing_strokes_are_two_owners_each_of_its_own_line():
    bar, stem = ((8, 40), (72, 40)), ((40, 8), (40, 72))
    owners = stroke_owners(lines(bar, stem))
    labels = [label for label in np.unique(owners) if label > 0]
    assert len(labels) == 2
    bar_ink, stem_ink = lines(bar) > 0.5, lines(stem) > 0.5
    away = np.hypot(*np.mgrid[:80, :80] - 40) > 8  # off the crossing itself
    for ink in (bar_ink, stem_ink):
        owner, count = np.unique(owners[ink & away], return_counts=True)
        assert len(owner) == 1, (owner, count)  # the whole line, both sides of the crossing, has one owner
    assert owners[bar_ink & away][0] != owners[stem_ink & away][0]


def test_a_stroke_ending_on_another_is_not_joined_through_it():
    owners = stroke_owners(lines(((8, 40), (72, 40)), ((40, 40), (40, 72))))  # a T upside down: three arms
    away = np.hypot(*np.mgrid[:80, :80] - 40) > 8
    left, right = owners[40, 10:30], owners[40, 50:70]
    assert len(set(left)) == len(set(right)) == 1 and left[0] != right[0]
    assert len({label for label in np.unique(owners[away]) if label > 0}) == 3
