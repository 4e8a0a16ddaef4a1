"""Why the model guessed what it did: per-pixel heatmaps (input gradient × input) for a batch of frames."""
from __future__ import annotations

import weakref

import cv2
import numpy as np

SMOOTHING = 1.0  # σ in pixels of the Gaussian that smooths the gradient (measured most faithful of 0, 1, 2)

# One traced gradient function per loaded model (tracing costs ~0.3 s; each later call a few ms).
_GRADIENT_FUNCTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def heatmaps(recognizer, frames: np.ndarray, classes) -> np.ndarray:
    """Which pixels of each 28×28 frame pushed the model towards its class in `classes`: shape (n, 28, 28).

    Each map is the gradient of that class's lead over the runner-up (its logit minus the next
    highest) with respect to the frame: what made it this digit rather than the next best (the
    stroke a 7 shares with a 1 counts little, its bar much), smoothed over a pixel or two (one pixel's gradient looks like noise to a person), times
    the frame (so only ink counts), scaled so that its largest magnitude is 1: values in [-1, 1],
    positive where the ink pushed towards the class, negative where it pushed away. A frame
    without ink gets a map of zeros. All frames go through the model in one batched call.
    """
    batch = np.asarray(frames, np.float32).reshape(-1, 28, 28, 1)
    classes = np.asarray(classes, np.int32).reshape(-1)
    if len(classes) != len(batch):
        raise ValueError(f"{len(batch)} frames but {len(classes)} classes")
    if len(batch) == 0:
        return np.zeros((0, 28, 28), np.float32)
    gradients = np.asarray(_gradient_function(recognizer.model)(batch, classes))
    smoothed = np.stack([cv2.GaussianBlur(gradient, (7, 7), SMOOTHING) for gradient in gradients[..., 0]])
    contributions = smoothed * batch[..., 0]
    largest = np.abs(contributions).max(axis=(1, 2), keepdims=True)
    return np.divide(contributions, largest, out=np.zeros_like(contributions), where=largest > 0)


def _gradient_function(model):
    """∂ (logit[class] − the highest other logit) / ∂ frame for a batch, traced once per model."""
    function = _GRADIENT_FUNCTIONS.get(model)
    if function is None:
        import tensorflow as tf

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32), tf.TensorSpec([None], tf.int32)])
        def function(frames, classes):
            with tf.GradientTape() as tape:
                tape.watch(frames)
                logits = model(frames, training=False)
                chosen = tf.one_hot(classes, 10)
                # The class's lead over the runner-up: unlike its probability it does not saturate near 1.
                lead = tf.reduce_sum(logits * chosen, axis=1) - tf.reduce_max(logits - 1e9 * chosen, axis=1)
            return tape.gradient(lead, frames)

        _GRADIENT_FUNCTIONS[model] = function
    return function
