"""Turn any image of a digit (canvas, Sketchpad value, upload, photo of paper) into what the model
expects: a 28×28 float32 frame, white ink on black, cropped, scaled and centred as MNIST was made.
pixels.py reads the input into one array; here the ink is found in it and the digit framed.
"""
import cv2
import numpy as np

from digit_recognizer.pixels import to_pixels, unit_float

WORK_SIDE = 200  # the whole image is first read with its longer side shrunk to about this many pixels
DETAIL_SIDE = 32  # a digit smaller than this at work size is read again from the full-resolution pixels
STROKE_SIDE = 64  # stroke width is measured and corrected with the digit's longer side at this size
# Median over MNIST's x_train[:10000] of _stroke_width / STROKE_SIDE, each digit cropped and scaled as in _frame.
MNIST_STROKE_RATIO = 0.12
DIGIT_SIDE = 20  # MNIST scaled each digit so that its longer side is 20 px...
FRAME_SIDE = 28  # ...and placed its centre of mass on the centre pixel (14, 14) of a 28×28 frame
MIN_DIGIT_PIXELS = 8  # a mark smaller than this (longer side, in the image's own pixels) is a speck
MIN_CONTRAST = 0.1  # weaker ink than this (on a 0–1 scale) is not ink
NOISE_SIGMAS = 4.0  # grey levels within this many noise deviations of the paper count as paper
INK_LEVEL = 0.25  # fraction of the strongest ink above which a pixel belongs to a stroke
NEAR_PARTS = 0.4  # a part this close to the digit (times the digit's size) belongs to it...
SPECK_PARTS = 0.02  # ...unless it is smaller than this fraction of the digit's area
PICTURE_AREA = 0.3  # opaque pixels covering this much of a transparent image may form a picture...
PICTURE_CONTRAST = 0.2  # ...if their grey levels also spread this wide; otherwise they are strokes

Box = tuple[int, int, int, int]  # x, y, width, height


def to_ink(image) -> np.ndarray:
    """Ink map of an image at its own size: float32 H×W, 1 where there is ink, 0 on the background.

    Accepts NumPy arrays (H×W, H×W×1/2/3/4, any numeric dtype), PIL images of any mode, and Gradio
    Sketchpad/ImageEditor values ({"background", "layers", "composite"}). Raises ImageError otherwise.
    """
    return _read_ink(to_pixels(image), factor=1)


def to_mnist_frame(image) -> np.ndarray | None:
    """The digit in `image` framed as MNIST was: float32 28×28 in [0, 1], or None if there is no ink.

    Crops to the digit (dropping specks), matches MNIST's stroke width, scales the longer side to
    20 px and puts the centre of mass at the centre. Raises ImageError for input that is not an image.
    """
    pixels = to_pixels(image)
    factor = _shrink_factor(pixels.shape, WORK_SIDE)  # image pixels per ink pixel
    ink = _read_ink(pixels, factor)
    box = _digit_box(ink)
    if box is not None and factor > 1 and max(box[2], box[3]) < DETAIL_SIDE:
        # Too few pixels left at work size: read the digit's neighbourhood again, closer.
        ink, box, factor = _read_closer(pixels, box, factor)
    if box is None or max(box[2], box[3]) * factor < MIN_DIGIT_PIXELS:
        return None
    return _frame(ink, box)


# --- From pixels to ink ------------------------------------------------------------------------------


def _shrink_factor(shape: tuple, max_side: int) -> int:
    return max(1, -(-max(shape[:2]) // max_side))


def _shrink(plane: np.ndarray, factor: int) -> np.ndarray:
    """Area-average a plane down by an integer factor (OpenCV's fast path), as float32 in [0, 1]."""
    if factor > 1:
        height, width = plane.shape[:2]
        # Cropping to a multiple of the factor keeps the scale an exact integer.
        plane = plane[: height - height % factor if height >= factor else height,
                      : width - width % factor if width >= factor else width]
        size = (max(1, plane.shape[1] // factor), max(1, plane.shape[0] // factor))
        plane = cv2.resize(plane, size, interpolation=cv2.INTER_AREA)
    return unit_float(plane)


def _alpha(pixels: np.ndarray) -> np.ndarray:
    return cv2.extractChannel(pixels, pixels.shape[2] - 1)


def _luminance(pixels: np.ndarray) -> np.ndarray:
    channels = pixels.shape[2]
    if channels == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    if channels == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_RGBA2GRAY)
    return cv2.extractChannel(pixels, 0) if channels == 2 else pixels[..., 0]


def _read_ink(pixels: np.ndarray, factor: int) -> np.ndarray:
    """Ink map of `pixels` shrunk by `factor`.

    With transparency, the ink is where alpha is (whatever colour lies under transparent pixels),
    unless the opaque pixels form a picture of their own: then transparent counts as its paper.
    """
    if pixels.shape[2] in (2, 4):
        alpha = _shrink(_alpha(pixels), factor)
        if alpha.min() < 0.98:
            paper = _paper_level_of_picture(pixels, alpha)
            if paper is None:
                return alpha
            premultiplied = unit_float(_luminance(pixels)) * unit_float(_alpha(pixels))
            return _ink_from_grey(_shrink(premultiplied, factor) + paper * (1 - alpha))
    return _ink_from_grey(_shrink(_luminance(pixels), factor))


def _paper_level_of_picture(pixels: np.ndarray, alpha: np.ndarray) -> float | None:
    """If the opaque pixels of a transparent image form a picture (wide, and not all one grey:
    paper and ink), the grey level of its paper; None if they are strokes."""
    if np.mean(alpha > 0.5) < PICTURE_AREA:
        return None  # the cheap common case: strokes on a transparent canvas
    step = max(1, max(pixels.shape[:2]) // 150)
    sample = pixels[::step, ::step]  # a few thousand exact pixels: no averaging with transparent ones
    grey = unit_float(_luminance(sample))[unit_float(_alpha(sample)) > 0.9]
    if grey.size < 16:
        return None
    low, high = np.percentile(grey, [1, 99])
    return float(np.median(grey)) if high - low > PICTURE_CONTRAST else None


def _ink_from_grey(grey: np.ndarray) -> np.ndarray:
    """Ink from a grey picture of either polarity, with uneven paper and sensor noise removed.

    Paper is estimated locally, so an illumination gradient is not mistaken for ink, and ink is
    measured as the fraction of the way from the paper to full ink (dark ink on dimly lit paper
    is as much ink as on brightly lit paper).
    """
    bright = grey if _ink_is_light(grey) else 1 - grey
    paper = _paper(bright)
    deviation = (bright - paper) / np.maximum(1 - paper, 0.05)
    paper_level, noise = _paper_level_and_noise(deviation)
    deviation -= paper_level
    noise_floor = NOISE_SIGMAS * noise
    contrast = _third_largest(deviation.ravel())  # one or two hot pixels cannot set it
    if contrast < max(MIN_CONTRAST, 1.5 * noise_floor):
        return np.zeros_like(grey)
    return np.clip((deviation - noise_floor) / (contrast - noise_floor), 0, 1)


def _paper_level_and_noise(deviation: np.ndarray) -> tuple[float, float]:
    """Mean and deviation of the paper's levels, from the lowest quarter of all levels (paper even
    under a huge digit): for Gaussian noise, the 10th and 25th percentiles lie 1.28 and 0.67
    deviations below the mean."""
    sample = deviation[:: max(1, deviation.shape[0] // 100), :: max(1, deviation.shape[1] // 100)].ravel()
    tenth, quarter = sample.size // 10, sample.size // 4
    low, lower = np.partition(sample, [tenth, quarter])[[tenth, quarter]]
    noise = float(lower - low) / (1.2816 - 0.6745)
    return float(lower) + 0.6745 * noise, noise


def _third_largest(values: np.ndarray) -> float:
    if values.size <= 3:
        return float(values.max())
    strong = values[values >= values.max() / 2]  # selecting among a few is much faster
    return float(np.partition(strong if strong.size >= 3 else values, -3)[-3])


def _ink_is_light(grey: np.ndarray) -> bool:
    """Whether the ink is lighter than the paper: it lies on the side of the paper's level where
    the grey levels reach furthest."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper_level = float(np.median(border))
    darkest, lightest = cv2.minMaxLoc(cv2.blur(grey, (3, 3)))[:2]
    above, below = lightest - paper_level, paper_level - darkest
    if max(above, below) >= 3 * min(above, below):
        return above > below  # clear-cut, as on any canvas
    # Grey levels far off both ways, as across an illumination gradient: compare with the local
    # level instead, a median wider than the strokes (OpenCV takes wide medians of uint8 only).
    small, reach = _low_resolution(grey)
    extended = np.clip(np.round(255 * _extended(small, reach)), 0, 255).astype(np.uint8)
    levels = _enlarged(cv2.medianBlur(extended, reach).astype(np.float32) / 255, reach, grey.shape)
    deviation = (grey - levels).ravel()
    return _third_largest(deviation) > _third_largest(-deviation)


def _paper(bright: np.ndarray) -> np.ndarray:
    """The paper under bright ink: a grey opening wider than any stroke, at low resolution.

    Kept at most as bright as the border's brightest (where an illumination gradient peaks), so a
    stroke too wide for the opening still counts as ink on a uniform canvas. Not kept at least as bright
    as the border's dimmest: a box round a tightly cropped photo, or a photo's shadowed corners, make the
    whole border brighter in this plane than the paper inside, and such a floor hid all the digits.
    """
    small, reach = _low_resolution(bright)
    border = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    if border.max() - border.min() < 1e-6:
        return np.full_like(bright, border.max())  # a uniform canvas: what the rest would find too
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))
    paper = cv2.morphologyEx(_extended(small, reach), cv2.MORPH_OPEN, square)
    paper = cv2.blur(np.minimum(paper, border.max()), (reach // 2 + 1, reach // 2 + 1))
    return _enlarged(paper, reach, bright.shape)


def _low_resolution(plane: np.ndarray) -> tuple[np.ndarray, int]:
    """The plane area-averaged to at most 48 px a side, and a filter width wider than any stroke there."""
    height, width = plane.shape
    scale = min(1.0, 48 / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(plane, size, interpolation=cv2.INTER_AREA)
    return small, max(3, (max(small.shape) // 3) | 1)


def _extended(small: np.ndarray, margin: int) -> np.ndarray:
    """The picture extended by `margin` on every side, for filters that need no border rule: a plane
    fitted to it (an illumination gradient) continues past the edges, and what departs from the
    plane (ink, noise) is mirrored."""
    height, width = small.shape
    rows, columns = np.mgrid[-margin : height + margin, -margin : width + margin].astype(np.float32)
    inside = (slice(margin, margin + height), slice(margin, margin + width))
    design = np.stack([columns[inside].ravel(), rows[inside].ravel(), np.ones(small.size, np.float32)], axis=1)
    slope_x, slope_y, level = np.linalg.lstsq(design, small.ravel(), rcond=None)[0]
    plane = (slope_x * columns + slope_y * rows + level).astype(np.float32)
    return plane + np.pad(small - plane[inside], margin, mode="symmetric")


def _enlarged(extended: np.ndarray, margin: int, shape: tuple[int, int]) -> np.ndarray:
    """A low-resolution plane extended by `margin` back at full `shape`, interpolated right up to
    the edges (from the extension) instead of held flat there."""
    height, width = shape
    step_x, step_y = (extended.shape[1] - 2 * margin) / width, (extended.shape[0] - 2 * margin) / height
    to_small = np.float32([[step_x, 0, step_x / 2 - 0.5 + margin], [0, step_y, step_y / 2 - 0.5 + margin]])
    return cv2.warpAffine(extended, to_small, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


# --- From ink to the MNIST frame ---------------------------------------------------------------------


def _digit_box(ink: np.ndarray, parts: np.ndarray | None = None) -> Box | None:
    """Bounding box of the digit: the largest stroke and the parts near it.

    A part joins when it touches the box, or lies within NEAR_PARTS of the box's size and is not
    a speck; far parts (noise, smudges, another mark) are left out. `parts`: the ink's connected
    strokes' stats when already at hand (segment.py), else found here.
    """
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        return None
    if parts is None:
        parts = cv2.connectedComponentsWithStats((ink > INK_LEVEL * strongest).astype(np.uint8), connectivity=8)[2][1:]
    left, top, right, bottom = parts[:, 0], parts[:, 1], parts[:, 0] + parts[:, 2], parts[:, 1] + parts[:, 3]
    area = parts[:, cv2.CC_STAT_AREA]
    kept = area == area.max()
    kept &= np.cumsum(kept) == 1  # just one largest part to start from
    while True:
        x0, y0, x1, y1 = left[kept].min(), top[kept].min(), right[kept].max(), bottom[kept].max()
        gap = np.maximum(np.maximum(x0 - right, left - x1), np.maximum(y0 - bottom, top - y1)).clip(0)
        near = (gap == 0) | ((gap <= NEAR_PARTS * max(x1 - x0, y1 - y0)) & (area >= SPECK_PARTS * area[kept].sum()))
        if not (near & ~kept).any():
            return int(x0), int(y0), int(x1 - x0), int(y1 - y0)
        kept |= near


def _read_closer(pixels: np.ndarray, box: Box, factor: int) -> tuple[np.ndarray, Box | None, int]:
    """Read a small digit again from its full-resolution neighbourhood (with paper around it)."""
    x, y, width, height = box
    margin = max(width, height)
    x0, y0 = max(0, (x - margin) * factor), max(0, (y - margin) * factor)
    x1, y1 = (x + width + margin) * factor, (y + height + margin) * factor
    closer = max(1, max(width, height) * factor // STROKE_SIDE)
    ink = _read_ink(pixels[y0:y1, x0:x1], closer)
    return ink, _digit_box(ink), closer


def _frame(ink: np.ndarray, box: Box) -> np.ndarray:
    """The digit in `box`, at STROKE_SIDE with MNIST's stroke width, then framed as MNIST."""
    x, y, width, height = box
    x0, y0 = max(0, x - 1), max(0, y - 1)  # one pixel more keeps the strokes' anti-aliased fringe
    x1, y1 = min(ink.shape[1], x + width + 1), min(ink.shape[0], y + height + 1)
    scale = STROKE_SIDE / max(width, height)
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    digit = cv2.resize(ink[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    digit /= max(float(digit.max()), 1e-6)
    if scale > 1.5:  # enlarged from a small digit: give back the pen's sharp edge that enlarging blurred
        digit = np.clip((digit - 0.5) * (scale / 1.5) + 0.5, 0, 1)
    return _centred_by_mass(_with_mnist_stroke(digit))


def _stroke_width(digit: np.ndarray) -> float:
    """Mean stroke width in pixels, from the distance to the stroke's edge (mean w/4 across a stroke
    w pixels wide, w/4 + 1/2 in whole pixels), scaled by the mean ink level for faint hairlines."""
    mask = _padded((digit > INK_LEVEL).astype(np.uint8), 1)  # paper all round, even if ink fills the crop
    inside = mask.sum()
    if inside == 0:
        return 0.0
    distances = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    return (4 * float(distances.sum()) / inside - 2) * float(digit.sum()) / inside


def _with_mnist_stroke(digit: np.ndarray) -> np.ndarray:
    """Thicken or thin the strokes so that width / longer side matches MNIST's."""
    width = _stroke_width(digit)
    if width < 2:  # a hairline, perhaps spread faintly over a pixel's fraction: make it solid first
        digit = (digit > INK_LEVEL).astype(np.float32)
        width = _stroke_width(digit)
    # Dilating by r adds 2r to both the stroke and the box: solve (w + 2r) / (side + 2r) = ratio.
    radius = (MNIST_STROKE_RATIO * STROKE_SIDE - width) / (2 * (1 - MNIST_STROKE_RATIO))
    radius = round(max(radius, -width / 3))  # thinning more would break the strokes apart
    if radius == 0:
        return digit
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(radius) + 1, 2 * abs(radius) + 1))
    if radius > 0:
        return cv2.dilate(_padded(digit, radius), kernel)
    return cv2.erode(digit, kernel)


def _padded(plane: np.ndarray, margin: int) -> np.ndarray:
    """`plane` with `margin` px of zeros all round (np.pad's result, several times faster on small planes)."""
    return cv2.copyMakeBorder(plane, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=0)


def _labelled(labels: np.ndarray, chosen) -> np.ndarray:
    """Where `labels` (a connected-components map) holds one of the `chosen` labels (np.isin's result, faster)."""
    chosen = np.asarray(chosen, int)
    wanted = np.zeros(max(int(labels.max()), int(chosen.max(initial=0))) + 1, bool)
    wanted[chosen] = True
    return wanted[labels]


def _centred_by_mass(digit: np.ndarray) -> np.ndarray:
    """Scaled so that its longer side is 20 px, in a 28×28 frame with its centre of mass on (14, 14)."""
    # MNIST's digits measure 20 px across their pixels above 0.1.
    rows, columns = np.flatnonzero(digit.max(axis=1) > 0.1), np.flatnonzero(digit.max(axis=0) > 0.1)
    if rows.size == 0:
        rows, columns = np.arange(digit.shape[0]), np.arange(digit.shape[1])
    digit = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    scale = DIGIT_SIDE / max(digit.shape)
    size = (max(1, round(digit.shape[1] * scale)), max(1, round(digit.shape[0] * scale)))
    digit = cv2.resize(digit, size, interpolation=cv2.INTER_AREA)
    moments = cv2.moments(digit)
    mass = max(moments["m00"], 1e-6)
    # MNIST shifted by whole pixels: its centres of mass all lie within half a pixel of (14, 14).
    shift_x = round(FRAME_SIDE / 2 - moments["m10"] / mass)
    shift_y = round(FRAME_SIDE / 2 - moments["m01"] / mass)
    shift = np.float32([[1, 0, shift_x], [0, 1, shift_y]])
    return np.clip(cv2.warpAffine(digit, shift, (FRAME_SIDE, FRAME_SIDE), flags=cv2.INTER_NEAREST), 0, 1)
