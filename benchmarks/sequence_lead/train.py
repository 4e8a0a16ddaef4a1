"""Trains the sequence reader: a small convolutional network over the strip (28 × 140 → 35 columns), a
bidirectional GRU, and 11 outputs per column (a blank, then the digits 0–9) trained with CTC, so a mark is read as
a sequence of digits without cutting it. Non-digit drawings are labelled with no digits at all.

    python -m benchmarks.sequence_lead.train --out /tmp/sequence.keras     # 32 min on 2 cores (measured 2026-11-24)

MNIST and Quick, Draw! come from $MNIST_PATH and $QUICKDRAW_PATH (default ../shared/data/).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def build(width: int):
    import keras
    from keras import layers

    inputs = keras.Input((28, width, 1))
    x = inputs
    for filters, pool in ((32, True), (64, True), (128, False)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        if pool:
            x = layers.MaxPooling2D(2)(x)
    x = layers.Permute((2, 1, 3))(x)  # columns first: one time step per column
    x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
    x = layers.Dropout(0.25)(layers.Dense(128, activation="relu")(x))
    x = layers.Bidirectional(layers.GRU(64, return_sequences=True))(x)
    return keras.Model(inputs, layers.Dense(11)(x), name="sequence_reader")


def train(strips: np.ndarray, targets: np.ndarray, epochs: int, seed: int):
    import keras
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    keras.utils.set_random_seed(seed)
    order = np.random.default_rng(seed).permutation(len(targets))
    strips, targets = strips[order][..., None], targets[order]
    model = build(strips.shape[2])
    steps = len(targets) // 128
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, epochs * steps)), keras.losses.CTC())
    augmenter = ImageDataGenerator(rotation_range=4, shear_range=12, zoom_range=0.06, width_shift_range=0.02,
                                   height_shift_range=0.06)

    def batches():
        flow = augmenter.flow(strips, targets, batch_size=128, seed=seed)
        while True:
            for index in range(len(flow)):
                yield flow[index]
            flow.on_epoch_end()

    model.fit(batches(), epochs=epochs, steps_per_epoch=steps, verbose=2)
    return model


def main() -> None:
    from benchmarks.sequence_lead.data import training_strips

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="where the trained model goes (.keras)")
    parser.add_argument("--digit-rows", type=int, default=100_000)
    parser.add_argument("--non-digits", type=int, default=24_000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    strips, targets = training_strips(args.digit_rows, args.non_digits, args.seed,
                                      os.environ.get("MNIST_PATH", str(DATA / "mnist.npz")),
                                      os.environ.get("QUICKDRAW_PATH", str(DATA / "quickdraw_6.npz")))
    print(f"{len(targets)} strips in {time.perf_counter() - started:.0f} s")
    train(strips, targets, args.epochs, args.seed).save(args.out)
    print(f"saved {args.out} after {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
