"""What the page shows for a reading: one digit, a number, a non-digit, left-out marks, a message."""
import base64
import re

import cv2
import numpy as np

from digit_recognizer import DigitRecognizer, page
from digit_recognizer.reading import DASH, DIGIT, DOT, FRAME, NOT_A_DIGIT, OUTSIDE, Mark, Reading


def probabilities(top: str, confidence: float = 0.9) -> dict[str, float]:
    rest = (1 - confidence) / 9
    return {str(digit): confidence if str(digit) == top else rest for digit in range(10)}


def frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


def digit(label: str, x: int = 0) -> Mark:
    return Mark(DIGIT, (x, 0, 10, 10), probabilities(label), frame(x), np.zeros((28, 28)))


def images(marks_html: str, kind: str) -> list[np.ndarray]:
    """The pictures of one kind ("frame" or "heatmap") in the marks' HTML, decoded."""
    sources = re.findall(rf'<img class="{kind}" src="data:image/png;base64,([^"]+)"', marks_html)
    return [cv2.imdecode(np.frombuffer(base64.b64decode(source), np.uint8), cv2.IMREAD_UNCHANGED) for source in sources]


def test_one_digit_shows_its_top_3_and_its_whole_frame_with_its_heatmap():
    mark = digit("7")
    view = page.view_of_reading(Reading((mark,)), page.NO_DIGIT_IN_DRAWING)
    assert view.guesses == mark.probabilities and not view.unsure and not view.several_marks
    assert view.number == "" and view.message == ""
    (shown,) = images(view.marks, "frame")
    np.testing.assert_array_equal(shown, np.rint(mark.frame * 255).astype(np.uint8))  # every row and column
    assert images(view.marks, "heatmap")[0].shape == (28, 28, 3)
    assert f'width="{28 * page.FRAME_SCALE}"' in view.marks


def test_a_mark_that_is_not_a_digit_says_so_and_marks_the_closest_guesses_unsure():
    mark = Mark(NOT_A_DIGIT, (0, 0, 10, 10), probabilities("4", 0.99), frame(1))
    view = page.view_of_reading(Reading((mark,)), page.NO_DIGIT_IN_DRAWING)
    assert page.NOT_A_DIGIT_MESSAGE in view.number.replace("&#x27;", "'")
    assert view.unsure and view.guesses_title == page.UNSURE_TITLE


def test_a_number_is_shown_large_with_a_card_per_digit_and_its_left_out_marks_named():
    marks = (digit("4", 0), Mark(DOT, (20, 8, 2, 2)), digit("2", 30), Mark(DASH, (50, 5, 8, 2)),
             Mark(NOT_A_DIGIT, (70, 0, 10, 10), probabilities("1", 0.5), frame(70)))
    view = page.view_of_reading(Reading(marks), page.NO_DIGIT_IN_DRAWING)
    assert '<div class="headline number">42</div>' in view.number
    assert "Left out: a dot, a dash, not a digit" in view.number
    assert view.several_marks and view.guesses is None
    assert len(images(view.marks, "frame")) == 3 and view.marks.count('<figure class="mark') == 5
    assert '<b class="digit">4</b> <span class="top">top 3: 4 90%' in view.marks and 'class="unsure">closest: 1 50%' in view.marks


def test_a_number_in_a_box_names_the_box_and_the_mark_beside_it_left_out():
    marks = (Mark(OUTSIDE, (0, 0, 9, 12)), digit("3", 20), digit("5", 32), Mark(FRAME, (15, 0, 30, 14)))
    view = page.view_of_reading(Reading(marks), page.NO_DIGIT_IN_DRAWING)
    assert '<div class="headline number">35</div>' in view.number
    assert "Left out: a mark outside the box, a box round it" in view.number
    assert "<b>mark outside the box</b> left out" in view.marks and "<b>frame</b> left out" in view.marks


def test_only_non_digits_give_no_number_but_the_message():
    marks = (Mark(NOT_A_DIGIT, (0, 0, 9, 9), probabilities("8"), frame(0)), Mark(DOT, (20, 8, 2, 2)))
    view = page.view_of_reading(Reading(marks), page.NO_DIGIT_IN_DRAWING)
    assert "number" not in view.number and "doesn" in view.number


def test_nothing_read_shows_the_readings_message_or_else_the_hint():
    assert page.view_of_reading(Reading(), page.NO_DIGIT_IN_UPLOAD) == page.PageView(message=page.NO_DIGIT_IN_UPLOAD)
    too_many = Reading(message="More than 12 marks: only the first 12 are read.")
    assert page.view_of_reading(too_many, page.NO_DIGIT_IN_UPLOAD).message == too_many.message


def test_an_empty_canvas_asks_for_a_digit():
    recognizer = DigitRecognizer.load()
    blank = {"background": None, "layers": [np.zeros((400, 400, 4), np.uint8)], "composite": np.zeros((400, 400, 4), np.uint8)}
    for sketch in (None, blank):
        assert page.view_of_drawing(recognizer, sketch) == page.PageView(message=page.NO_DIGIT_IN_DRAWING)
