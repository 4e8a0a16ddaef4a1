"""What the page shows for a drawing or an upload: plain functions that app.py wires to Gradio events."""
from __future__ import annotations

import cv2
import numpy as np

from digit_recognizer.preprocess import ImageError
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.uploads import open_image

PREVIEW_SIZE = 196  # the 28×28 frame, enlarged 7× with visible pixels
DRAW_HINT = "Draw a digit (0–9) on the canvas: the guesses update as you draw."
NO_DIGIT_IN_DRAWING = "No digit yet: draw one with the brush, as big as you like, anywhere on the canvas."
NO_DIGIT_IN_UPLOAD = "No digit found in this image. Try a closer photo of one dark digit on light paper."

# (label value, frame preview, message): what the three output components show.
PageView = tuple[dict[str, float] | None, np.ndarray | None, str]


def enlarge(frame: np.ndarray) -> np.ndarray:
    """The 28×28 frame as a uint8 image big enough to see, pixels kept square (nearest neighbour)."""
    pixels = np.clip(np.nan_to_num(frame) * 255.0, 0, 255).astype(np.uint8)
    return cv2.resize(pixels, (PREVIEW_SIZE, PREVIEW_SIZE), interpolation=cv2.INTER_NEAREST)


def view_of(recognizer: DigitRecognizer, image, no_digit_message: str) -> PageView:
    """Read `image` and say what the page shows; a user's bad input becomes a message, never an error."""
    try:
        probabilities, frame = recognizer.predict_with_frame(image)
    except ImageError as error:
        return None, None, str(error)
    if not probabilities:
        return None, None, no_digit_message
    return probabilities, enlarge(frame), ""


def view_of_drawing(recognizer: DigitRecognizer, sketch: dict | None) -> PageView:
    """The Sketchpad's value (background, layers, composite) → what the page shows."""
    view = view_of(recognizer, sketch, NO_DIGIT_IN_DRAWING)
    # Our own canvas sends None or a sketch without layers when it is empty: any view without a
    # guess is an empty canvas, never an unreadable file.
    return (None, None, NO_DIGIT_IN_DRAWING) if view[0] is None else view


def upload_path(payload) -> str | None:
    """The server-side path of an uploaded file, from Gradio's raw FileData payload (dict or object)."""
    if payload is None:
        return None
    path = payload.get("path") if isinstance(payload, dict) else getattr(payload, "path", None)
    return path if isinstance(path, str) and path else None


def read_upload(payload):
    """An uploaded file → an image array; raises ImageError for anything that is not a readable image."""
    path = upload_path(payload)
    if path is None:
        raise ImageError("Upload an image file (PNG, JPEG, WebP, GIF or BMP).")
    return open_image(path)


def view_of_upload(recognizer: DigitRecognizer, payload) -> PageView:
    """An uploaded file (Gradio's raw payload, so that no decoder runs before ours) → what the page shows."""
    if upload_path(payload) is None:
        return None, None, ""
    try:
        image = read_upload(payload)
    except ImageError as error:
        return None, None, str(error)
    return view_of(recognizer, image, NO_DIGIT_IN_UPLOAD)


def labels_for_uploads(recognizer: DigitRecognizer, payloads: list) -> list[dict[str, float]]:
    """The API's batched endpoint: one probability dict per uploaded file, {} for no digit or a bad file."""
    return recognizer.predict_many([readable_upload(payload) for payload in payloads])


def readable_upload(payload):
    """The uploaded image, or None if the file cannot be read as one."""
    try:
        return read_upload(payload)
    except ImageError:
        return None
