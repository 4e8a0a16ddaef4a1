"""Realistic inputs made from MNIST test digits (transparent canvas, photo of paper, Sketchpad value…),
for tests and benchmarks: `render(digit, form, rng)` for each form in FORMS.
"""
import cv2
import numpy as np

FORMS = ("transparent", "white", "inverted", "off_centre", "tiny", "huge", "thick", "thin", "photo", "sketchpad")


def render(digit: np.ndarray, form: str, rng: np.random.Generator,
           shape: tuple[int, int] | None = None) -> np.ndarray | dict:
    """Draw an MNIST digit (28×28 uint8, white on black) as a user's input of the given form.

    Canvases are `shape` (height, width), else random: 400–800 px, photos 500–1000 px. The digit's
    size, position and stroke vary with `rng`.
    """
    height, width = shape or rng.integers(400, 801, size=2)
    side = min(height, width)
    if form in ("transparent", "white", "inverted"):
        ink = _place(_pen(digit, rng.uniform(0.4, 0.85) * side), (height, width), rng)
        return _on_medium(ink, form, rng)
    if form == "off_centre":
        patch = _pen(digit, rng.uniform(0.15, 0.3) * side)
        corner = rng.integers(0, 2, size=2)
        ink = _place(patch, (height, width), rng, corner=corner)
        return _on_medium(ink, _geometry_medium(rng), rng)
    if form == "tiny":
        ink = _place(_pen(digit, rng.uniform(12, 16)), (height, width), rng)
        return _on_medium(ink, _geometry_medium(rng), rng)
    if form == "huge":
        ink = _place(_pen(digit, rng.uniform(0.93, 0.99) * side), (height, width), rng)
        return _on_medium(ink, _geometry_medium(rng), rng)
    if form == "thick":
        size = rng.uniform(0.3, 0.6) * side
        ink = _place(_brush(digit, size, brush=rng.uniform(0.2, 0.28) * size), (height, width), rng)
        return _on_medium(ink, _geometry_medium(rng), rng)
    if form == "thin":
        size = rng.uniform(0.7, 0.95) * side
        ink = _place(_brush(digit, size, brush=rng.uniform(1.5, 3.0)), (height, width), rng)
        return _on_medium(ink, _geometry_medium(rng), rng)
    if form == "photo":
        height, width = shape or rng.integers(500, 1001, size=2)
        size = rng.uniform(0.3, 0.7) * min(height, width)
        strokes = _pen(digit, size) if rng.random() < 0.5 else _brush(digit, size, brush=rng.uniform(0.03, 0.1) * size)
        return photo_of_paper(_place(strokes, (height, width), rng), rng)
    if form == "sketchpad":
        size = rng.uniform(0.4, 0.85) * side
        ink = _place(_brush(digit, size, brush=rng.uniform(0.015, 0.04) * side), (height, width), rng)
        return _sketchpad(ink, rng)
    raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")


def naive(image: np.ndarray | dict) -> np.ndarray:
    """The usual recipe, for comparison: drop alpha, grey, squash to 28×28, invert a light background."""
    if isinstance(image, dict):
        image = image["composite"] if image["composite"] is not None else image["layers"][0]
    grey = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    small = cv2.resize(grey, (28, 28), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    return 1 - small if np.median(small) > 0.5 else small


# --- Strokes ---------------------------------------------------------------------------------------


def _crop(digit: np.ndarray) -> np.ndarray:
    rows, columns = np.flatnonzero(digit.max(axis=1)), np.flatnonzero(digit.max(axis=0))
    return digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def _pen(digit: np.ndarray, size: float) -> np.ndarray:
    """The digit upscaled so its longer side is `size`, with a pen-like edge one or two pixels wide."""
    crop = _crop(digit).astype(np.float32) / 255
    scale = size / max(crop.shape)
    shape = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    grey = cv2.resize(np.pad(crop, 1), (shape[0] + 2, shape[1] + 2), interpolation=cv2.INTER_CUBIC)
    sharpness = max(1.0, scale / 1.5)
    return np.clip((grey - 0.5) * sharpness + 0.5, 0, 1)


def _brush(digit: np.ndarray, size: float, brush: float) -> np.ndarray:
    """The digit's centre line, drawn at `size` with a round anti-aliased brush `brush` px wide."""
    work = 4  # skeleton at 4× MNIST resolution: detailed enough, and fast
    crop = _crop(digit).astype(np.float32) / 255
    big = cv2.resize(np.pad(crop, 2), None, fx=work, fy=work, interpolation=cv2.INTER_CUBIC) > 0.5
    skeleton = _skeleton(big)
    scale = size / (max(crop.shape) * work)
    margin = brush / 2 + 2
    shape = (round(big.shape[0] * scale + 2 * margin), round(big.shape[1] * scale + 2 * margin))
    canvas = np.zeros(shape, np.uint8)
    shift = 4  # cv2 drawing with 4 fractional bits: sub-pixel positions
    points = np.argwhere(skeleton)
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        ends = points + (dy, dx)
        inside = (ends[:, 0] < skeleton.shape[0]) & (ends[:, 1] >= 0) & (ends[:, 1] < skeleton.shape[1])
        pairs = inside.copy()
        pairs[inside] = skeleton[ends[inside, 0], ends[inside, 1]]
        for (y0, x0), (y1, x1) in zip(points[pairs], ends[pairs]):
            start = (round((x0 * scale + margin) * 16), round((y0 * scale + margin) * 16))
            end = (round((x1 * scale + margin) * 16), round((y1 * scale + margin) * 16))
            cv2.line(canvas, start, end, 255, max(1, round(brush)), cv2.LINE_AA, shift)
    if not canvas.any():  # a single skeleton point: a dot
        y, x = points[0]
        cv2.circle(canvas, (round(x * scale + margin), round(y * scale + margin)), max(1, round(brush / 2)), 255, -1)
    return canvas.astype(np.float32) / 255


def _skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang–Suen thinning of a boolean mask to one-pixel-wide lines."""
    image = np.pad(mask, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = image
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:], p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]
            neighbours = sum(n)
            transitions = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
            if step == 0:
                side = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                side = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            remove = (p[1:-1, 1:-1] == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & side
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


def _place(patch: np.ndarray, shape: tuple, rng: np.random.Generator, corner=None) -> np.ndarray:
    """An ink canvas of `shape` with `patch` at a random position (near `corner` (row, column) if given)."""
    canvas = np.zeros(shape, np.float32)
    patch = patch[: shape[0], : shape[1]]
    room_y, room_x = shape[0] - patch.shape[0], shape[1] - patch.shape[1]
    if corner is None:
        top, left = rng.integers(0, room_y + 1), rng.integers(0, room_x + 1)
    else:
        near_y, near_x = rng.integers(0, max(1, room_y // 10) + 1), rng.integers(0, max(1, room_x // 10) + 1)
        top = room_y - near_y if corner[0] else near_y
        left = room_x - near_x if corner[1] else near_x
    canvas[top : top + patch.shape[0], left : left + patch.shape[1]] = patch
    return canvas


# --- Media -------------------------------------------------------------------------------------------


def _geometry_medium(rng: np.random.Generator) -> str:
    return str(rng.choice(["white", "transparent"]))


def _garbage(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Arbitrary colours, as found under fully transparent pixels."""
    return rng.integers(0, 256, size=(*shape, 3), dtype=np.uint8)


def _on_medium(ink: np.ndarray, medium: str, rng: np.random.Generator) -> np.ndarray:
    level = np.round(ink * 255).astype(np.uint8)
    if medium == "white":
        return np.repeat((255 - level)[..., None], 3, axis=2)
    if medium == "inverted":
        return np.repeat(level[..., None], 3, axis=2)
    if medium == "transparent":
        colour = _garbage(ink.shape, rng)
        colour[level > 0] = 0  # black ink wherever the stroke shows at all
        return np.dstack([colour, level])
    raise ValueError(f"unknown medium {medium!r}")


def photo_of_paper(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark-grey ink on grey paper: illumination gradient, slight colour cast, blur, noise, JPEG."""
    height, width = ink.shape
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.linspace(-0.5, 0.5, height, dtype=np.float32), np.linspace(-0.5, 0.5, width, dtype=np.float32)
    ramp = np.cos(angle) * xs[np.newaxis, :] + np.sin(angle) * ys[:, np.newaxis]
    paper = 255 * (rng.uniform(0.55, 0.8) + rng.uniform(0.15, 0.4) * ramp)
    grey = cv2.GaussianBlur(paper * (1 - rng.uniform(0.3, 0.75) * ink), (0, 0), rng.uniform(0.7, 1.8))
    noise = np.empty_like(grey)
    cv2.setRNGSeed(int(rng.integers(2**31)))  # OpenCV's generator is far faster than NumPy's here
    cv2.randn(noise, 0, 255 * rng.uniform(0.01, 0.03))
    grey += noise
    cast = (1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.97))  # warm light: less blue, RGB order
    blue_green_red = [cv2.convertScaleAbs(grey, alpha=gain) for gain in cast[::-1]]
    quality = int(rng.integers(40, 86))
    encoded = cv2.imencode(".jpg", cv2.merge(blue_green_red), [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
    return cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _sketchpad(ink: np.ndarray, rng: np.random.Generator) -> dict:
    """A Gradio Sketchpad value: one drawn layer (ink in alpha, garbage under transparent pixels),
    a white, transparent or missing background, and a composite (sometimes missing)."""
    layer = _on_medium(ink, "transparent", rng)
    background_kind = rng.choice(["white", "transparent", "none"])
    if background_kind == "white":
        background = np.full(layer.shape, 255, np.uint8)
        alpha = layer[..., 3:].astype(np.float32) / 255
        composite = np.dstack([np.round(255 * (1 - alpha) + layer[..., :3] * alpha).astype(np.uint8),
                               np.full(ink.shape, 255, np.uint8)])
    else:
        background = None
        if background_kind == "transparent":
            background = np.dstack([_garbage(ink.shape, rng), np.zeros(ink.shape, np.uint8)])
        composite = layer.copy()
    if rng.random() < 0.2:
        composite = None
    return {"background": background, "layers": [layer], "composite": composite}
