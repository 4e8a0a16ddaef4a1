"""Lines of writing: a number written under another is read after it, on a line of its own, not interleaved with it
by their columns; digits going down a slope, a dot above a digit or a comma below it, an 8 drawn as two loops
make no second line."""
import json

import numpy as np
import pytest

from digit_recognizer.lines import line_bands
from digit_recognizer.reading import to_json
from digit_recognizer.recognizer import DigitRecognizer
from handwriting import compose_number, load_pendigits, on_canvas, one_under_the_other


@pytest.fixture(scope="module")
def recognizer() -> DigitRecognizer:
    return DigitRecognizer.load()


def stacked(rng, pendigits, gap: int):
    writer = int(rng.integers(1, 31))
    first, second = (compose_number(pendigits, writer, int(rng.integers(2, 5)), rng, margin=20) for _ in range(2))
    return one_under_the_other(first.ink, second.ink, gap), first.text, second.text


def test_a_number_under_another_is_read_after_it_on_a_line_of_its_own(recognizer):
    rng, pendigits = np.random.default_rng(1), load_pendigits()
    lines_found = exact = 0
    for number in range(30):
        ink, first, second = stacked(rng, pendigits, int(rng.integers(0, 40)))
        reading = recognizer.read(on_canvas(ink, ("transparent", "white", "photo")[number % 3], rng))
        lines = [[mark for mark in reading.digits if mark.line == line] for line in (0, 1)]
        lines_found += [len(line) for line in lines] == [len(first), len(second)] and len(reading.digits) == len(
            first + second)
        exact += reading.text == f"{first}\n{second}"
    assert lines_found >= 27  # (measured: 28 of 30: the touching "24" of 924 read as one digit; a
    # thick 48 over a thin 055 half its height read as one line)
    assert exact >= 20  # (measured: 23 of 30; the rest are the model's misreads, as on one line)


def test_the_api_says_which_line_each_digit_is_on(recognizer):
    rng = np.random.default_rng(2)
    first = compose_number(load_pendigits(), 4, 2, rng, margin=20)
    second = compose_number(load_pendigits(), 4, 3, rng, margin=20)
    reading = recognizer.read(on_canvas(one_under_the_other(first.ink, second.ink, 20), "white", rng))
    result = json.loads(json.dumps(to_json(reading)))
    assert result["text"] == f"{first.text}\n{second.text}"
    assert [digit["line"] for digit in result["digits"]] == [0, 0, 1, 1, 1]
    assert max(digit["box"][1] for digit in result["digits"][:2]) < min(digit["box"][1] for digit in result["digits"][2:])


def test_line_bands_part_runs_of_digits_one_under_the_other_only():
    digit = 40
    two_lines = np.array([[0, 0, 30, 40], [40, 2, 30, 38], [5, 60, 30, 40], [45, 58, 30, 40]])
    assert line_bands(two_lines, digit, 120) == [(0, 49), (49, 120)]
    down_a_slope = np.array([[0, 0, 30, 40], [40, 45, 30, 40], [80, 90, 30, 40]])  # one after another: one line
    assert line_bands(down_a_slope, digit, 150) == [(0, 150)]
    dot_above_and_comma_below = np.array([[10, 0, 6, 6], [0, 12, 30, 40], [40, 12, 30, 40], [72, 60, 6, 10]])
    assert line_bands(dot_above_and_comma_below, digit, 80) == [(0, 80)]
    dash_between_lines = np.array([[0, 0, 30, 40], [0, 46, 60, 4], [0, 62, 30, 40]])  # joins the line above it
    assert line_bands(dash_between_lines, digit, 110) == [(0, 56), (56, 110)]
    eight_in_two_loops = np.array([[0, 0, 30, 20], [2, 22, 28, 20]])  # (its loops are the tallest parts)
    assert line_bands(eight_in_two_loops, 20, 50) == [(0, 50)]


@pytest.mark.parametrize("index", [6667, 1882, 1387, 256])
def test_an_8_drawn_as_two_loops_one_over_the_other_is_one_digit(recognizer, index):
    from handwriting import pendigit

    pendigits = load_pendigits()
    assert pendigits.labels[index] == 8
    reading = recognizer.read(pendigit(pendigits.strokes(index), "white", np.random.default_rng(index)))
    assert len(reading.digits) == 1 and {mark.line for mark in reading.marks} == {0}
