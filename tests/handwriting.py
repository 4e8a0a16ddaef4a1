"""Real handwriting for tests and benchmarks: the shared pendigits (pen trajectories, 30 writers) and
optdigits (32×32 bitmaps) sets, drawn as users' inputs, and numbers composed from one writer's digits.

    data = load_pendigits()
    image = pendigit(data.strokes(7), "transparent", rng)             # one digit on a canvas
    number = compose_number(data, writer=3, length=4, rng=rng, touching=True, slant=0.2)
    image = on_canvas(number.ink, "photo", rng)                        # number.text == "4071", say

Canvases (CANVASES): "transparent" (a Sketchpad layer: RGBA, garbage under transparent pixels),
"white" (RGB), "photo" (a photo of grey paper), "sketchpad" (a whole Sketchpad value).
Everything is deterministic given the `rng`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from tests.renderings import _on_medium, _pen, _place, _sketchpad, photo_of_paper

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PENDIGITS_PATH = Path(os.environ.get("PENDIGITS_PATH", DATA / "pendigits_train.npz"))
OPTDIGITS_PATH = Path(os.environ.get("OPTDIGITS_PATH", DATA / "optdigits_train.npz"))
CANVASES = ("transparent", "white", "photo", "sketchpad")
SEPARATORS = (".", ",", "-")  # a decimal point, a comma, a dash: drawn between digits, not part of the text
SUBPIXEL = 4  # cv2 drawing with 4 fractional bits


# --- Data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pendigits:
    """Pen trajectories: digit i is `strokes(i)`, written by `writers[i]` (1–30), showing `labels[i]`."""

    labels: np.ndarray  # (N,) int
    writers: np.ndarray  # (N,) int, 1–30
    sample_ptr: np.ndarray  # strokes of digit i: sample_ptr[i]:sample_ptr[i+1]
    stroke_ptr: np.ndarray  # points of stroke j: stroke_ptr[j]:stroke_ptr[j+1]
    points: np.ndarray  # (P, 2) x, y in tablet units, y grows upward

    def strokes(self, index: int) -> list[np.ndarray]:
        """Digit `index` as strokes of (x, y) float points, y growing downward as on a canvas."""
        first, last = self.sample_ptr[index], self.sample_ptr[index + 1]
        return [self.points[self.stroke_ptr[j] : self.stroke_ptr[j + 1]].astype(np.float32) * (1, -1)
                for j in range(first, last) if self.stroke_ptr[j + 1] > self.stroke_ptr[j]]

    def of_writer(self, writer: int) -> np.ndarray:
        """Indices of the digits `writer` wrote."""
        return np.flatnonzero(self.writers == writer)


def load_pendigits(path: str | Path | None = None) -> Pendigits:
    """The shared pendigits training set, from `path`, else $PENDIGITS_PATH (default ../shared/data/)."""
    path = Path(path or PENDIGITS_PATH)
    if not path.exists():
        raise FileNotFoundError(f"pendigits not found at {path}: set PENDIGITS_PATH to pendigits_train.npz")
    with np.load(path) as data:
        return Pendigits(data["labels"].astype(int), data["writers"].astype(int), data["sample_ptr"],
                         data["stroke_ptr"], data["points"])


def load_optdigits(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """optdigits' 32×32 bitmaps (uint8, 255 = ink) and labels, from `path`, else $OPTDIGITS_PATH."""
    path = Path(path or OPTDIGITS_PATH)
    if not path.exists():
        raise FileNotFoundError(f"optdigits not found at {path}: set OPTDIGITS_PATH to optdigits_train.npz")
    with np.load(path) as data:
        return data["images"], data["labels"].astype(int)


# --- Drawing with a round brush ----------------------------------------------------------------------


def fit_strokes(strokes: list[np.ndarray], height: float, slant: float = 0.0) -> list[np.ndarray]:
    """Strokes scaled so the digit is `height` px tall, slanted (x moves right by `slant` × height
    above the baseline), with the top-left of their box at (0, 0)."""
    every = np.concatenate(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    scale = height / max(float(high[1] - low[1]), 1.0)
    fitted = [(stroke - low) * scale for stroke in strokes]
    fitted = [np.stack([s[:, 0] + slant * (height - s[:, 1]), s[:, 1]], axis=1) for s in fitted]
    left = min(float(s[:, 0].min()) for s in fitted)
    return [s - (left, 0) for s in fitted]


def draw(strokes: list[np.ndarray], shape: tuple[int, int], brush: float, offset=(0.0, 0.0),
         canvas: np.ndarray | None = None) -> np.ndarray:
    """Ink (float32 H×W in [0, 1]) of `strokes` shifted by `offset` (x, y), drawn with a round
    anti-aliased brush `brush` px wide; on top of `canvas` if given."""
    ink = np.zeros(shape, np.uint8) if canvas is None else np.round(canvas * 255).astype(np.uint8)
    thickness = max(1, round(brush))
    for stroke in strokes:
        points = np.round((stroke + offset) * 2**SUBPIXEL).astype(np.int32)
        if len(points) == 1 or np.all(points == points[0]):
            centre = tuple(int(v) for v in points[0])
            cv2.circle(ink, centre, max(1, round(brush / 2)) * 2**SUBPIXEL, 255, -1, cv2.LINE_AA, SUBPIXEL)
        else:
            cv2.polylines(ink, [points], False, 255, thickness, cv2.LINE_AA, SUBPIXEL)
    return ink.astype(np.float32) / 255


def pendigit_ink(strokes: list[np.ndarray], height: float, brush: float, slant: float = 0.0) -> np.ndarray:
    """One pendigits digit as an ink patch `height` px tall (plus the brush), tightly framed."""
    fitted = fit_strokes(strokes, height, slant)
    margin = brush / 2 + 2
    width = max(float(s[:, 0].max()) for s in fitted)
    shape = (int(np.ceil(height + 2 * margin)), int(np.ceil(width + 2 * margin)))
    return draw(fitted, shape, brush, offset=(margin, margin))


def on_canvas(ink: np.ndarray, form: str, rng: np.random.Generator) -> np.ndarray | dict:
    """An ink map (float32 H×W, 1 = ink) as a user's input: one of CANVASES."""
    if form in ("transparent", "white"):
        return _on_medium(ink, form, rng)
    if form == "photo":
        return photo_of_paper(ink, rng)
    if form == "sketchpad":
        return _sketchpad(ink, rng)
    raise ValueError(f"unknown canvas {form!r}; expected one of {CANVASES}")


def _canvas_shape(rng: np.random.Generator, form: str) -> tuple[int, int]:
    low, high = (500, 1001) if form == "photo" else (400, 801)
    return tuple(int(side) for side in rng.integers(low, high, size=2))


def pendigit(strokes: list[np.ndarray], form: str, rng: np.random.Generator,
             shape: tuple[int, int] | None = None) -> np.ndarray | dict:
    """One pendigits digit drawn with a round brush on a canvas of `shape` (else random, as
    tests/renderings.py draws MNIST digits): 30–80 % of the shorter side tall, brush 2–5 % of it."""
    height, width = shape or _canvas_shape(rng, form)
    side = min(height, width)
    ink = pendigit_ink(strokes, rng.uniform(0.3, 0.8) * side, rng.uniform(0.02, 0.05) * side, rng.uniform(-0.1, 0.2))
    return on_canvas(_place(ink, (height, width), rng), form, rng)


def optdigit(image: np.ndarray, form: str, rng: np.random.Generator,
             shape: tuple[int, int] | None = None) -> np.ndarray | dict:
    """One optdigits bitmap (32×32, 255 = ink) scaled up with a pen-like edge onto a canvas."""
    height, width = shape or _canvas_shape(rng, form)
    ink = _pen(image, rng.uniform(0.3, 0.8) * min(height, width))
    return on_canvas(_place(ink, (height, width), rng), form, rng)


# --- Numbers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComposedNumber:
    """A number drawn as ink: what it says, where each digit is, and where a separator is."""

    ink: np.ndarray  # float32 H×W, 1 = ink
    text: str  # the digits, left to right (the separator is not part of it)
    boxes: list[tuple[int, int, int, int]]  # each digit's box (x, y, width, height), left to right
    separator: str = ""  # ".", ",", "-" or ""
    separator_box: tuple[int, int, int, int] | None = None
    digit_strokes: tuple[list[np.ndarray], ...] = ()  # each digit's strokes, in the ink's pixels, left to right
    brush: float = 0.0  # the brush they were drawn with
    writer: int = 0  # the pendigits writer (1–30) whose digits they are

    def digit_ink(self, position: int) -> np.ndarray:
        """The ink of digit `position` (0 = leftmost) alone, as it is drawn in `ink` (same shape)."""
        return draw(self.digit_strokes[position], self.ink.shape, self.brush)


def with_box(ink: np.ndarray, thickness: int, inset: int = 12) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """`ink` with a rectangle drawn round it `inset` px inside its edges (a cheque's amount box), and the
    rectangle's box."""
    framed = ink.copy()
    height, width = ink.shape
    cv2.rectangle(framed, (inset, inset), (width - 1 - inset, height - 1 - inset), 1.0, thickness)
    return framed, (inset, inset, width - 2 * inset, height - 2 * inset)


def after_a_dollar(ink: np.ndarray, size: int, thickness: int) -> np.ndarray:
    """`ink` after a printed "$" `size` px tall, its foot level with a number's feet drawn with 60 px margins (as on a
    cheque: before the amount, or before its box)."""
    height = ink.shape[0]
    dollar = np.zeros((height, int(0.6 * size) + 20), np.uint8)
    cv2.putText(dollar, "$", (10, height - 60 - int(0.1 * size)), cv2.FONT_HERSHEY_SIMPLEX, size / 30, 255, thickness)
    return np.concatenate([dollar / 255.0, ink], axis=1).astype(np.float32)


def after_a_cheque_dollar(ink: np.ndarray, brush: float) -> np.ndarray:
    """`ink` (a number drawn with 60 px margins, in its amount box) after the "$" a cheque prints before the box:
    0.6 times as tall as the digits, its strokes half the pen's `brush` wide."""
    return after_a_dollar(ink, int(0.6 * (ink.shape[0] - 120)), max(2, int(0.5 * brush)))


def with_line_under(ink: np.ndarray, thickness: int, depth: float, angle: float = 0.0) -> np.ndarray:
    """`ink` with a straight line across it (10 px from either edge) at `depth` of its height, the whole turned by
    `angle` degrees (a cheque's printed line, photographed a little askew)."""
    lined = ink.copy()
    height, width = ink.shape
    row = int(depth * height)
    cv2.line(lined, (10, row), (width - 10, row), 1.0, thickness)
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(lined, turn, (width, height)) if angle else lined


def on_a_cheque(composed: "ComposedNumber", line: int, box: int | None = None, angle: float = 0.0) -> np.ndarray:
    """`composed`'s ink (drawn with 60 px margins) over a printed line `line` px thick at its digits' feet, turned by
    `angle` degrees; given `box` (px thick), in a box 8 px inside its edges that the line runs across: a cheque."""
    height = composed.ink.shape[0]
    ink = with_line_under(composed.ink, line, (height - 60) / height, angle)
    return ink if box is None else with_box(ink, box, 8)[0]


def one_under_the_other(first: np.ndarray, second: np.ndarray, gap: int, margin: int = 40) -> np.ndarray:
    """Two numbers' ink, `second` under `first` (`gap` px between their margins), left-aligned, `margin` px round."""
    width = max(first.shape[1], second.shape[1])
    rows = [np.pad(first, ((0, gap), (0, width - first.shape[1]))), np.pad(second, ((0, 0), (0, width - second.shape[1])))]
    return np.pad(np.vstack(rows), margin)


def long_touching_numbers(data: Pendigits, count: int, rng: np.random.Generator, **options) -> list[ComposedNumber]:
    """`count` 6-digit numbers whose digits all touch, each at least 4 times wider than tall (as flat as a dash);
    `options` go to compose_number."""
    found = []
    while len(found) < count:
        composed = compose_number(data, int(rng.integers(1, 31)), 6, rng, touching=True, **options)
        rows, columns = np.nonzero(composed.ink > 0.5)
        if np.ptp(columns) >= 4 * np.ptp(rows):
            found.append(composed)
    return found


def compose_number(data: Pendigits, writer: int, length: int, rng: np.random.Generator, *,
                   touching: bool = False, slant: float = 0.0, wave: float = 0.0, separator: str = "",
                   height: float | None = None, margin: int = 40,
                   shape: tuple[int, int] | None = None) -> ComposedNumber:
    """A `length`-digit number from `writer`'s digits (random digits, each drawn once at most).

    Digits are `height` px tall (else 50–130), each within ±8 %, slanted by `slant`, on a baseline
    waving by `wave` × height. With gaps (`touching=False`) no two digits' strokes come closer than
    8 % of the height; touching ones meet or overlap by up to 6 % of the height. A `separator`
    goes between two digits. The ink has `margin` px round the number, or is `shape` with the number
    at a random place.
    """
    chosen = rng.choice(data.of_writer(writer), size=length, replace=False)
    height = height or rng.uniform(50, 130)
    brush = rng.uniform(0.05, 0.11) * height
    phase, period = rng.uniform(0, 2 * np.pi), rng.uniform(2.5, 5) * height
    separator_after = int(rng.integers(0, length - 1)) if separator and length > 1 else -1
    pieces: list[tuple[list[np.ndarray], float, float]] = []  # strokes, x, y
    profile = _Profile()
    after_separator = False
    for position, index in enumerate(chosen):
        digit_height = height * rng.uniform(0.92, 1.08)
        fitted = fit_strokes(data.strokes(int(index)), digit_height, slant)
        y = height - digit_height + wave * height * np.sin(phase + 2 * np.pi * profile.right / period)
        x = profile.place(fitted, y, brush, touching and not after_separator, height, rng)
        pieces.append((fitted, x, y))
        after_separator = position == separator_after
        if position == separator_after:
            mark = _separator(separator, height, brush, rng)
            y_mark = y + digit_height + (-0.5 * height if separator == "-" else -0.05 * height)
            x_mark = profile.place(mark, y_mark, brush, False, height, rng, gap=(0.15, 0.35))
            pieces.append((mark, x_mark, y_mark))
    return _assemble(pieces, chosen, data, brush, separator_after, separator, margin, shape, rng)


class _Profile:
    """The right edge of the ink placed so far, row by row, for placing the next piece beside it."""

    def __init__(self) -> None:
        self.edges: dict[int, float] = {}  # row → rightmost x
        self.right = 0.0

    def place(self, strokes, y: float, brush: float, touching: bool, height: float,
              rng: np.random.Generator, gap: tuple[float, float] = (0.08, 0.45)) -> float:
        """The x at which `strokes` (their box's left at 0) go: touching or at a gap; then record them."""
        rows = _left_edges(strokes, y)
        reach = max((self.edges.get(row, -np.inf) - left for row, left in rows.items()), default=-np.inf)
        if not np.isfinite(reach):  # the first piece, or nothing beside it
            x = self.right + (rng.uniform(*gap) * height if self.edges else 0.0)
        elif touching:  # the strokes' edges meet (the brush's width) or overlap
            x = reach + brush * 0.9 - rng.uniform(0.0, 0.06) * height
        else:
            x = reach + brush + rng.uniform(*gap) * height
        reach_rows = int(np.ceil(brush)) + 1  # the brush widens a stroke up and down as well as sideways
        for row, right in _right_edges(strokes, y).items():
            for near in range(row - reach_rows, row + reach_rows + 1):
                self.edges[near] = max(self.edges.get(near, -np.inf), right + x)
        self.right = max(self.right, x + max(float(s[:, 0].max()) for s in strokes))
        return x


def _edges(strokes, y: float, pick) -> dict[int, float]:
    """Per whole row (of the canvas, after shifting down by `y`), the extreme x of the strokes,
    sampled densely along each segment."""
    edges: dict[int, float] = {}
    for stroke in strokes:
        points = stroke if len(stroke) == 1 else np.concatenate(
            [np.linspace(a, b, max(2, int(np.hypot(*(b - a))) + 1)) for a, b in zip(stroke[:-1], stroke[1:])])
        for x, row in zip(points[:, 0], np.round(points[:, 1] + y).astype(int)):
            edges[row] = pick(edges.get(row, x), x)
    return edges


def _left_edges(strokes, y):
    return _edges(strokes, y, min)


def _right_edges(strokes, y):
    return _edges(strokes, y, max)


def _separator(kind: str, height: float, brush: float, rng: np.random.Generator) -> list[np.ndarray]:
    """A decimal point (a dot), a comma (a short downward tick) or a dash, as strokes."""
    if kind == ".":  # a dot a little wider than the brush: a short scribble round its centre
        radius = rng.uniform(0.1, 0.5) * brush
        angles = np.linspace(0, 2 * np.pi, 9)
        return [np.stack([radius * (1 + np.cos(angles)), radius * (1 + np.sin(angles))], axis=1).astype(np.float32)]
    if kind == ",":
        length = rng.uniform(0.12, 0.22) * height
        return [np.float32([[length * 0.3, 0], [length * 0.2, length * 0.5], [0, length]])]
    if kind == "-":
        length = rng.uniform(0.3, 0.55) * height
        return [np.float32([[0, 0], [length, rng.uniform(-0.05, 0.05) * height]])]
    raise ValueError(f"unknown separator {kind!r}; expected one of {SEPARATORS}")


def _assemble(pieces, chosen, data: Pendigits, brush: float, separator_after: int, separator: str,
              margin: int, shape, rng: np.random.Generator) -> ComposedNumber:
    """Draw the placed pieces onto one ink map and measure each one's box."""
    lows = np.array([np.concatenate(s).min(axis=0) + (x, y) for s, x, y in pieces])
    highs = np.array([np.concatenate(s).max(axis=0) + (x, y) for s, x, y in pieces])
    low, high = lows.min(axis=0) - brush / 2, highs.max(axis=0) + brush / 2
    size = np.ceil(high - low).astype(int) + 2 * margin  # width, height
    origin = margin - low
    if shape is not None:
        room = np.array(shape[::-1]) - size
        if (room < 0).any():
            raise ValueError(f"the number ({size[1]}×{size[0]} px with margins) does not fit in {shape}")
        origin = origin + rng.integers(0, room + 1)
        size = np.array(shape[::-1])
    ink = np.zeros((size[1], size[0]), np.float32)
    boxes, placed = [], []
    for (strokes, x, y), piece_low, piece_high in zip(pieces, lows, highs):
        ink = draw(strokes, ink.shape, brush, offset=(x + origin[0], y + origin[1]), canvas=ink)
        placed.append([stroke + (x + origin[0], y + origin[1]) for stroke in strokes])
        corner = np.floor(piece_low + origin - brush / 2).astype(int)
        far = np.ceil(piece_high + origin + brush / 2).astype(int)
        boxes.append((int(corner[0]), int(corner[1]), int(far[0] - corner[0]), int(far[1] - corner[1])))
    separator_box = boxes.pop(separator_after + 1) if separator_after >= 0 else None
    if separator_box is not None:
        placed.pop(separator_after + 1)
    text = "".join(str(data.labels[index]) for index in chosen)
    return ComposedNumber(ink, text, boxes, separator if separator_box else "", separator_box, tuple(placed), brush,
                          int(data.writers[chosen[0]]))
