"""`DigitRecognizer.read` as callers see it: one digit as predict reads it, boxes in input pixels,
one batched model call, the JSON the API returns, heatmaps on request."""
import json

import numpy as np
import pytest

from digit_recognizer.reading import DIGIT, to_json
from digit_recognizer.recognizer import DigitRecognizer
from handwriting import compose_number, load_pendigits, on_canvas
from renderings import render


@pytest.fixture(scope="module")
def recognizer() -> DigitRecognizer:
    return DigitRecognizer.load()


@pytest.fixture(scope="module")
def number():
    """4-digit number by writer 1 on an 800×800 transparent canvas, and its composition."""
    rng = np.random.default_rng(0)
    composed = compose_number(load_pendigits(), 1, 4, rng, height=150, shape=(800, 800))
    return on_canvas(composed.ink, "transparent", rng), composed


@pytest.mark.parametrize("form", ["transparent", "photo", "sketchpad"])
def test_a_single_digit_reads_exactly_as_predict(recognizer, mnist_test, form):
    images, labels = mnist_test
    image = render(images[0], form, np.random.default_rng(1))
    reading = recognizer.read(image)
    probabilities, frame = recognizer.predict_with_frame(image)
    assert [mark.kind for mark in reading.marks] == [DIGIT]
    assert np.array_equal(reading.marks[0].frame, frame)  # (the probabilities to float rounding: a wide digit's
    assert reading.marks[0].probabilities == pytest.approx(probabilities, abs=1e-6)  # candidates share its batch)
    assert reading.text == str(labels[0])


def test_digits_come_left_to_right_with_their_boxes_in_input_pixels(recognizer, number):
    image, composed = number
    reading = recognizer.read(image)
    assert reading.text == composed.text
    for mark, (x, y, width, height) in zip(reading.digits, composed.boxes):
        mx, my, mwidth, mheight = mark.box
        assert abs(mx + mwidth / 2 - (x + width / 2)) < 12 and abs(my + mheight / 2 - (y + height / 2)) < 12
        assert mark.frame.shape == (28, 28) and sum(mark.probabilities.values()) == pytest.approx(1)


def test_all_candidate_digits_go_through_the_model_in_one_call(recognizer, number, monkeypatch):
    calls = []
    logits = recognizer.logits
    monkeypatch.setattr(recognizer, "logits", lambda frames: calls.append(len(frames)) or logits(frames))
    recognizer.read(number[0])
    assert len(calls) == 1 and calls[0] >= 4


def test_the_api_json_holds_the_number_each_digits_top_three_and_box(recognizer, number):
    result = json.loads(json.dumps(to_json(recognizer.read(number[0]))))
    assert result["text"] == number[1].text and result["message"] == "" and result["marks"] == []
    first = result["digits"][0]
    assert first["label"] == number[1].text[0] and len(first["confidences"]) == 3 and len(first["box"]) == 4
    assert first["confidences"][0]["label"] == first["label"]
    assert "heatmap" not in first


def test_explain_adds_a_heatmap_per_digit(recognizer, number):
    reading = recognizer.read(number[0], explain=True)
    assert all(mark.heatmap.shape == (28, 28) for mark in reading.digits)
    assert np.array(to_json(reading)["digits"][0]["heatmap"]).shape == (28, 28)


@pytest.mark.parametrize("touching", [False, True])
def test_numbers_written_with_mnist_digits_are_read(recognizer, mnist_test, touching):
    """Another population's numbers than pendigits': MNIST's writers' digits side by side (benchmarks/class_prior.py
    reads 900 of each: 97 % of those with gaps exactly, 70 % of the touching ones)."""
    from benchmarks.inputs import mnist_number

    rng = np.random.default_rng(11)
    cases = [mnist_number(*mnist_test, "white", touching, rng) for _ in range(20)]
    assert all(2 <= len(text) <= 6 for _, text in cases)
    exact = np.mean([recognizer.read(image).text == text for image, text in cases])
    assert exact >= (0.5 if touching else 0.85), exact


def test_the_fitting_script_reads_as_read_does(recognizer):
    from benchmarks import fit_reader
    from digit_recognizer.reader import PIECE_WEIGHTS

    drawn = fit_reader.drawn_cases([101], numbers=1, singles=2, forms=1)
    cases = fit_reader.segmented(recognizer, drawn)
    fit_reader.with_features(cases)
    assert [fit_reader.text_read(case, PIECE_WEIGHTS) for case in cases] == [recognizer.read(image).text
                                                                            for _, _, image in drawn]


def test_digits_cut_from_touching_neighbours_are_shown_less_sure_than_whole_ones(recognizer):
    from digit_recognizer.reader import CUT_TEMPERATURE
    from digit_recognizer.recognizer import softmax

    rng = np.random.default_rng(5)
    separated = compose_number(load_pendigits(), 2, 3, rng, height=150, shape=(600, 900))
    touching = compose_number(load_pendigits(), 2, 3, rng, touching=True, height=150, shape=(600, 900))
    for composed, factor in ((separated, 1.0), (touching, CUT_TEMPERATURE)):
        reading = recognizer.read(on_canvas(composed.ink, "white", rng))
        assert reading.text == composed.text
        for mark in reading.digits:
            expected = softmax(recognizer.logits(mark.frame[None]) / (recognizer.temperature * factor))[0]
            assert [mark.probabilities[digit] for digit in "0123456789"] == pytest.approx(expected, abs=1e-5)
    assert CUT_TEMPERATURE > 1.2  # (fitted: cut digits are right less often than the model's confidence says)


def test_the_confidence_script_finds_the_digits_read_does(recognizer):
    from benchmarks import confidence

    digits = confidence.read_digits(recognizer, [5], numbers=1)
    assert 2 <= len(digits.right) <= 6 * 6 and digits.cut.any() and not digits.cut.all()
    assert digits.logits.shape == (len(digits.right), 10)
