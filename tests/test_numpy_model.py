"""numpy_model.py: the card's network in NumPy, which reads a few frames at a time (a lone digit), gives the
Keras model's own logits; any other network is left to TensorFlow."""
import keras
import numpy as np
import pytest

from digit_recognizer import DigitRecognizer
from digit_recognizer.numpy_model import NumpyModel
from digit_recognizer.recognizer import FEW_FRAMES


@pytest.fixture(scope="module")
def recognizer():
    return DigitRecognizer.load()


@pytest.fixture(scope="module")
def frames(mnist_test):
    """64 MNIST test digits and 16 frames of sparse noise, 28×28 in [0, 1]."""
    noise = np.random.default_rng(1).random((16, 28, 28), np.float32) ** 6
    return np.concatenate([mnist_test[0][:64].astype(np.float32) / 255.0, noise])


def test_the_numpy_network_gives_the_keras_models_logits(recognizer, frames):
    expected = np.asarray(recognizer.model(frames[..., np.newaxis], training=False), np.float64)
    logits = NumpyModel.from_keras(recognizer.model).logits(frames)
    np.testing.assert_allclose(logits, expected, atol=1e-3, rtol=1e-4)
    assert (logits.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_a_few_frames_read_as_they_read_in_a_big_batch(recognizer, frames):
    big = recognizer.logits(frames)  # more than FEW_FRAMES: TensorFlow
    for start in range(0, 20, FEW_FRAMES):
        few = recognizer.logits(frames[start:start + FEW_FRAMES])
        np.testing.assert_allclose(few, big[start:start + FEW_FRAMES], atol=1e-3, rtol=1e-4)
    np.testing.assert_allclose(recognizer.probabilities(frames[:1]), recognizer.probabilities(frames)[:1], atol=1e-6)


def test_another_network_is_left_to_tensorflow():
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    assert NumpyModel.from_keras(model) is None
    frame = np.random.default_rng(2).random((1, 28, 28), np.float32)
    expected = np.asarray(model(frame[..., np.newaxis]), np.float64)
    np.testing.assert_allclose(DigitRecognizer(model).logits(frame), expected, rtol=1e-5, atol=1e-6)
