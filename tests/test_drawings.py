"""A drawing is judged whole (digit_recognizer/drawings.py, web/drawings.js): a sun whose rays stand apart and a car
cut into pieces are each one "not a digit" mark, while numbers with a decimal point, a digit among digits, and real
digits are still read; the browser judges them as Python does."""
import cv2
import numpy as np
import pytest

from benchmarks.web import CHROMIUM, READ_IN_PAGE, browser_page, pixels_of, static_server
from digit_recognizer.cuts import Piece
from digit_recognizer.drawings import judged, one_drawing
from digit_recognizer.page import view_of_reading
from digit_recognizer.reading import DIGIT, DOT, NOT_A_DIGIT
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.segment import Group, Layout, find_marks
from handwriting import compose_number, load_pendigits, on_canvas, pendigit
from nondigits import _car, _stroked, _sun, drawings
from renderings import _place


@pytest.fixture(scope="module")
def recognizer() -> DigitRecognizer:
    return DigitRecognizer.load()


def drawn(strokes_of, seed: int) -> np.ndarray:
    """A drawing (tests/nondigits.py's strokes, a 10 px brush, 240 px wide) on a 400×400 transparent canvas."""
    rng = np.random.default_rng(seed)
    ink = cv2.resize(_stroked(strokes_of(rng), 10.0, rng), (240, 240), interpolation=cv2.INTER_AREA)
    return on_canvas(_place(ink, (400, 400), rng), "transparent", rng)


def decimal_number(seed: int):
    """A pendigits writer's number with a decimal point, its digits apart, on a white canvas; and its text."""
    rng = np.random.default_rng(seed)
    composed = compose_number(load_pendigits(), 3 + seed, 4, rng, separator=".", height=90, margin=60)
    return on_canvas(composed.ink, "white", rng), composed.text


SUNS = [drawn(_sun, seed) for seed in (2, 4, 5)]
CARS = [drawn(_car, seed) for seed in (0, 5)]
# Drawings the reader cuts into pieces that each read as a 1 (two small letters and a check mark; seed, index):
CUT_INTO_ONES = [list(drawings(6, np.random.default_rng(seed), ("small letters", "symbols")))[index][1]
                 for seed, index in ((44, 3), (50, 0), (42, 10))]
# Drawings the reader cuts in two, each half passing for a digit (a w read as 41, a smiley as 63, a % as 06 before):
CUT_IN_TWO = [list(drawings(6, np.random.default_rng(seed), ("capital letters", "small letters", "doodles",
                                                             "symbols")))[index][1]
              for seed, index in ((42, 11), (41, 13), (50, 23))]


def box(kind: str, x: int, y: int, width: int, height: int) -> Group:
    return Group(kind, (x, y, width, height))


def test_marks_whose_boxes_overlap_are_one_drawing_unless_two_are_digits_side_by_side():
    circle, ray = box(DIGIT, 100, 100, 200, 200), box(DIGIT, 60, 120, 50, 60)  # the ray's box reaches into the circle's
    assert one_drawing((circle, ray, box(DOT, 150, 280, 20, 20)), 0.05, 0.7)
    assert not one_drawing((circle, ray, box(DOT, 400, 100, 20, 20)), 0.05, 0.7)  # a dot far off is not part of it
    slanted_pair = (box(DIGIT, 100, 100, 120, 200), box(DIGIT, 200, 110, 120, 190))  # overlapping boxes, one row
    assert not one_drawing(slanted_pair, 0.05, 0.7)
    assert not one_drawing(slanted_pair + (box(DOT, 190, 280, 30, 30),), 0.05, 0.7)  # nor with a point between
    assert not one_drawing((circle,), 0.05, 0.7)


def test_a_wide_mark_not_a_digit_whole_is_read_as_its_pieces_when_enough_of_them_are_digits():
    """A number whose digits touch is not a digit whole, and neither is a car cut into pieces: the share of pieces
    that are digits tells them apart (NUMBER_SHARE), and a doubtful piece among digits may count as one."""
    frame = np.zeros((28, 28), np.float32)
    pieces = [Piece(start, end, (100 * start, 0, 100 * (end - start), 100), frame, float(end - start))
              for start, end in ((0, 1), (1, 2), (2, 3), (3, 4), (0, 4))]  # four pieces, then the whole mark
    layout = Layout((Group(DIGIT, (0, 0, 400, 100), 5, tuple(pieces)),))
    sure, doubtful = np.full(10, -30.0), np.full(10, -30.0)
    sure[3], doubtful[3] = 20.0, 3.0  # energies about -20 (a digit) and -3 (not one, at the recognizer's threshold)
    logits = np.stack([sure, sure, doubtful, sure, doubtful])
    digit = np.array([True, True, False, True, False])

    def kept(share, in_number=-np.inf):
        _, rows, read_digit = judged(layout, pieces, logits, [[0, 1, 2, 3]], digit, 1.1, -12.0, in_number, share)
        return rows, [bool(read_digit[row]) for row in rows[0]]

    assert kept(1.0) == ([[4]], [False])  # one piece is not a digit: the whole mark is one, "not a digit"
    assert kept(0.8) == ([[4]], [False])
    assert kept(0.75) == ([[0, 1, 2, 3]], [True, True, False, True])  # three of four: a number, one mark left out
    assert kept(0.75, in_number=-2.0) == ([[0, 1, 2, 3]], [True] * 4)  # among digits, energy -3 is enough...
    assert kept(0.75, in_number=-4.0) == ([[0, 1, 2, 3]], [True, True, False, True])  # ...and here it is not


def test_a_mark_cut_in_two_is_two_digits_only_when_they_are_confident_on_average_for_its_width():
    frame = np.zeros((28, 28), np.float32)

    def kept(second_logit, pair, pair_width=0.0, width=2.0):
        """What is kept of a mark `width` heights wide cut in two halves."""
        pieces = [Piece(start, end, (100 * start, 0, 100 * (end - start), 100), frame, width * (end - start) / 2)
                  for start, end in ((0, 1), (1, 2), (0, 2))]  # two pieces, then the whole mark
        layout = Layout((Group(DIGIT, (0, 0, 200, 100), 3, tuple(pieces)),))
        logits = np.full((3, 10), -30.0)
        logits[0, 4], logits[1, 2], logits[2, 8] = 20.0, second_logit, 3.0  # energies -20, -second_logit, about -3
        _, rows, _ = judged(layout, pieces, logits, [[0, 1]], np.array([True, True, False]), 0.0, -12.0, -np.inf,
                            0.5, pair, pair_width)
        return rows

    assert kept(10.0, -14.0) == [[0, 1]]  # mean energy -15: two digits
    assert kept(6.0, -14.0) == [[2]]  # mean -13: the halves of one drawing, "not a digit" whole
    assert kept(6.0, np.inf) == [[0, 1]]  # (without the rule, two digits)
    # Two digits side by side are wider than a letter or a doodle: each height of width beyond one allows more.
    assert kept(6.0, -16.0, 10.0, width=1.4) == [[0, 1]]  # mean -13 against -16 + 4
    assert kept(6.0, -16.0, 10.0, width=1.2) == [[2]]  # against -16 + 2
    assert kept(12.0, -16.0, 10.0, width=0.8) == [[2]]  # narrower than its height: mean -16 against -16 - 2


def test_a_mark_is_judged_on_its_coarse_pieces_and_a_number_read_along_its_finer_path():
    """Fine cuts make the strokes of a doodle read as digits: the judge sees the best path through coarse pieces;
    only a mark it keeps cut as pieces, one at least a digit, is read along the best path through all of them."""
    frame = np.zeros((28, 28), np.float32)
    spans = ((0, 2), (2, 4), (0, 1), (1, 2), (2, 3), (3, 4), (0, 4))  # coarse halves, fine quarters, the whole mark
    pieces = [Piece(start, end, (100 * start, 0, 100 * (end - start), 100), frame, (end - start) / 2,
                    coarse=start % 2 == end % 2 == 0) for start, end in spans]
    layout = Layout((Group(DIGIT, (0, 0, 400, 100), 5, tuple(pieces)),))
    logits = np.full((7, 10), -30.0)
    logits[:, 4] = 20.0  # every piece a confident 4, but the whole mark is not a digit
    logits[6, 4] = 3.0
    finer = [[2, 3, 4, 5]]

    def kept(digit):
        return judged(layout, pieces, logits, [[0, 1]], np.array(digit), 0.0, -12.0, -np.inf, 0.5, np.inf,
                      finer=finer)[1]

    assert kept([True, True, True, True, True, True, False]) == finer  # coarse halves are digits: read it finer
    assert kept([False, False, True, True, True, True, False]) == [[6]]  # not: one drawing, whatever fine cuts say
    assert judged(layout, pieces, logits, [[0, 1]], np.array([True] * 6 + [False]), 0.0, -12.0, -np.inf, 0.5,
                  np.inf)[1] == [[0, 1]]  # (without `finer`, the coarse path)
    assert judged(layout, pieces, logits, [[6]], np.array([True] * 7), 0.0, -12.0, -np.inf, 0.5, np.inf,
                  finer=finer)[1] == [[6]]  # read whole on coarse cuts (a wide 0), it is not split by fine ones


@pytest.mark.parametrize("image", SUNS, ids=["sun 2", "sun 4", "sun 5"])
def test_a_sun_whose_rays_stand_apart_is_one_mark_that_is_not_a_digit(recognizer, image):
    assert len(find_marks(image).groups) >= 2  # the rays are marks of their own
    reading = recognizer.read(image)
    assert [mark.kind for mark in reading.marks] == [NOT_A_DIGIT]
    assert reading.text == ""
    assert reading.marks[0].box[2] >= 200 and reading.marks[0].box[3] >= 200  # the whole sun, in input pixels


def test_the_page_shows_a_drawing_judged_whole_as_one_card_with_unsure_guesses(recognizer):
    view = view_of_reading(recognizer.read(SUNS[0], explain=True), "")
    assert "look like a digit" in view.number and view.unsure and len(view.guesses) == 10
    assert view.marks.count('class="mark ') == 1


@pytest.mark.parametrize("image", CARS, ids=["car 0", "car 5"])
def test_a_car_is_one_mark_that_is_not_a_digit_rather_than_digits_piece_by_piece(recognizer, image):
    (group,) = find_marks(image).groups
    assert len(group.pieces) > 1  # the reader could cut it into digits
    reading = recognizer.read(image)
    assert [mark.kind for mark in reading.marks] == [NOT_A_DIGIT]
    assert reading.marks[0].box == group.box


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_a_number_with_a_decimal_point_and_digits_apart_is_still_read(recognizer, seed):
    image, text = decimal_number(seed)
    reading = recognizer.read(image)
    assert reading.text == text
    assert DOT in [mark.kind for mark in reading.marks] and NOT_A_DIGIT not in [mark.kind for mark in reading.marks]


@pytest.mark.parametrize("seed", [21, 35, 354])  # numbers where one digit alone is above the threshold
def test_a_digit_the_energy_threshold_alone_turns_away_is_read_among_the_digits_of_a_number(recognizer, seed):
    rng = np.random.default_rng(seed)
    composed = compose_number(load_pendigits(), 1 + seed % 30, 4, rng, height=90, margin=60)
    reading = recognizer.read(on_canvas(composed.ink, "white", rng))
    assert reading.text == composed.text and NOT_A_DIGIT not in [mark.kind for mark in reading.marks]
    frames = np.stack([mark.frame for mark in reading.digits])
    assert not recognizer.is_digit(recognizer.logits(frames)).all()  # alone, one of them would not be a digit


@pytest.mark.parametrize("image", CUT_INTO_ONES, ids=["small letter 44/3", "small letter 50/0", "symbol 42/10"])
def test_a_mark_cut_only_into_ones_needs_confident_ones_as_a_narrow_mark_does(recognizer, image):
    """The strokes of a u, a w or a check mark each read as a 1 ("111" before the rule): as wide as two digits,
    they are still held to CONFIDENT_ENERGY."""
    reading = recognizer.read(image)
    assert reading.text == "" and [mark.kind for mark in reading.marks] == [NOT_A_DIGIT]


@pytest.mark.parametrize("image", CUT_IN_TWO, ids=["small letter w", "smiley", "percent sign"])
def test_a_mark_cut_in_two_needs_two_confident_digits_on_average(recognizer, image):
    """Each half of a w, a smiley or a % can pass for a digit ("41", "63", "06" before the rule); two touching
    digits are confident digits on average (PAIR_ENERGY), these halves are not."""
    reading = recognizer.read(image)
    assert reading.text == "" and [mark.kind for mark in reading.marks] == [NOT_A_DIGIT]


def test_real_digits_written_in_several_strokes_are_not_rejected(recognizer):
    data, rng = load_pendigits(), np.random.default_rng(5)
    strokes = [index for index in data.of_writer(7) if len(data.strokes(index)) > 1][:40]  # 4s, 5s, 7s with flags…
    readings = [recognizer.read(pendigit(data.strokes(index), "transparent", rng)) for index in strokes]
    rejected = [reading.text == "" or NOT_A_DIGIT in [mark.kind for mark in reading.marks] for reading in readings]
    assert np.mean(rejected) <= 0.05
    assert np.mean([reading.text == str(data.labels[index]) for reading, index in zip(readings, strokes)]) >= 0.85


def test_the_browser_judges_drawings_and_numbers_as_python_does(recognizer):
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    generated = [image for _, image in drawings(4, np.random.default_rng(9))]  # 4 of each kind of non-digit
    images = SUNS + CARS + CUT_INTO_ONES + CUT_IN_TWO + [decimal_number(2)[0]] + generated
    served = {str(index): pixels_of(image) for index, image in enumerate(images)}
    with static_server() as url, browser_page(url) as (page, _):
        page.route("**/inputs/*", lambda route: route.fulfill(body=served[route.request.url.rsplit("/", 1)[1]].tobytes()))
        page.goto(f"{url}/index.html")
        for name, pixels in served.items():
            browser = page.evaluate(READ_IN_PAGE, [name, pixels.shape[1], pixels.shape[0], pixels.shape[2]])
            python = recognizer.read(pixels)
            assert [(mark["kind"], tuple(mark["box"])) for mark in browser["marks"]] == [
                (mark.kind, mark.box) for mark in python.marks], name
