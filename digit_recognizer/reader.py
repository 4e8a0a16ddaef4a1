"""Reads a whole image: finds the marks in it and reads each digit (placeholder: the image is one digit)."""
from __future__ import annotations

from digit_recognizer.preprocess import to_mnist_frame
from digit_recognizer.reading import DIGIT, NOT_A_DIGIT, Mark, Reading

DIGITS = [str(digit) for digit in range(10)]


def read(recognizer, image, explain: bool = False) -> Reading:
    """Placeholder until segmentation lands: the whole image framed as one mark."""
    frame = to_mnist_frame(image)
    if frame is None:
        return Reading()
    logits = recognizer.logits(frame[None])
    probabilities = dict(zip(DIGITS, recognizer.calibrated(logits)[0].tolist()))
    kind = DIGIT if recognizer.is_digit(logits)[0] else NOT_A_DIGIT
    height, width = frame.shape  # (placeholder box)
    return Reading((Mark(kind, (0, 0, width, height), probabilities, frame),))
