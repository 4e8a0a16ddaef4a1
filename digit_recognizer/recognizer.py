"""Runs the trained CNN: frames any image as MNIST, calls the model once, softmaxes the logits with the
fitted temperature, and tells digits from non-digits by their energy (both saved in metrics.json)."""
from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from digit_recognizer.numpy_model import NumpyModel
from digit_recognizer.pixels import ImageError
from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.reading import Reading

DIGITS = [str(digit) for digit in range(10)]
FEW_FRAMES = 4  # up to this many frames go through numpy_model.py (faster than a TensorFlow call for so few)
LFS_POINTER = b"version https://git-lfs.github.com/spec/"  # how a file stored with Git LFS starts when not pulled


class ModelLoadError(RuntimeError):
    """The model file exists but is not a model this app can use (corrupt, wrong format or shape)."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits along the last axis (the model's output is linear)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def energy(logits: np.ndarray) -> np.ndarray:
    """−logsumexp of the logits along the last axis: low for digits, high for what the model has not seen as one."""
    logits = np.asarray(logits, np.float64)
    top = logits.max(axis=-1)
    return -(top + np.log(np.exp(logits - top[..., None]).sum(axis=-1)))


class DigitRecognizer:
    """One loaded model; `predict` any image. The app holds a single instance."""

    def __init__(self, model, temperature: float = 1.0, energy_threshold: float | None = None) -> None:
        import tensorflow as tf

        self.model = model
        self.temperature = temperature  # softmax(logits / temperature): fitted in the notebook (metrics.json)
        self.energy_threshold = energy_threshold  # a frame whose energy is above it is not a digit; None: all are
        # More than FEW_FRAMES frames: the concrete function of a traced model call, called directly (~1.4 ms for
        # four frames, ~8 ms for fifty on 2 cores). `model.predict` builds a data pipeline on every call (~35 ms),
        # eager calls take ~7 ms, and calling through `tf.function` (or XLA, which compiles once per batch size)
        # costs ~0.15 ms more.
        self._logits = tf.function(
            lambda frames: model(frames, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
        ).get_concrete_function()  # traced now, and run once, not on the first visitor
        self._logits(np.zeros((1, 28, 28, 1), np.float32))
        self._few = _checked(NumpyModel.from_keras(model), self._logits)  # a lone digit's call: ~0.4 ms instead of ~0.9

    @classmethod
    def load(cls, path: str | Path | None = None) -> "DigitRecognizer":
        """Load `path`, or else the model named by $MODEL_REPO on the Hub, or else the repo's cnn_model_v2.h5.

        The temperature and the energy threshold come from the metrics.json beside the model file (what
        the training notebook writes). Without that file, or without those keys in it, the model runs
        uncalibrated: temperature 1 (a plain softmax) and no threshold (every mark counts as a digit).
        """
        from digit_recognizer.hub import METRICS_FILENAME, model_file  # (metrics beside the model: its calibration)

        path = Path(path) if path is not None else model_file()
        if not path.is_file():
            raise ModelLoadError(f"model file {path} not found: train it with CNN_Model_Training.ipynb")
        with path.open("rb") as file:
            start = file.read(len(LFS_POINTER))
        if start == LFS_POINTER:
            raise ModelLoadError(
                f"model file {path} is a Git LFS pointer, not the model (the repository was cloned without "
                "git-lfs): install git-lfs and run `git lfs pull`"
            )
        with tensorflow_logs_at_their_level():
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
        return cls(model, **calibration(path.with_name(METRICS_FILENAME)))

    def logits(self, frames: np.ndarray) -> np.ndarray:
        """The model's raw (linear) outputs for a batch of 28×28 frames in [0, 1], in one call: shape (n, 10)."""
        batch = np.asarray(frames, np.float32).reshape(-1, 28, 28, 1)
        if self._few is not None and len(batch) <= FEW_FRAMES:
            return self._few.logits(batch)
        return np.asarray(self._logits(batch), np.float64)

    def calibrated(self, logits: np.ndarray, factor: float | np.ndarray = 1.0) -> np.ndarray:
        """Probabilities from logits with the fitted temperature (times `factor`: one, or one per row, shape (n, 1)):
        shape (n, 10)."""
        return softmax(np.asarray(logits, np.float64) / (self.temperature * factor))

    def energy(self, logits: np.ndarray) -> np.ndarray:
        """−logsumexp of the logits, shape (n,) (`energy`)."""
        return energy(logits)

    def is_digit(self, logits: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
        """Whether each frame reads as a digit at all (energy at or below the saved threshold, plus `shift`'s entry
        for the frame's top guess when given, one per class): shape (n,)."""
        logits = np.asarray(logits, np.float64)
        energies = energy(logits)
        if self.energy_threshold is None:
            return np.ones(energies.shape, bool)
        threshold = self.energy_threshold + (0.0 if shift is None else np.asarray(shift)[logits.argmax(axis=-1)])
        return energies <= threshold

    def probabilities(self, frames: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for a batch of 28×28 frames in [0, 1]: shape (n, 10)."""
        return self.calibrated(self.logits(frames))

    def read(self, image, explain: bool = False) -> Reading:
        """Every digit (and other mark) in `image`, left to right; see reading.Reading."""
        from digit_recognizer.reader import read

        return read(self, image, explain=explain)

    def predict_with_frame(self, image) -> tuple[dict[str, float], np.ndarray | None]:
        """Probabilities for "0"…"9" and the 28×28 frame the model saw; ({}, None) when there is no ink."""
        frame = to_mnist_frame(image)
        if frame is None:
            return {}, None
        return dict(zip(DIGITS, self.probabilities(frame)[0].tolist())), frame

    def predict(self, image) -> dict[str, float]:
        """Calibrated probabilities for "0"…"9" summing to 1, or {} when the image holds no ink.

        A drawing that is not a digit still gets ten probabilities (spread out, the top one usually
        low): `read` says whether each mark is a digit at all.
        """
        return self.predict_with_frame(image)[0]

    def predict_many(self, images: list) -> list[dict[str, float]]:
        """`predict` for several images with one model call (what a batched endpoint wants). One
        image's trouble stays its own: None, an unreadable image or no ink each give {}."""
        frames = [_frame_or_none(image) for image in images]
        present = [index for index, frame in enumerate(frames) if frame is not None]
        results: list[dict[str, float]] = [{} for _ in images]
        if present:
            probabilities = self.probabilities(np.stack([frames[index] for index in present]))
            for index, row in zip(present, probabilities):
                results[index] = dict(zip(DIGITS, row.tolist()))
        return results


def _checked(few: NumpyModel | None, call) -> NumpyModel | None:
    """`few` if it gives the model's own logits (`call`) for a few probe frames, to float32 rounding; else None."""
    if few is None:
        return None
    probes = np.random.default_rng(0).random((FEW_FRAMES, 28, 28, 1), np.float32) ** 4  # sparse, ink-like
    expected = np.asarray(call(probes), np.float64)
    return few if np.allclose(few.logits(probes), expected, rtol=1e-4, atol=1e-3) else None


def calibration(metrics_path: Path) -> dict:
    """{"temperature": T, "energy_threshold": E} from a training run's metrics.json; T = 1 and E = None
    for what is missing (no file, or a file from before calibration)."""
    try:
        metrics = json.loads(metrics_path.read_text())
    except (OSError, ValueError):
        metrics = {}
    temperature = metrics.get("temperature") if isinstance(metrics, dict) else None
    threshold = metrics.get("energy_threshold") if isinstance(metrics, dict) else None
    valid_temperature = isinstance(temperature, (int, float)) and np.isfinite(temperature) and temperature > 0
    valid_threshold = isinstance(threshold, (int, float)) and np.isfinite(threshold)
    return {"temperature": float(temperature) if valid_temperature else 1.0,
            "energy_threshold": float(threshold) if valid_threshold else None}


def _frame_or_none(image) -> np.ndarray | None:
    if image is None:
        return None
    try:
        return to_mnist_frame(image)
    except ImageError:
        return None


# An absl log line ("I0000 00:00:1795306378.470409   26780 port.cc:153] oneDNN custom operations…")
# and the banner absl prints before its first lines when logging is not initialised yet.
ABSL_LINE = re.compile(rb"([IWEF])\d{4} \d+:\d+:\d+\.\d+ +\d+ \S+:\d+\] ")
ABSL_BANNER = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
SEVERITIES = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}


@contextmanager
def tensorflow_logs_at_their_level() -> Iterator[None]:
    """Apply TF_CPP_MIN_LOG_LEVEL to the lines TensorFlow's C++ libraries log while they load.

    TensorFlow 2.21 logs through absl, which writes everything logged before it is initialised
    straight to stderr, whatever the level (oneDNN and CUDA notices, twice, at every start). While
    TensorFlow loads, stderr goes through a pipe that drops those lines below the level and passes
    every other line on as it comes (so a crash still shows everything before it).
    """
    setting = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0").strip()
    level = int(setting) if setting.isdigit() else 0
    if level == 0:
        yield
        return
    sys.stderr.flush()
    stderr = os.dup(2)
    reading, writing = os.pipe()
    os.dup2(writing, 2)
    os.close(writing)
    forwarder = threading.Thread(target=_forward_lines, args=(reading, os.dup(stderr), level), daemon=True)
    forwarder.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(stderr, 2)  # closes the pipe's last writing end: the forwarder reads to the end and stops
        os.close(stderr)
        forwarder.join(timeout=10)


def _forward_lines(reading: int, destination: int, level: int) -> None:
    with open(reading, "rb") as lines, open(destination, "wb") as stderr:
        for line in lines:
            if not _absl_below(level, line):
                stderr.write(line)
                stderr.flush()


def _absl_below(level: int, line: bytes) -> bool:
    """Whether `line` is an absl log line, or absl's banner (a warning), of a severity below `level`."""
    absl = ABSL_LINE.match(line)
    severity = SEVERITIES[absl.group(1)] if absl else SEVERITIES[b"W"] if line.startswith(ABSL_BANNER) else None
    return severity is not None and severity < level
