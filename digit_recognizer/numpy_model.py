"""The card's network (3 × conv 3×3 'same' → batch norm → ReLU → 2×2 max-pool, dense → batch norm → ReLU, linear
dense) run in NumPy, for a few frames at a time: a lone digit is read in ~0.4 ms where a call into TensorFlow costs
~0.9 ms (its dispatch, not its arithmetic); from about eight frames on, TensorFlow is as fast or faster. The weights
are the loaded Keras model's, batch normalisation folded into the layer before it; `recognizer.py` checks the result
against the model's own before it uses it.
"""
from __future__ import annotations

import numpy as np

LAYER_KINDS = ("Conv2D", "BatchNormalization", "Activation", "MaxPooling2D") * 3 + (
    "Flatten", "Dropout", "Dense", "BatchNormalization", "Activation", "Dropout", "Dense")  # (the input layer aside)


class NumpyModel:
    """`logits(frames)` of the card's network, from a Keras model of exactly that shape (`from_keras`)."""

    def __init__(self, convolutions: list, hidden: tuple, head: tuple) -> None:
        self.convolutions = convolutions  # per block: (weights (9 × channels in, channels out), bias)
        self.hidden, self.head = hidden, head  # (weights, bias) each
        self._taps = {side: _taps(side) for side in (28, 14, 7)}  # the three blocks' map sides

    @classmethod
    def from_keras(cls, model) -> "NumpyModel | None":
        """The network of `model` in NumPy, or None when `model` is not the card's network."""
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        if tuple(type(layer).__name__ for layer in layers) != LAYER_KINDS:
            return None
        if any(layer.get_config().get("activation") != "relu" for layer in layers if type(layer).__name__ == "Activation"):
            return None
        norms = [layers[index] for index in (1, 5, 9, 15)]
        if any(len(norm.get_weights()) != 4 for norm in norms):  # (centre and scale both learnt)
            return None
        for conv, pool in ((layers[index], layers[index + 3]) for index in (0, 4, 8)):
            config, pooling = conv.get_config(), pool.get_config()
            if (tuple(config["kernel_size"]) != (3, 3) or config["padding"] != "same" or tuple(config["strides"]) != (1, 1)
                    or tuple(pooling["pool_size"]) != (2, 2) or tuple(pooling["strides"]) != (2, 2)):
                return None
        if any(layers[index].get_config()["activation"] != "linear" or layers[index].get_config()["use_bias"]
               for index in (0, 4, 8, 14)) or layers[18].get_config()["activation"] != "linear":
            return None
        convolutions = [_folded(layers[index], layers[index + 1]) for index in (0, 4, 8)]
        head = layers[18].get_weights()
        return cls(convolutions, _folded(layers[14], layers[15]), (head[0].astype(np.float32), head[1].astype(np.float32)))

    def logits(self, frames: np.ndarray) -> np.ndarray:
        """The linear outputs for 28×28 frames, shape (n, 10), float64 (as the model's, to float32 rounding)."""
        x = np.asarray(frames, np.float32).reshape(-1, 28, 28, 1)
        for weights, bias in self.convolutions:
            x = _max_pooled(self._convolved(x, weights, bias))
        x = np.maximum(x.reshape(len(x), -1) @ self.hidden[0] + self.hidden[1], 0)
        return (x @ self.head[0] + self.head[1]).astype(np.float64)

    def _convolved(self, x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """A 3×3 'same' convolution plus bias, then ReLU, as one matrix product over each pixel's neighbourhood."""
        count, side, _, channels = x.shape
        padded = np.zeros((count, side + 2, side + 2, channels), np.float32)
        padded[:, 1:-1, 1:-1] = x
        neighbourhoods = padded.reshape(count, -1, channels)[:, self._taps[side]]  # count, side², 9, channels
        out = neighbourhoods.reshape(count * side * side, 9 * channels) @ weights + bias
        return np.maximum(out, 0, out=out).reshape(count, side, side, -1)


def _taps(side: int) -> np.ndarray:
    """(side², 9) indices into a side × side map padded by one pixel and flattened: each pixel's 3×3 neighbours, in
    the kernel's order (row, then column)."""
    rows, columns = (grid.reshape(-1, 1) for grid in np.meshgrid(np.arange(side), np.arange(side), indexing="ij"))
    offsets = np.arange(9)
    return (rows + offsets // 3) * (side + 2) + columns + offsets % 3


def _folded(layer, norm) -> tuple[np.ndarray, np.ndarray]:
    """A bias-free layer's kernel and the batch normalisation after it as one (weights, bias), the kernel flattened
    to (inputs, outputs) in the order `_convolved` gathers them (row, column, channel)."""
    kernel = layer.get_weights()[0]
    gamma, beta, mean, variance = norm.get_weights()
    scale = gamma / np.sqrt(variance + norm.get_config()["epsilon"])
    return (kernel * scale).reshape(-1, kernel.shape[-1]).astype(np.float32), (beta - mean * scale).astype(np.float32)


def _max_pooled(x: np.ndarray) -> np.ndarray:
    count, height, width, channels = x.shape
    half_height, half_width = height // 2, width // 2
    return x[:, :2 * half_height, :2 * half_width].reshape(count, half_height, 2, half_width, 2, channels).max(axis=(2, 4))
