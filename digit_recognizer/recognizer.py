"""Runs the trained CNN: frames any image as MNIST, calls the model once, softmaxes the logits."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from digit_recognizer.preprocess import to_mnist_frame

DIGITS = [str(digit) for digit in range(10)]


class ModelLoadError(RuntimeError):
    """The model file exists but is not a model this app can use (corrupt, wrong format or shape)."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits along the last axis (the model's output is linear)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


class DigitRecognizer:
    """One loaded model; `predict` any image. The app holds a single instance."""

    def __init__(self, model) -> None:
        import tensorflow as tf

        self.model = model
        # A traced function with a fixed signature runs in ~1 ms; `model.predict` builds a
        # data pipeline on every call (~35 ms), and eager calls take ~7 ms.
        self._logits = tf.function(
            lambda frames: model(frames, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
        )
        self._logits(np.zeros((1, 28, 28, 1), np.float32))  # trace now, not on the first visitor

    @classmethod
    def load(cls, path: str | Path | None = None) -> "DigitRecognizer":
        """Load `path`, or else the model named by $MODEL_REPO on the Hub, or else the repo's cnn_model_v2.h5."""
        from digit_recognizer.hub import model_file

        path = Path(path) if path is not None else model_file()
        if not path.is_file():
            raise ModelLoadError(f"model file {path} not found: train it with CNN_Model_Training.ipynb")
        import keras

        try:
            model = keras.models.load_model(path, compile=False)
        except Exception as error:  # h5py/keras raise many types for a damaged file
            raise ModelLoadError(
                f"model file {path} could not be loaded ({type(error).__name__}): "
                "restore it with `git checkout cnn_model_v2.h5` or retrain with CNN_Model_Training.ipynb"
            ) from None
        if tuple(model.input_shape) != (None, 28, 28, 1) or tuple(model.output_shape) != (None, 10):
            raise ModelLoadError(
                f"model file {path} maps {model.input_shape} → {model.output_shape}, "
                "expected (None, 28, 28, 1) → (None, 10)"
            )
        return cls(model)

    def probabilities(self, frames: np.ndarray) -> np.ndarray:
        """Softmax of the model's logits for a batch of 28×28 frames in [0, 1]: shape (n, 10)."""
        batch = np.asarray(frames, np.float32).reshape(-1, 28, 28, 1)
        return softmax(np.asarray(self._logits(batch), np.float64))

    def predict_with_frame(self, image) -> tuple[dict[str, float], np.ndarray | None]:
        """Probabilities for "0"…"9" and the 28×28 frame the model saw; ({}, None) when there is no ink."""
        frame = to_mnist_frame(image)
        if frame is None:
            return {}, None
        return dict(zip(DIGITS, self.probabilities(frame)[0].tolist())), frame

    def predict(self, image) -> dict[str, float]:
        """Probabilities for "0"…"9" summing to 1, or {} when the image holds no ink."""
        return self.predict_with_frame(image)[0]

    def predict_many(self, images: list) -> list[dict[str, float]]:
        """`predict` for several images with one model call (what a batched endpoint wants)."""
        frames = [to_mnist_frame(image) for image in images]
        present = [index for index, frame in enumerate(frames) if frame is not None]
        results: list[dict[str, float]] = [{} for _ in images]
        if present:
            probabilities = self.probabilities(np.stack([frames[index] for index in present]))
            for index, row in zip(present, probabilities):
                results[index] = dict(zip(DIGITS, row.tolist()))
        return results
