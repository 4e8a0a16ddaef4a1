"""The seeds' recipe, kept only to compare against: drop alpha, grey, squash to 28×28, invert, `model.predict`."""
from __future__ import annotations

import cv2
import numpy as np


def seeds_frame(image: np.ndarray | dict) -> np.ndarray:
    """The 28×28 frame the seeds gave the model (a Sketchpad value is read through its composite, else its layer)."""
    if isinstance(image, dict):
        image = image["composite"] if image["composite"] is not None else image["layers"][0]
    colour = image[..., :3] if image.ndim == 3 else np.dstack([image] * 3)
    grey = cv2.cvtColor(np.ascontiguousarray(colour), cv2.COLOR_RGB2GRAY)
    return (255 - cv2.resize(grey, (28, 28))).astype(np.float32) / 255


def seeds_predict(model, image: np.ndarray | dict) -> np.ndarray:
    """The seeds' whole prediction: their frame through Keras' `model.predict` (a new data pipeline per call)."""
    return model.predict(seeds_frame(image).reshape(1, 28, 28, 1), verbose=0)[0]
