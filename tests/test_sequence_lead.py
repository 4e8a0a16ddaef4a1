"""benchmarks/sequence_lead: one stroke style for every strip, and greedy CTC decoding."""
import cv2
import numpy as np

from benchmarks.sequence_lead.measure import combined, sequence_text
from benchmarks.sequence_lead.strips import HEIGHT, WIDTH, strip


def drawn(width: int, scale: float = 1.0) -> np.ndarray:
    """A "2"-like zigzag beside a "7"-like hook, drawn with a pen `width` px wide, `scale` times the size."""
    ink = np.zeros((int(120 * scale), int(220 * scale)), np.uint8)
    for line in ([(10, 20), (70, 20), (10, 100), (80, 100)], [(110, 20), (200, 20), (140, 105)]):
        cv2.polylines(ink, [np.int32(np.array(line) * scale)], False, 255, width, cv2.LINE_AA)
    return ink.astype(np.float32) / 255


def test_strips_of_one_drawing_with_thin_and_thick_pens_look_alike():
    thin, thick = strip(drawn(3)), strip(drawn(17))
    assert thin.shape == thick.shape == (HEIGHT, WIDTH)
    assert abs(thin.sum() - thick.sum()) < 0.1 * thin.sum()  # as much ink (a plain resize: 2.8 times as much)
    unlike = strip(drawn(3)[:, ::-1])  # the same strokes mirrored: a different drawing
    assert np.abs(thin - thick).mean() < 0.5 * np.abs(thin - unlike).mean()


def test_a_strip_keeps_the_drawings_aspect_and_size_does_not_matter():
    small, large = strip(drawn(4, 0.5)), strip(drawn(24, 3.0))
    assert np.abs(small - large).mean() < 0.03
    columns = np.flatnonzero(small.max(axis=0) > 0.1)
    assert 45 <= np.ptp(columns) <= 60  # 220 × 120 at 28 px tall: about 51 px wide, centred
    assert abs((columns[0] + columns[-1]) / 2 - WIDTH / 2) < 2
    assert not strip(np.zeros((50, 50), np.float32)).any()


def test_greedy_decoding_collapses_repeats_and_drops_blanks():
    def logits(path):
        rows = np.full((len(path), 11), -5.0)
        rows[np.arange(len(path)), path] = 5.0
        return rows

    text, sureness = sequence_text(logits([0, 5, 5, 0, 5, 0, 1, 1, 0]))  # 4, 4 again after a blank, then 0
    assert text == "440"
    assert -0.01 < sureness < 0
    assert sequence_text(logits([0] * 9))[0] == ""


def test_the_sequence_reading_replaces_a_mark_only_where_its_gate_allows():
    cut, turned_away, one = ("17", False, "11", -0.2), ("", True, "47", -0.2), ("7", False, "17", -0.2)
    assert combined([cut, turned_away, one], "A", -1.0) == "11" + "" + "7"
    assert combined([cut, turned_away, one], "AB", -1.0) == "11" + "47" + "7"
    assert combined([cut, turned_away, one], "ABC", -1.0) == "11" + "47" + "17"
    assert combined([cut, turned_away, one], "ABC", -0.1) == "17" + "" + "7"  # not sure enough: read's digits
