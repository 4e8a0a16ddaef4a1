"""Heatmaps of why the model guessed: on the ink, in range, batched, and pointing at pixels that matter."""
import numpy as np
import pytest

from digit_recognizer import DigitRecognizer
from digit_recognizer.explain import heatmaps
from digit_recognizer.preprocess import to_mnist_frame
from renderings import render


@pytest.fixture(scope="module")
def recognizer():
    return DigitRecognizer.load()


@pytest.fixture(scope="module")
def drawn_frames(mnist_test):
    """Frames of MNIST test digits drawn with a brush on Sketchpad-like canvases, and their labels."""
    images, labels = mnist_test
    rng = np.random.default_rng(0)
    frames = np.stack([to_mnist_frame(render(images[index], "sketchpad", rng)) for index in range(12)])
    return frames, labels[:12]


def test_heatmaps_have_one_28_by_28_map_per_frame_scaled_to_at_most_one(recognizer, drawn_frames):
    frames, labels = drawn_frames
    maps = heatmaps(recognizer, frames, labels)
    assert maps.shape == (12, 28, 28) and np.isfinite(maps).all()
    assert np.allclose(np.abs(maps).max(axis=(1, 2)), 1.0)


def test_strongest_pixels_of_a_drawn_digit_lie_on_the_ink(recognizer, drawn_frames):
    frames, labels = drawn_frames
    for frame, heatmap in zip(frames, heatmaps(recognizer, frames, labels)):
        strongest = np.argsort(np.abs(heatmap).ravel())[-30:]
        assert (frame.ravel()[strongest] > 0.1).all()
        assert (heatmap[frame == 0] == 0).all()


def test_a_batch_gives_the_same_maps_as_one_frame_at_a_time(recognizer, drawn_frames):
    frames, labels = drawn_frames
    together = heatmaps(recognizer, frames[:4], labels[:4])
    alone = np.concatenate([heatmaps(recognizer, frames[index:index + 1], labels[index:index + 1]) for index in range(4)])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_erasing_the_hottest_ink_lowers_the_guess_more_than_erasing_as_much_cold_ink(recognizer, drawn_frames):
    frames, labels = drawn_frames
    maps = heatmaps(recognizer, frames, labels)
    hottest, other = frames.copy(), frames.copy()
    for index, (frame, heatmap) in enumerate(zip(frames, maps)):
        ink = np.flatnonzero(frame.ravel() > 0)
        by_heat = ink[np.argsort(-heatmap.ravel()[ink])]
        count = len(ink) // 5
        hottest[index].ravel()[by_heat[:count]] = 0
        other[index].ravel()[by_heat[-count:]] = 0

    def margin(batch):  # how far each frame's label leads the runner-up: what the heatmaps explain
        logits = recognizer.logits(batch)
        rows = np.arange(len(labels))
        label_logits = logits[rows, labels].copy()
        logits[rows, labels] = -np.inf
        return label_logits - logits.max(axis=1)

    drop_hottest = margin(frames) - margin(hottest)
    drop_other = margin(frames) - margin(other)
    assert (drop_hottest > drop_other).mean() >= 0.75  # by chance: 0.5


def test_a_frame_without_ink_gets_a_map_of_zeros_and_an_empty_batch_an_empty_result(recognizer):
    assert (heatmaps(recognizer, np.zeros((1, 28, 28)), [3]) == 0).all()
    assert heatmaps(recognizer, np.zeros((0, 28, 28)), []).shape == (0, 28, 28)
