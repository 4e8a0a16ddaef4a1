"""The reader on real handwriting: numbers composed from pendigits writers' digits are read left to
right, one digit stays one digit, dots and dashes are found, and too many marks are refused quickly."""
import time

import cv2
import numpy as np
import pytest

from digit_recognizer.cuts import CUT_SPACING, MAX_CUTS, cut_positions
from digit_recognizer.frames import without_frames
from digit_recognizer.reader import candidates
from digit_recognizer.reading import DASH, DIGIT, DOT, FRAME, OUTSIDE
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.segment import MAX_MARKS, find_marks
from handwriting import (after_a_cheque_dollar, compose_number, draw, load_pendigits, long_touching_numbers, on_a_cheque,
                         on_canvas, pendigit, with_box)


@pytest.fixture(scope="module")
def recognizer() -> DigitRecognizer:
    return DigitRecognizer.load()


@pytest.fixture(scope="module")
def pendigits():
    return load_pendigits()


def read_numbers(recognizer, pendigits, count: int, seed: int, **options) -> float:
    """Share of `count` composed 3–4 digit numbers read exactly."""
    rng = np.random.default_rng(seed)
    right = 0
    for number in range(count):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), int(rng.integers(3, 5)), rng,
                                  height=100, **options)
        image = on_canvas(composed.ink, ("transparent", "white")[number % 2], rng)
        right += recognizer.read(image).text == composed.text
    return right / count


def test_numbers_with_gaps_are_read_left_to_right(recognizer, pendigits):
    assert read_numbers(recognizer, pendigits, 20, seed=1) >= 0.8


def test_slanted_numbers_on_a_wavy_baseline_are_read_in_order(recognizer, pendigits):
    assert read_numbers(recognizer, pendigits, 20, seed=2, slant=0.3, wave=0.15) >= 0.7


def test_touching_digits_are_split(recognizer, pendigits):
    rng = np.random.default_rng(3)
    split = exact = 0
    for _ in range(20):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), 3, rng, touching=True, height=100)
        reading = recognizer.read(on_canvas(composed.ink, "transparent", rng))
        split += len(reading.digits) >= 2
        exact += reading.text == composed.text
    # Without cutting, none would be read (every number here is one blob of ink). The benchmark
    # (benchmarks/read_numbers.py) measures how far from the target this still is.
    assert split >= 12 and exact >= 3


def test_two_touching_digits_of_one_writer_are_mostly_read_as_both(recognizer, pendigits):
    rng = np.random.default_rng(7)
    exact = 0
    for number in range(20):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), 2, rng, touching=True, height=100)
        exact += recognizer.read(on_canvas(composed.ink, ("transparent", "white")[number % 2], rng)).text == composed.text
    assert exact >= 10  # 13 of 20 with the shipped model; as one blob none would be read (the benchmark says more)


def test_nearly_every_touching_digit_has_a_candidate_piece_cut_where_it_is(pendigits):
    # The model can only read a touching digit if some candidate piece holds that digit's own ink: a box and a
    # frame that match the digit drawn alone (as benchmarks/touching.py judges them).
    from benchmarks.touching import WELL_PLACED_BOX, WELL_PLACED_FRAME, box_overlap, digit_truth, frame_overlap

    rng = np.random.default_rng(6)
    placed = []
    for number in range(40):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), int(rng.integers(2, 6)), rng, touching=True,
                                  height=float(rng.integers(50, 130)))
        _, pieces, _ = candidates(on_canvas(composed.ink, ("transparent", "white")[number % 2], rng))
        for position in range(len(composed.text)):
            box, frame = digit_truth(composed, position, (0, 0))
            placed.append(any(box_overlap(piece.box, box) >= WELL_PLACED_BOX
                              and frame_overlap(piece.frame, frame) >= WELL_PLACED_FRAME for piece in pieces))
    assert np.mean(placed) >= 0.82  # 0.86 with cuts every 0.15 height; 0.72 with cuts at the ink's lowest columns


def test_cuts_are_tried_evenly_and_at_most_max_cuts_per_mark():
    cuts = cut_positions(2.5 * 40, 40)  # a mark of about three touching digits, 40 px tall
    gaps = np.diff([0.0, *cuts, 2.5 * 40])
    assert np.allclose(gaps, gaps[0]) and gaps[0] <= CUT_SPACING * 40 / 2  # coarse cuts, a fine one between two
    assert len(cuts) % 2 == 1  # (every other cut is coarse: one fine cut more than coarse ones)
    assert len(cut_positions(100 * 40, 40)) == 2 * MAX_CUTS + 1  # a very long mark: bounded, whatever its width


@pytest.mark.parametrize("separator, kind", [(".", DOT), (",", DOT), ("-", DASH)])
def test_a_decimal_point_or_dash_is_found_and_left_out_of_the_number(recognizer, pendigits, separator, kind):
    rng = np.random.default_rng(4)
    composed = compose_number(pendigits, 7, 4, rng, separator=separator, height=120)
    reading = recognizer.read(on_canvas(composed.ink, "white", rng))
    assert len(reading.text) == 4
    found = [mark for mark in reading.marks if mark.kind == kind]
    assert len(found) == 1
    x, y, width, height = found[0].box
    sx, sy, swidth, sheight = composed.separator_box
    assert abs((x + width / 2) - (sx + swidth / 2)) < 10 and abs((y + height / 2) - (sy + sheight / 2)) < 10
    digits = [mark for mark in reading.marks if mark.kind == DIGIT]
    assert [m.box[0] for m in digits] == sorted(m.box[0] for m in digits)


def strokes_on_canvas(strokes: list[list[tuple[float, float]]], brush: float = 14.0) -> np.ndarray:
    """Strokes (x, y points on a 400×400 canvas) drawn as a transparent Sketchpad layer."""
    ink = draw([np.float32(stroke) for stroke in strokes], (400, 400), brush)
    return on_canvas(ink, "transparent", np.random.default_rng(0))


SEPARATE_STROKES = {
    "4": [[(130, 80), (100, 220), (250, 220)], [(220, 110), (215, 330)]],
    "5": [[(140, 90), (130, 190), (200, 180), (250, 240), (230, 310), (150, 320), (120, 290)], [(150, 80), (260, 85)]],
    "7": [[(110, 90), (270, 90), (170, 330)], [(150, 210), (250, 205)]],
    "1": [[(160, 120), (210, 80), (205, 320)], [(150, 320), (260, 322)]],
}


@pytest.mark.parametrize("label", sorted(SEPARATE_STROKES))
def test_a_digit_in_strokes_that_do_not_touch_stays_one_digit(recognizer, label):
    image = strokes_on_canvas(SEPARATE_STROKES[label])
    reading = recognizer.read(image)
    assert reading.text == label
    probabilities, frame = recognizer.predict_with_frame(image)
    assert np.array_equal(reading.digits[0].frame, frame)  # exactly what predict saw and said
    assert reading.digits[0].probabilities == pytest.approx(probabilities, abs=1e-6)


def test_single_digits_of_many_writers_stay_one_digit(recognizer, pendigits):
    rng = np.random.default_rng(9)
    indices = rng.choice(len(pendigits.labels), size=60, replace=False)
    texts = [recognizer.read(pendigit(pendigits.strokes(int(index)), ("transparent", "white", "photo")[number % 3], rng)).text
             for number, index in enumerate(indices)]
    assert all(len(text) <= 1 for text in texts)  # (a wide one may be cut: never into two digits here)


FOUR_TOUCHING_TWO = [[(110, 90), (80, 230), (200, 230)], [(170, 110), (170, 320)],  # the 2 starts and ends on
                     [(178, 150), (215, 100), (265, 105), (280, 160), (185, 315), (300, 318)]]  # the 4's stem


def test_a_4_and_a_2_that_touch_are_cut_into_4_and_2(recognizer):
    image = strokes_on_canvas(FOUR_TOUCHING_TWO)  # one mark, about as wide as tall
    assert [group.kind for group in find_marks(image).groups] == [DIGIT]
    reading = recognizer.read(image)
    assert reading.text == "42"
    four, two = reading.digits  # each box holds its own digit (x, y, width, height in the canvas's pixels)
    assert four.box[0] < 90 and four.box[0] + four.box[2] < 215 and 160 < two.box[0] and two.box[0] + two.box[2] > 290


def test_an_open_zero_stays_one_digit(recognizer):
    angles = np.linspace(np.radians(-60), np.radians(250), 40)
    zero = [(200 + 70 * np.cos(a), 200 - 110 * np.sin(a)) for a in angles]
    assert recognizer.read(strokes_on_canvas([zero])).text == "0"


def test_a_lone_horizontal_stroke_is_a_dash_not_a_digit(recognizer):
    reading = recognizer.read(strokes_on_canvas([[(80, 200), (320, 205)]]))
    assert reading.text == "" and [mark.kind for mark in reading.marks] == [DASH]


def test_500_specks_are_refused_quickly_with_a_message(recognizer):
    rng = np.random.default_rng(5)
    image = np.full((800, 800, 3), 255, np.uint8)
    for x, y in rng.integers(10, 790, size=(500, 2)):
        cv2.circle(image, (int(x), int(y)), int(rng.integers(3, 7)), (0, 0, 0), -1)
    start = time.perf_counter()
    reading = recognizer.read(image)
    assert time.perf_counter() - start < 1.0
    assert reading.marks == () and str(MAX_MARKS) in reading.message


def test_a_page_of_text_is_refused_quickly_with_a_message(recognizer):
    page = np.full((1400, 1000, 3), 235, np.uint8)
    for line in range(30):
        cv2.putText(page, "The quick brown fox jumps over 13 lazy dogs.", (40, 60 + 44 * line),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2, cv2.LINE_AA)
    start = time.perf_counter()
    reading = recognizer.read(page)
    assert time.perf_counter() - start < 1.0
    assert reading.text == "" and "more than" in reading.message


def test_an_empty_canvas_reads_nothing(recognizer):
    empty = np.zeros((400, 400, 4), np.uint8)
    assert find_marks(empty).groups == ()
    assert recognizer.read(empty).text == "" and recognizer.read(empty).message == ""


def test_a_long_touching_number_is_digits_not_a_dash(recognizer, pendigits):
    """A 6-digit number whose digits all touch is one mark over 4 times wider than tall: as flat as a dash
    drawn alone, but with several strokes' worth of ink in its columns. It is cut into digits."""
    rng = np.random.default_rng(8)
    for composed in long_touching_numbers(pendigits, 4, rng):
        reading = recognizer.read(on_canvas(composed.ink, "white", rng))
        assert DASH not in [mark.kind for mark in reading.marks]
        assert len(reading.text) >= 4


def test_a_long_thin_stroked_number_on_a_wide_canvas_is_not_a_dash(pendigits):
    """Shrunk to the reader's working size, a thin pen's strokes are a pixel wide and measure thicker than they
    are, so ink per column alone took such a number for a dash (2 of these 28 numbers did): its columns cross two
    strokes or more, a dash's one."""
    rng = np.random.default_rng(12)
    numbers = long_touching_numbers(pendigits, 28, rng, height=90.0, margin=100)
    for composed in numbers:
        kinds = [group.kind for group in find_marks(on_canvas(composed.ink, "transparent", rng)).groups]
        assert kinds == [DIGIT], composed.text


@pytest.mark.parametrize("canvas", ["white", "photo"])
def test_a_box_round_a_number_is_left_out_and_the_number_read_as_without_it(recognizer, pendigits, canvas):
    """A cheque's amount box or a frame drawn round a number: framed whole with the number, it read as one drawing
    that is not a digit (0 of 15 cheque-like boxed numbers were read). It is a FRAME mark, and the digits inside read
    as they do without it."""
    rng = np.random.default_rng(21)
    for length in (1, 2, 3, 4, 5):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), length, rng, margin=50)
        ink, box = with_box(composed.ink, max(2, int(0.6 * composed.brush)))
        plain = recognizer.read(on_canvas(composed.ink, canvas, np.random.default_rng(1)))
        reading = recognizer.read(on_canvas(ink, canvas, np.random.default_rng(1)))
        assert reading.text == plain.text and len(reading.text) == length, composed.text
        frames = [mark for mark in reading.marks if mark.kind == FRAME]
        assert len(frames) == 1 and np.abs(np.subtract(frames[0].box, box)).max() <= 8 + composed.brush


def test_a_printed_dollar_beside_a_box_is_left_out_of_the_number_in_it(recognizer, pendigits):
    """A cheque's "$" printed before its amount box: the box says what is to be read, so the $ is an OUTSIDE mark,
    not a 5 before the number (all 6 read "5…" before). Without the box, the $ is still read (README: weaknesses)."""
    rng = np.random.default_rng(7)
    for length in (1, 2, 3, 4, 5, 3):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), length, rng, margin=60)
        boxed = with_box(composed.ink, max(2, int(0.6 * composed.brush)))[0]
        plain = recognizer.read(on_canvas(boxed, "photo", np.random.default_rng(2)))
        ink = after_a_cheque_dollar(boxed, composed.brush)
        reading = recognizer.read(on_canvas(ink, "photo", np.random.default_rng(2)))
        assert reading.text == plain.text and len(reading.text) == length, composed.text
        assert [mark.kind for mark in reading.marks if mark.kind != DIGIT] == [OUTSIDE, FRAME], composed.text
        assert reading.marks[0].box[0] < min(mark.box[0] for mark in reading.digits)  # (the $, before the box)


def test_marks_beside_a_box_are_read_as_before_when_the_box_holds_no_digit(recognizer, pendigits):
    """Only a box holding digits says what is to be read: a number beside a box round a dash is still read."""
    rng = np.random.default_rng(9)
    composed = compose_number(pendigits, 4, 3, rng, margin=60)
    boxed_dash = np.zeros_like(composed.ink)
    height, width = boxed_dash.shape
    cv2.rectangle(boxed_dash, (20, 20), (width - 20, height - 20), 1.0, 4)
    cv2.line(boxed_dash, (width // 3, height // 2), (2 * width // 3, height // 2), 1.0, 6)
    reading = recognizer.read(on_canvas(np.concatenate([composed.ink, boxed_dash], axis=1), "white", rng))
    assert reading.text == composed.text and FRAME in [mark.kind for mark in reading.marks]
    assert OUTSIDE not in [mark.kind for mark in reading.marks]


def test_a_box_with_nothing_inside_and_a_zero_round_a_dot_are_no_frames():
    rectangle = np.zeros((300, 400), np.float32)
    cv2.rectangle(rectangle, (60, 60), (340, 240), 1.0, 8)
    zero = np.zeros((400, 400), np.float32)
    cv2.ellipse(zero, (200, 200), (90, 140), 0, 0, 360, 1.0, 14)
    cv2.circle(zero, (200, 200), 8, 1.0, -1)
    for ink in (rectangle, zero):
        assert FRAME not in [group.kind for group in find_marks(on_canvas(ink, "white", np.random.default_rng(0))).groups]


@pytest.mark.parametrize("angle", [0.0, 2.5])
def test_a_line_under_a_number_that_its_digits_touch_is_left_out_as_a_dash(recognizer, pendigits, angle):
    """A cheque's line, which the digits touch or cross: as one stroke with them, it was cut into pieces with them.
    A straight line over 2.4 times as long as the tallest stroke is tall (level or sloping by up to 3°) is left out
    first, and the digits read as they do without it."""
    rng = np.random.default_rng(31)
    read = 0
    for length in (3, 4, 5, 4, 3):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), length, rng, margin=60, height=100)
        lined = on_a_cheque(composed, max(4, int(composed.brush)), angle=angle)
        plain = recognizer.read(on_canvas(composed.ink, "photo", np.random.default_rng(2)))
        reading = recognizer.read(on_canvas(lined, "photo", np.random.default_rng(2)))
        lines = [mark for mark in reading.marks if mark.kind == DASH]
        assert len(lines) == 1 and lines[0].box[2] > 0.8 * composed.ink.shape[1], composed.text
        read += reading.text == plain.text
    assert read >= 4


@pytest.mark.parametrize("boxed, seed, photo, count, least", [(False, 47, 5, 8, 5), (True, 43, 4, 6, 6)],
                         ids=["line", "box"])
def test_a_line_under_two_digits_is_left_out(recognizer, pendigits, boxed, seed, photo, count, least):
    """Under two digits a cheque's line is short. Over a line alone, with RULE_LENGTH at 2.7, 3 of these 8 numbers
    were read as without it, at 2.4 5 are (61 and 71, their line hardly longer than they are wide, read as not a
    digit; 95 as 35). In a box, hardly wider than the digits are tall, the line across it, within the box's edges, is
    shorter still: with RULE_LENGTH alone, 2 of these 6 pass (two read as not a digit, 06 as 126, one keeps its line);
    a straight line from side to side inside a box is a line when RULE_IN_BOX (1.5) times as long as the tallest
    stroke is tall, and all 6 pass."""
    rng = np.random.default_rng(seed)
    read = 0
    for _ in range(count):
        composed = compose_number(pendigits, int(rng.integers(1, 31)), 2, rng, margin=60)
        thickness = max(2, int(0.6 * composed.brush))
        ink = on_a_cheque(composed, thickness, thickness if boxed else None)
        plain = recognizer.read(on_canvas(composed.ink, "photo", np.random.default_rng(photo)))
        reading = recognizer.read(on_canvas(ink, "photo", np.random.default_rng(photo)))
        found = {mark.kind for mark in reading.marks}
        read += DASH in found and (FRAME in found or not boxed) and reading.text == plain.text
    assert read >= least


def test_a_stroke_through_a_line_is_not_cut_in_two_by_leaving_the_line_out():
    """A 4's or a 9's stem through a cheque's line: the line's pixels in the columns where a stroke meets it are kept,
    so the stroke stays whole (it was cut in two, and read as two marks)."""
    ink = np.zeros((120, 400), np.float32)
    cv2.line(ink, (10, 80), (390, 80), 1.0, 5)  # the line
    cv2.line(ink, (200, 20), (200, 110), 1.0, 5)  # a stem through it
    cv2.line(ink, (150, 20), (150, 78), 1.0, 5)  # a stroke ending on it
    _, components, _, lines = without_frames(ink)
    assert len(lines) == 1
    heights = sorted(int(height) for height in components[2][1:, 3])
    assert heights == [67, 97]  # the two strokes whole, each with the bit of line it meets; nothing else


def test_digits_with_long_straight_strokes_keep_them(recognizer):
    """A 7's bar or a 2's base is no ruled line: they are never 2.4 times as long as the digit is tall."""
    seven_two = [[(60, 80), (200, 80), (110, 320)], [(230, 130), (300, 80), (350, 140), (240, 320), (380, 320)]]
    ink = draw([np.float32(stroke) for stroke in seven_two], (400, 440), 14.0)
    assert recognizer.read(on_canvas(ink, "white", np.random.default_rng(0))).text == "72"


def test_a_number_on_a_line_across_its_box_reads_as_without_them(recognizer, pendigits):
    """A cheque's box with its line across it, the digits standing on the line: box, line and digits are one stroke,
    so the box is no stroke round others. Its straight, closed edges are left out, then the line, now free at its
    ends."""
    rng = np.random.default_rng(41)
    read = 0
    for length in (3, 4, 5, 4, 3):  # (under 2 digits, a line across the number is too short to tell from a stroke)
        composed = compose_number(pendigits, int(rng.integers(1, 31)), length, rng, margin=60, height=100)
        ink = on_a_cheque(composed, max(3, int(0.6 * composed.brush)), max(2, int(0.6 * composed.brush)))
        plain = recognizer.read(on_canvas(composed.ink, "photo", np.random.default_rng(3)))
        reading = recognizer.read(on_canvas(ink, "photo", np.random.default_rng(3)))
        found = [mark.kind for mark in reading.marks if mark.kind in (FRAME, DASH)] == [FRAME, DASH]
        read += found and reading.text == plain.text
    assert read == 5  # (9289 and 46258 were lost whole: the box round a photo cropped this tight set the paper's floor)
