"""The browser's model (web/model.onnx, web/model.json) is the shipped cnn_model_v2.h5, exported by web/export_model.py."""
import json

import numpy as np
import onnx
import onnxruntime
import pytest

from conftest import REPO_ROOT
from digit_recognizer import DigitRecognizer
from web.export_model import MODEL, REGENERATE, sha256

WEB = REPO_ROOT / "web"


@pytest.fixture(scope="module")
def recognizer():
    return DigitRecognizer.load()


@pytest.fixture(scope="module")
def session():
    return onnxruntime.InferenceSession(str(WEB / "model.onnx"), providers=["CPUExecutionProvider"])


def test_exported_logits_match_keras_within_1e_4(recognizer, session, mnist_test):
    rng = np.random.default_rng(0)
    digits = mnist_test[0][rng.choice(len(mnist_test[0]), 200, replace=False)].astype(np.float32) / 255
    noise = rng.random((40, 28, 28), np.float32)  # far from any digit: large, unusual logits
    frames = np.concatenate([digits, noise])[..., None]
    expected = np.asarray(recognizer.model(frames, training=False))
    (exported,) = session.run(["logits"], {"frames": frames})
    assert exported.shape == (240, 10)
    assert np.abs(exported - expected).max() <= 1e-4
    assert np.array_equal(exported.argmax(axis=1), expected.argmax(axis=1))


def test_export_is_of_the_shipped_model_with_its_calibration(recognizer):
    settings = json.loads((WEB / "model.json").read_text())
    assert settings["source_sha256"] == sha256(MODEL), "cnn_model_v2.h5 changed: run python web/export_model.py"
    assert settings["temperature"] == pytest.approx(recognizer.temperature)
    assert settings["energy_threshold"] == (None if recognizer.energy_threshold is None
                                            else pytest.approx(recognizer.energy_threshold))


def test_exported_model_says_how_to_regenerate_it():
    properties = {entry.key: entry.value for entry in onnx.load(str(WEB / "model.onnx")).metadata_props}
    assert properties["regenerate"] == REGENERATE
    assert properties["source_sha256"] == sha256(MODEL)
