"""What the benchmarks feed the recognizer: MNIST test digits, numbers made of them, a Sketchpad-like canvas, PNG
files of them, and images framed as `predict` frames them."""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.server import REPO_ROOT
from digit_recognizer.preprocess import to_mnist_frame
from tests.handwriting import on_canvas
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


def mnist_number(images: np.ndarray, labels: np.ndarray, canvas: str, touching: bool,
                 rng: np.random.Generator) -> tuple[np.ndarray | dict, str]:
    """A 2–6 digit number of MNIST digits (one writer's style per digit: MNIST's American writers) on `canvas`
    (tests/handwriting.CANVASES), and its text: the digits scaled up 2.5–5 times, side by side at gaps of 0.1–0.4
    times their height, or (`touching`) each overlapping the one before by 0–6 % of it, as read_numbers.py's touching
    pendigits digits do."""
    chosen = rng.choice(len(images), size=int(rng.integers(2, 7)), replace=False)
    scale = rng.uniform(2.5, 5)
    parts = []
    for index in chosen:
        digit = cv2.resize(images[index].astype(np.float32) / 255, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        columns = np.flatnonzero(digit.max(axis=0) > 0.2)
        parts.append(digit[:, columns[0]:columns[-1] + 1])
    height = parts[0].shape[0]
    ink, x = np.zeros((height, sum(part.shape[1] for part in parts) + int(0.4 * height) * len(parts))), 0
    for number, part in enumerate(parts):
        if number:
            x = max(0, x - int(rng.uniform(0, 0.06) * height)) if touching else x + int(rng.uniform(0.1, 0.4) * height)
        ink[:, x:x + part.shape[1]] = np.maximum(ink[:, x:x + part.shape[1]], part)
        x += part.shape[1]
    ink = np.pad(ink[:, :x], 40).astype(np.float32)
    return on_canvas(ink, canvas, rng), "".join(str(labels[index]) for index in chosen)
