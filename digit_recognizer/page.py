"""What the page shows for a drawing or an upload, and what the API's endpoints answer: plain functions
that app.py wires to Gradio events."""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass

import cv2
import numpy as np

from digit_recognizer.pixels import ImageError
from digit_recognizer.reading import DASH, DIGIT, DOT, FRAME, NOT_A_DIGIT, OUTSIDE, Mark, Reading, to_json
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.uploads import open_image

FRAME_SCALE = 7  # one digit: its 28×28 frame shown 196 px wide, every pixel a 7×7 square
NUMBER_FRAME_SCALE = 4  # each digit of a number: 112 px
DRAW_HINT = "Draw a digit (0–9), or a whole number, on the canvas: the guesses update as you draw."
NO_DIGIT_IN_DRAWING = "No digit yet: draw one with the brush, as big as you like, anywhere on the canvas."
NO_DIGIT_IN_UPLOAD = "No digit found in this image. Try a closer photo of dark digits on light paper."
NOT_A_DIGIT_MESSAGE = "That doesn't look like a digit"
GUESSES_TITLE = "Top 3 guesses"
UNSURE_TITLE = "Closest digits (unsure: it doesn't look like one)"
LEFT_OUT = {NOT_A_DIGIT: "not a digit", DOT: "a dot", DASH: "a dash", FRAME: "a box round it",
            OUTSIDE: "a mark outside the box"}
CAPTIONS = {OUTSIDE: "mark outside the box"}  # a mark left out, where its kind alone reads badly (as web/page.js)


@dataclass(frozen=True)
class PageView:
    """What the result components show."""

    number: str = ""  # HTML: the number read, large, or that the drawing is not a digit
    guesses: dict[str, float] | None = None  # the top-3 of a lone mark; None when there is none (or several)
    unsure: bool = False  # the guesses are the closest digits to a mark that is not one
    message: str = ""  # a hint or why nothing was read
    marks: str = ""  # HTML: each mark's 28×28 frame, heatmap and (for a number) top-3
    several_marks: bool = False  # a number: each digit's top-3 is in its card, the top-3 box is hidden

    @property
    def guesses_title(self) -> str:
        return UNSURE_TITLE if self.unsure else GUESSES_TITLE


def view_of_reading(reading: Reading, no_digit_message: str) -> PageView:
    """What the page shows for a reading: one digit as the top-3, a number large with a card per mark."""
    read = [mark for mark in reading.marks if mark.probabilities]
    if not reading.marks:
        return PageView(message=reading.message or no_digit_message)
    if len(reading.marks) == 1 and read:
        (mark,) = read
        unsure = mark.kind == NOT_A_DIGIT
        number = headline(NOT_A_DIGIT_MESSAGE, "not-a-digit") if unsure else ""
        return PageView(number, mark.probabilities, unsure, reading.message, marks_html(reading.marks, FRAME_SCALE))
    if reading.digits:
        number = headline(reading.text, "number") + left_out_line(reading.marks)
    elif any(mark.kind == NOT_A_DIGIT for mark in reading.marks):
        number = headline(NOT_A_DIGIT_MESSAGE, "not-a-digit") + left_out_line(reading.marks)
    else:
        number = headline("No digit here", "not-a-digit") + left_out_line(reading.marks)
    return PageView(number, None, False, reading.message, marks_html(reading.marks, NUMBER_FRAME_SCALE), True)


def view_of_drawing(recognizer: DigitRecognizer, sketch: dict | None) -> PageView:
    """The Sketchpad's value (background, layers, composite) → what the page shows."""
    try:
        reading = recognizer.read(sketch, explain=True)
    except ImageError:  # our own canvas sends None or a sketch without layers when it is empty
        reading = Reading()
    return view_of_reading(reading, NO_DIGIT_IN_DRAWING)


def view_of_upload(recognizer: DigitRecognizer, payload) -> PageView:
    """An uploaded file (Gradio's raw payload, so that no decoder runs before ours) → what the page shows."""
    if upload_path(payload) is None:
        return PageView()
    try:
        reading = recognizer.read(read_upload(payload), explain=True)
    except ImageError as error:  # a user's bad file becomes a message, never an error
        return PageView(message=str(error))
    return view_of_reading(reading, NO_DIGIT_IN_UPLOAD)


# --- HTML of the results ------------------------------------------------------------------------


def headline(text: str, kind: str) -> str:
    return f'<div class="headline {kind}">{html.escape(text)}</div>'


def left_out_line(marks: tuple[Mark, ...]) -> str:
    """One line naming the marks left out of the number ("" when there are none)."""
    left_out = [LEFT_OUT[mark.kind] for mark in marks if mark.kind in LEFT_OUT]
    return f'<div class="left-out">Left out: {html.escape(", ".join(left_out))}</div>' if left_out else ""


def marks_html(marks: tuple[Mark, ...], scale: int) -> str:
    """A card per mark, left to right: its frame and heatmap, and for a number its top-3."""
    alone = len(marks) == 1
    return '<div class="marks">' + "".join(mark_card(mark, scale, alone) for mark in marks) + "</div>"


def mark_card(mark: Mark, scale: int, alone: bool) -> str:
    """One mark: what it was read as, the 28×28 frame the model saw (every pixel, nothing over it) and its heatmap."""
    kind = mark.kind.replace(" ", "-")
    if alone:
        caption = "What the model sees (28×28) and why it guessed so"
    elif mark.kind == DIGIT:
        caption = f'<b class="digit">{mark.label}</b> <span class="top">top 3: {top_line(mark)}</span>'
    elif mark.kind == NOT_A_DIGIT:
        caption = f'<b>not a digit</b> <span class="unsure">closest: {top_line(mark)}</span>'
    else:
        caption = f"<b>{CAPTIONS.get(mark.kind, mark.kind)}</b> left out"
    pictures = ""
    if mark.frame is not None:
        side = 28 * scale
        pictures += (f'<img class="frame" src="{png_data_uri(frame_pixels(mark.frame))}" width="{side}" '
                     f'height="{side}" alt="the 28×28 frame the model saw">')
        if mark.heatmap is not None:
            pictures += (f'<img class="heatmap" src="{png_data_uri(heatmap_pixels(mark.frame, mark.heatmap))}" '
                         f'width="{side}" height="{side}" alt="heatmap: red pixels pushed towards {mark.label}, '
                         'blue ones away">')
    return f'<figure class="mark {kind}"><figcaption>{caption}</figcaption><div class="pictures">{pictures}</div></figure>'


def top_line(mark: Mark) -> str:
    return " · ".join(f"{label} {probability:.0%}" for label, probability in mark.top(3))


def frame_pixels(frame: np.ndarray) -> np.ndarray:
    """The 28×28 frame as uint8 grey pixels (white ink on black, as the model sees it)."""
    return np.clip(np.rint(np.nan_to_num(frame) * 255.0), 0, 255).astype(np.uint8)


def heatmap_pixels(frame: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """A 28×28 RGB picture of a heatmap in [-1, 1]: red where the ink pushed towards the guess, blue
    where it pushed away, over the ink in dim grey."""
    towards = np.clip(heatmap, 0, 1)[..., None]
    away = np.clip(-heatmap, 0, 1)[..., None]
    ink = (np.clip(np.nan_to_num(frame), 0, 1) * 70.0)[..., None] * np.ones(3)
    red, blue = np.array([255.0, 64.0, 32.0]), np.array([48.0, 128.0, 255.0])
    colours = ink * (1 - towards - away) + red * towards + blue * away
    return np.clip(np.rint(colours), 0, 255).astype(np.uint8)


def png_data_uri(pixels: np.ndarray) -> str:
    """A data: URI of a lossless PNG of `pixels` (grey, or RGB), at their own size."""
    bgr = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".png", bgr)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


# --- Uploads and the API ------------------------------------------------------------------------


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


def labels_for_uploads(recognizer: DigitRecognizer, payloads: list) -> list[dict[str, float]]:
    """The API's batched `predict`: one probability dict per uploaded file, {} for no digit or a bad file."""
    return recognizer.predict_many([readable_upload(payload) for payload in payloads])


def readable_upload(payload):
    """The uploaded image, or None if the file cannot be read as one."""
    try:
        return read_upload(payload)
    except ImageError:
        return None


def reading_of_upload(recognizer: DigitRecognizer, payload, explain: bool = False) -> dict:
    """The API's `read`: every mark of one uploaded image as JSON (reading.to_json; with `explain`, each
    digit's frame and heatmap too); a file that is not an image gives no marks and a message saying why."""
    try:
        image = read_upload(payload)
    except ImageError as error:
        return to_json(Reading(message=str(error)))
    return to_json(recognizer.read(image, explain=bool(explain)))
