"""Reads handwritten digits: any image → an MNIST frame → the CNN → probabilities for 0–9.

`DigitRecognizer` (in `recognizer.py`) is imported lazily, so that `python -m
digit_recognizer.hub` starts without loading TensorFlow.
"""

__all__ = ["DigitRecognizer", "ImageError"]


def __getattr__(name: str):
    if name == "DigitRecognizer":
        from digit_recognizer.recognizer import DigitRecognizer

        return DigitRecognizer
    if name == "ImageError":
        from digit_recognizer.pixels import ImageError

        return ImageError
    raise AttributeError(f"module 'digit_recognizer' has no attribute {name!r}")
