"""What the benchmarks feed the recognizer: MNIST test digits, a Sketchpad-like canvas, PNG files of them, and
images framed as `predict` frames them."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.server import REPO_ROOT
from digit_recognizer.preprocess import to_mnist_frame
from tests.renderings import render

MNIST_PATH = Path(os.environ.get("MNIST_PATH", REPO_ROOT.parent / "shared" / "data" / "mnist.npz"))
SKETCH_SIDE = 800
SKETCH_DIGIT = 0  # MNIST test image 0, a 7


def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (uint8 28×28, white on black) and labels, from $MNIST_PATH."""
    if not MNIST_PATH.exists():
        raise SystemExit(f"MNIST not found at {MNIST_PATH}: set MNIST_PATH to a local mnist.npz")
    with np.load(MNIST_PATH) as data:
        return data["x_test"], data["y_test"]


def framed(images) -> tuple[np.ndarray, np.ndarray]:
    """Frames of the images (any iterable: one image in memory at a time) `predict` finds ink in (as `predict`
    frames them), and which those were."""
    frames = [to_mnist_frame(image) for image in images]
    kept = np.array([frame is not None for frame in frames])
    return np.stack([frame for frame in frames if frame is not None]), kept


def sketch(images: np.ndarray) -> np.ndarray:
    """An 800×800 RGBA canvas as a Sketchpad layer holds it: black strokes of an MNIST test digit on a
    transparent background, with garbage colours under the transparent pixels."""
    return render(images[SKETCH_DIGIT], "transparent", np.random.default_rng(0), shape=(SKETCH_SIDE, SKETCH_SIDE))


def save_as_browser_png(canvas: np.ndarray, path: Path) -> Path:
    """`canvas` as a browser exports a canvas to PNG: fully transparent pixels carry no colour."""
    exported = canvas.copy()
    exported[exported[..., 3] == 0] = 0
    Image.fromarray(exported, "RGBA").save(path)
    return path
