"""Drawings that are not digits, on canvases like the Space's, for tests and benchmarks: `drawing(category, form, rng)`.

Deliberately unlike what the notebook trains on (Matplotlib fonts, Quick, Draw! doodles, its own
shapes and scribbles): letters and symbols in OpenCV's Hershey fonts (simplex, script, complex,
italic…), hand-drawn symbols, shapes and doodles (a house, a sun, a smiley, a tree…) made of
wobbly strokes, and scribbles, all with jittered geometry and brush widths. Letters that a person
would also accept as a digit (O o l I i S s Z z b g q) form their own category, reported separately.
"""
from __future__ import annotations

import cv2
import numpy as np

from tests.handwriting import CANVASES, on_canvas
from tests.renderings import _place

# Letters with a digit's shape: O o (0), l I i (1), Z z (2), S s (5), b (6), g q (9): the list plus the
# small twins of S and Z and the dotted 1 that is i.
DIGIT_LIKE_LETTERS = "OolIiSsZzbgq"
CAPITALS = [letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if letter not in DIGIT_LIKE_LETTERS]
SMALL_LETTERS = [letter for letter in "abcdefghijklmnopqrstuvwxyz" if letter not in DIGIT_LIKE_LETTERS]
TYPED_SYMBOLS = list("+#@?&%$*")
CATEGORIES = ("capital letters", "small letters", "symbols", "shapes", "doodles", "scribbles")
DIGIT_LIKE = "digit-like letters"  # not counted with the non-digits: they may read as digits
FORMS = CANVASES  # transparent (a Sketchpad layer), white, a photo of paper, a whole Sketchpad value
HERSHEY = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX,
           cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_PLAIN)
WORK = 256  # drawings are made at this size, then scaled onto the canvas

Strokes = list[np.ndarray]  # polylines, points (x, y) in the unit box [-1, 1]²


def drawing(category: str, form: str, rng: np.random.Generator,
            shape: tuple[int, int] | None = None) -> np.ndarray | dict:
    """A drawing of `category` (CATEGORIES or DIGIT_LIKE) as a user's input of `form` (FORMS)."""
    height, width = shape or rng.integers(400, 801, size=2)
    if form == "photo":
        height, width = shape or rng.integers(500, 1001, size=2)
    ink = _jittered(_ink(category, rng), rng)
    size = rng.uniform(0.35, 0.8) * min(height, width)
    patch = cv2.resize(ink, None, fx=size / WORK, fy=size / WORK, interpolation=cv2.INTER_AREA)
    return on_canvas(_place(patch, (int(height), int(width)), rng), form, rng)


def drawings(count: int, rng: np.random.Generator, categories: tuple[str, ...] = CATEGORIES
             ) -> list[tuple[str, np.ndarray | dict]]:
    """`count` drawings per category, each on a random form: [(category, image), …]."""
    return [(category, drawing(category, FORMS[rng.integers(len(FORMS))], rng))
            for category in categories for _ in range(count)]


# --- What is drawn: an ink map WORK×WORK, float32 in [0, 1] ---------------------------------------------


def _ink(category: str, rng: np.random.Generator) -> np.ndarray:
    brush = rng.uniform(0.02, 0.09) * WORK
    if category == "capital letters":
        return _typed(CAPITALS[rng.integers(len(CAPITALS))], brush, rng)
    if category == "small letters":
        return _typed(SMALL_LETTERS[rng.integers(len(SMALL_LETTERS))], brush, rng)
    if category == DIGIT_LIKE:
        return _typed(DIGIT_LIKE_LETTERS[rng.integers(len(DIGIT_LIKE_LETTERS))], brush, rng)
    if category == "symbols":
        if rng.random() < 0.5:
            return _typed(TYPED_SYMBOLS[rng.integers(len(TYPED_SYMBOLS))], brush, rng)
        return _stroked(SYMBOLS[rng.integers(len(SYMBOLS))](rng), brush, rng)
    if category == "shapes":
        return _stroked(SHAPES[rng.integers(len(SHAPES))](rng), brush, rng)
    if category == "doodles":
        return _stroked(DOODLES[rng.integers(len(DOODLES))](rng), brush * 0.7, rng)
    if category == "scribbles":
        return _stroked(_scribble(rng), brush * 0.7, rng)
    raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES + (DIGIT_LIKE,)}")


def _typed(text: str, brush: float, rng: np.random.Generator) -> np.ndarray:
    """One character in a random Hershey font (sometimes italic), its strokes `brush` wide."""
    font = HERSHEY[rng.integers(len(HERSHEY))] | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    thickness = max(1, round(brush / 2))
    scale = cv2.getFontScaleFromHeight(font, WORK // 2, thickness)
    (text_width, text_height), baseline = cv2.getTextSize(text, font, scale, thickness)
    ink = np.zeros((WORK * 2, WORK * 2), np.uint8)
    cv2.putText(ink, text, (WORK - text_width // 2, WORK + text_height // 2), font, scale, 255, thickness, cv2.LINE_AA)
    return _fitted(ink)


def _stroked(strokes: Strokes, brush: float, rng: np.random.Generator) -> np.ndarray:
    """Polylines in the unit box drawn with a wobbly hand and a round brush `brush` px wide."""
    ink = np.zeros((WORK, WORK), np.uint8)
    margin = brush / 2 + 4
    for stroke in strokes:
        points = _wobbly(np.asarray(stroke, np.float64), rng)
        pixels = (points + 1) / 2 * (WORK - 2 * margin) + margin
        cv2.polylines(ink, [np.round(pixels * 16).astype(np.int32)], False, 255, max(1, round(brush)), cv2.LINE_AA, 4)
    return ink.astype(np.float32) / 255


def _wobbly(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The polyline resampled densely, with a slow random drift like a hand's."""
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))]
    if lengths[-1] == 0:
        return points
    along = np.linspace(0, lengths[-1], max(2, int(lengths[-1] * 40)))
    dense = np.stack([np.interp(along, lengths, points[:, axis]) for axis in (0, 1)], axis=1)
    drift = np.cumsum(rng.normal(0, 0.004, size=dense.shape), axis=0)
    return dense + cv2.GaussianBlur(drift, (1, 0), 6).reshape(dense.shape) if len(dense) > 1 else dense


def _fitted(ink: np.ndarray) -> np.ndarray:
    """The ink cropped and scaled to fit WORK×WORK (centred, with a small margin)."""
    rows, columns = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1].astype(np.float32) / 255
    scale = (WORK - 16) / max(crop.shape)
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)
    canvas = np.zeros((WORK, WORK), np.float32)
    top, left = (WORK - crop.shape[0]) // 2, (WORK - crop.shape[1]) // 2
    canvas[top : top + crop.shape[0], left : left + crop.shape[1]] = crop
    return canvas


def _jittered(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random rotation, shear and uneven scale about the centre, keeping the drawing inside."""
    angle, shear = rng.uniform(-15, 15), rng.uniform(-0.25, 0.25)
    scale_x, scale_y = rng.uniform(0.75, 1.0), rng.uniform(0.75, 1.0)
    warp = cv2.getRotationMatrix2D((WORK / 2, WORK / 2), angle, 1.0) @ np.array(
        [[scale_x, shear, 0], [0, scale_y, 0], [0, 0, 1]])
    warp[:, 2] += WORK / 2 - warp[:, :2] @ np.array([WORK / 2, WORK / 2])
    return cv2.warpAffine(ink, warp, (WORK, WORK), flags=cv2.INTER_LINEAR)


# --- Strokes of symbols, shapes, doodles, scribbles (unit box, y down) -------------------------------


def _arc(centre, radius, start: float, end: float, count: int = 40) -> np.ndarray:
    angles = np.linspace(start, end, count)
    return np.stack([centre[0] + radius[0] * np.cos(angles), centre[1] + radius[1] * np.sin(angles)], axis=1)


def _heart(rng) -> Strokes:
    t = np.linspace(0, 2 * np.pi, 80)
    x, y = 16 * np.sin(t) ** 3, 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return [np.stack([x / 17, -y / 17], axis=1)]


def _star(rng) -> Strokes:
    spikes = int(rng.integers(5, 7))
    order = (np.arange(spikes + 1) * 2) % spikes  # drawn in one stroke, as people draw a pentagram
    angles = order * 2 * np.pi / spikes - np.pi / 2
    return [np.stack([np.cos(angles), np.sin(angles)], axis=1)]


def _arrow(rng) -> Strokes:
    shaft = np.array([[-1, 0], [1, 0]])
    head = np.array([[0.5, -0.45], [1, 0], [0.5, 0.45]])
    turn = rng.choice([0, np.pi / 2, np.pi, -np.pi / 2, np.pi / 4])
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return [shaft @ rotation.T, head @ rotation.T]


def _times(rng) -> Strokes:
    return [np.array([[-1, -1], [1, 1]]), np.array([[1, -1], [-1, 1]])]


def _check(rng) -> Strokes:
    return [np.array([[-1, 0.1], [-0.35, 0.8], [1, -1]])]


def _lightning(rng) -> Strokes:
    return [np.array([[0.3, -1], [-0.5, 0.1], [0.3, 0.0], [-0.3, 1]])]


def _polygon(rng) -> Strokes:
    sides = int(rng.integers(3, 7))
    angles = np.arange(sides + 1) * 2 * np.pi / sides + rng.uniform(0, 2 * np.pi)
    return [np.stack([np.cos(angles), np.sin(angles)], axis=1)]


def _rectangle(rng) -> Strokes:
    aspect = rng.uniform(0.4, 0.9)
    return [np.array([[-1, -aspect], [1, -aspect], [1, aspect], [-1, aspect], [-1, -aspect]])]


def _cross(rng) -> Strokes:
    return [np.array([[0, -1], [0, 1]]), np.array([[-1, 0], [1, 0]])]


def _crescent(rng) -> Strokes:
    return [np.vstack([_arc((0, 0), (1, 1), np.pi * 0.3, np.pi * 1.7), _arc((0.5, 0), (0.7, 0.8), np.pi * 1.5, np.pi * 0.5)])]


def _house(rng) -> Strokes:
    return [np.array([[-0.8, -0.1], [-0.8, 1], [0.8, 1], [0.8, -0.1]]), np.array([[-1, 0], [0, -1], [1, 0]]),
            np.array([[-0.2, 1], [-0.2, 0.4], [0.2, 0.4], [0.2, 1]])]


def _sun(rng) -> Strokes:
    rays = int(rng.integers(6, 10))
    angles = np.arange(rays) * 2 * np.pi / rays
    return [_arc((0, 0), (0.45, 0.45), 0, 2 * np.pi)] + [
        np.array([[0.6 * np.cos(a), 0.6 * np.sin(a)], [np.cos(a), np.sin(a)]]) for a in angles]


def _smiley(rng) -> Strokes:
    return [_arc((0, 0), (1, 1), 0, 2 * np.pi), _arc((-0.35, -0.3), (0.08, 0.08), 0, 2 * np.pi, 12),
            _arc((0.35, -0.3), (0.08, 0.08), 0, 2 * np.pi, 12), _arc((0, 0.1), (0.55, 0.45), 0.2 * np.pi, 0.8 * np.pi)]


def _tree(rng) -> Strokes:
    crown = _arc((0, -0.35), (0.75, 0.6), 0, 2 * np.pi, 60)
    crown += 0.08 * np.sin(np.linspace(0, 16 * np.pi, len(crown)))[:, None] * crown
    return [crown, np.array([[-0.15, 0.25], [-0.15, 1]]), np.array([[0.15, 0.25], [0.15, 1]])]


def _flower(rng) -> Strokes:
    petals = int(rng.integers(5, 8))
    t = np.linspace(0, 2 * np.pi, 200)
    radius = 0.35 + 0.3 * np.abs(np.cos(petals * t / 2))
    head = np.stack([radius * np.cos(t), radius * np.sin(t) - 0.35], axis=1)
    return [head, np.array([[0, 0.3], [0.05, 1]]), np.array([[0.03, 0.7], [0.4, 0.5]])]


def _envelope(rng) -> Strokes:
    return [np.array([[-1, -0.6], [1, -0.6], [1, 0.6], [-1, 0.6], [-1, -0.6]]), np.array([[-1, -0.6], [0, 0.1], [1, -0.6]])]


def _umbrella(rng) -> Strokes:
    return [np.vstack([_arc((0, 0), (1, 0.8), np.pi, 2 * np.pi), [[-1, 0]]]),
            np.vstack([[[0, 0]], [[0, 0.8]], _arc((0.15, 0.8), (0.15, 0.15), np.pi, 0)])]


def _cloud(rng) -> Strokes:
    bumps = [_arc((x, -0.1), (0.35, 0.4), np.pi, 2 * np.pi, 20) for x in (-0.6, 0, 0.6)]
    return [np.vstack(bumps + [np.array([[0.95, 0.2], [-0.95, 0.2], [-0.95, -0.1]])])]


def _car(rng) -> Strokes:
    return [np.array([[-1, 0.4], [-1, 0], [-0.5, 0], [-0.3, -0.4], [0.4, -0.4], [0.6, 0], [1, 0], [1, 0.4], [-1, 0.4]]),
            _arc((-0.5, 0.45), (0.18, 0.18), 0, 2 * np.pi, 16), _arc((0.5, 0.45), (0.18, 0.18), 0, 2 * np.pi, 16)]


def _scribble(rng) -> Strokes:
    """A tangle: one long stroke that turns back on itself many times."""
    kind = rng.integers(3)
    if kind == 0:  # zigzag hatching
        count = int(rng.integers(6, 14))
        xs = np.where(np.arange(count) % 2, 1, -1) * rng.uniform(0.7, 1, count)
        return [np.stack([xs, np.linspace(-1, 1, count)], axis=1)]
    if kind == 1:  # a coil of loops
        t = np.linspace(0, rng.uniform(4, 7) * 2 * np.pi, 300)
        return [np.stack([np.linspace(-1, 1, len(t)) * 0.7 + 0.3 * np.cos(t), 0.6 * np.sin(t)], axis=1)]
    return [np.cumsum(rng.normal(0, 0.35, size=(int(rng.integers(12, 25)), 2)), axis=0).clip(-1, 1)]


SYMBOLS = (_heart, _star, _arrow, _times, _check, _lightning)
SHAPES = (_polygon, _rectangle, _star, _cross, _crescent)
DOODLES = (_house, _sun, _smiley, _tree, _flower, _envelope, _umbrella, _cloud, _car)
