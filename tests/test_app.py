"""The real server end to end: the named `predict` and `read` endpoints through gradio_client and raw HTTP."""
import json
import urllib.request

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from conftest import REPO_ROOT


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def photo_of(digit_image: np.ndarray, path) -> str:
    """An MNIST test digit as a big black-on-white PNG, the way a user might upload it."""
    big = Image.fromarray(255 - digit_image).resize((280, 280), Image.Resampling.BICUBIC)
    canvas = Image.new("L", (600, 500), 255)
    canvas.paste(big, (250, 60))
    canvas.save(path)
    return str(path)


def test_predict_endpoint_reads_an_uploaded_digit(client, mnist_test, tmp_path):
    images, labels = mnist_test
    for index in range(5):
        result = client.predict(handle_file(photo_of(images[index], tmp_path / f"{index}.png")), api_name="/predict")
        assert result["label"] == str(labels[index])
        confidences = {entry["label"]: entry["confidence"] for entry in result["confidences"]}
        assert len(confidences) >= 3 and max(confidences.values()) == confidences[str(labels[index])]


def test_predict_endpoint_gives_no_label_for_a_blank_image(client, tmp_path):
    Image.new("RGB", (300, 300), "white").save(tmp_path / "blank.png")
    result = client.predict(handle_file(str(tmp_path / "blank.png")), api_name="/predict")
    assert not result.get("label") and not result.get("confidences")


def test_predict_endpoint_survives_a_file_that_is_not_an_image(client, tmp_path):
    (tmp_path / "notes.png").write_text("this is not a PNG")
    result = client.predict(handle_file(str(tmp_path / "notes.png")), api_name="/predict")
    assert not result.get("label")


def test_examples_are_read_as_their_file_names_say(client):
    examples = sorted(path for path in (REPO_ROOT / "examples").iterdir() if path.suffix in (".png", ".jpg"))
    assert len(examples) >= 6
    for path in examples:
        expected = path.stem.split("_")[-1]
        if len(expected) > 1:  # a number (the cheque photo): read whole, its $, box and line left out
            result = client.predict(handle_file(str(path)), api_name="/read")
            assert result["text"] == expected, path.name
            assert {"outside the box", "frame", "dash"} <= {mark["kind"] for mark in result["marks"]}, path.name
        else:
            assert client.predict(handle_file(str(path)), api_name="/predict")["label"] == expected, path.name


def test_only_predict_and_read_are_public_endpoints(app_url):
    info = json.load(urllib.request.urlopen(f"{app_url}/gradio_api/info"))
    assert sorted(info["named_endpoints"]) == ["/predict", "/read"]


def test_clear_stops_the_page_listening_for_the_readings_of_the_drawing_under_way(app_url):
    """A reading already done when Clear reaches the server (too soon for Clear's count to drop it) would come back
    over the cleared page: Clear cancels the drawing's readings, and the page ignores what they send after."""
    config = json.load(urllib.request.urlopen(f"{app_url}/config"))
    elem_ids = {component["id"]: component.get("props", {}).get("elem_id") for component in config["components"]}

    def triggered_by(elem_id: str, event: str) -> list[dict]:
        return [dependency for dependency in config["dependencies"]
                if any(elem_ids.get(target) == elem_id and kind == event for target, kind in dependency["targets"])]

    readings = {dependency["id"]
                for dependency in triggered_by("sketchpad", "change") + triggered_by("predict-drawing", "click")}
    cancelled = {index for dependency in triggered_by("clear", "click") for index in dependency.get("cancels", [])}
    assert len(readings) == 2 and readings <= cancelled


def number_on_paper(digit_images: list[np.ndarray], path) -> str:
    """MNIST test digits side by side, black on white with gaps, as a photo of a written number might be."""
    canvas = Image.new("L", (120 + 220 * len(digit_images), 400), 255)
    for index, digit in enumerate(digit_images):
        canvas.paste(Image.fromarray(255 - digit).resize((200, 200), Image.Resampling.BICUBIC), (60 + 220 * index, 100))
    canvas.save(path)
    return str(path)


def test_read_endpoint_reads_a_number_left_to_right_with_boxes_and_top_3(client, mnist_test, tmp_path):
    images, labels = mnist_test
    picks = [int(np.flatnonzero(labels == digit)[0]) for digit in (4, 2, 7)]
    result = client.predict(handle_file(number_on_paper([images[index] for index in picks], tmp_path / "427.png")),
                            api_name="/read")
    assert result["text"] == "427"
    assert [digit["label"] for digit in result["digits"]] == ["4", "2", "7"]
    lefts = [digit["box"][0] for digit in result["digits"]]
    assert lefts == sorted(lefts) and all(len(digit["confidences"]) == 3 for digit in result["digits"])
    assert all("heatmap" not in digit for digit in result["digits"])  # explain is off by default: fast


def test_read_endpoint_explains_on_request_with_each_digits_frame_and_heatmap(client, mnist_test, tmp_path):
    images, labels = mnist_test
    result = client.predict(handle_file(photo_of(images[0], tmp_path / "digit.png")), True, api_name="/read")
    (digit,) = result["digits"]
    assert digit["label"] == str(labels[0])
    frame, heatmap = np.array(digit["frame"]), np.array(digit["heatmap"])
    assert frame.shape == heatmap.shape == (28, 28)
    assert np.abs(heatmap).max() == pytest.approx(1.0, abs=1e-3) and (heatmap[frame == 0] == 0).all()


def test_read_endpoint_answers_a_file_that_is_not_an_image_with_a_message(client, tmp_path):
    (tmp_path / "notes.png").write_text("this is not a PNG")
    result = client.predict(handle_file(str(tmp_path / "notes.png")), api_name="/read")
    assert (result["text"], result["digits"]) == ("", []) and result["message"]
