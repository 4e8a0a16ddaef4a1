"""What `DigitRecognizer.read` returns: every mark found in an image, left to right, and the number they spell."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in the input image's pixels

# What the reader made of a mark.
DIGIT = "digit"  # one of 0–9: part of the number
NOT_A_DIGIT = "not a digit"  # a letter, doodle, scribble or shape: left out of the number
DOT = "dot"  # a decimal point, comma or stray dot: left out of the number
DASH = "dash"  # a dash, minus or underline: left out of the number
FRAME = "frame"  # a box round the number (a cheque's amount box, a form's field): left out of the number
OUTSIDE = "outside the box"  # a mark beside a box that holds digits (a cheque's printed $): left out of the number


@dataclass(frozen=True)
class Mark:
    """One mark: where it is, what it is, and (for digits and non-digits) what the model made of it."""

    kind: str
    box: Box
    probabilities: dict[str, float] = field(default_factory=dict)  # "0"…"9", calibrated; {} for dots and dashes
    frame: np.ndarray | None = None  # the 28×28 frame the model saw
    heatmap: np.ndarray | None = None  # 28×28, which pixels pushed towards the top guess (read(explain=True))
    line: int = 0  # the line of writing it is on, 0 at the top: a number written under another is read after it

    @property
    def label(self) -> str:
        """The most probable digit, or "" for a mark the model did not read."""
        return max(self.probabilities, key=self.probabilities.get) if self.probabilities else ""

    def top(self, count: int = 3) -> list[tuple[str, float]]:
        """The `count` most probable digits with their probabilities, most probable first."""
        return sorted(self.probabilities.items(), key=lambda item: -item[1])[:count]


@dataclass(frozen=True)
class Reading:
    """Every mark found, left to right; `message` says why nothing was read when that is not obvious."""

    marks: tuple[Mark, ...] = ()
    message: str = ""

    @property
    def digits(self) -> list[Mark]:
        return [mark for mark in self.marks if mark.kind == DIGIT]

    @property
    def text(self) -> str:
        """The digits read, left to right ("2026"); a line under another after it, on a line of its own ("12\n34");
        "" when there are none."""
        lines: dict[int, str] = {}
        for mark in self.digits:
            lines[mark.line] = lines.get(mark.line, "") + mark.label
        return "\n".join(lines[line] for line in sorted(lines))


def to_json(reading: Reading) -> dict:
    """The reading as the `read` API returns it: the number, each digit's label, top-3 and box, and
    the other marks (non-digits with their closest digits); heatmaps as nested lists when present."""

    def confidences(mark: Mark) -> list[dict]:
        return [{"label": label, "confidence": probability} for label, probability in mark.top(3)]

    digits = []
    for mark in reading.digits:
        entry = {"label": mark.label, "confidences": confidences(mark), "box": list(mark.box), "line": mark.line}
        if mark.heatmap is not None:  # read(explain=True): the frame the model saw, and why it guessed
            entry["frame"] = np.asarray(mark.frame).round(4).tolist()
            entry["heatmap"] = np.asarray(mark.heatmap).round(4).tolist()
        digits.append(entry)
    marks = [{"kind": mark.kind, "box": list(mark.box), "line": mark.line, **({"confidences": confidences(mark)} if mark.kind == NOT_A_DIGIT else {})}
             for mark in reading.marks if mark.kind != DIGIT]
    return {"text": reading.text, "digits": digits, "marks": marks, "message": reading.message}
