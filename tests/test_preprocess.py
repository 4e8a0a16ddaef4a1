"""Any image → the 28×28 frame the model expects: polarity, transparency, framing, specks, strokes, bad input."""
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from digit_recognizer.pixels import ImageError
from digit_recognizer.preprocess import MNIST_STROKE_RATIO, _stroke_width, to_ink, to_mnist_frame
from renderings import FORMS, photo_of_paper, render

# Median correlation of the frame with the original MNIST digit over DIGITS digits, measured at
# seed 0 (0.82–0.94), less 0.04. The brush forms (thick, thin, sketchpad) are redrawn along the
# digit's centre line with an even stroke, so they cannot match the original's strokes as closely.
MIN_CORRELATION = {
    "transparent": 0.9, "white": 0.9, "inverted": 0.9, "off_centre": 0.89, "tiny": 0.9,
    "huge": 0.9, "thick": 0.78, "thin": 0.85, "photo": 0.88, "sketchpad": 0.89,
}
DIGITS = 16


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def best_correlation_within_a_pixel(frame: np.ndarray, reference: np.ndarray) -> float:
    """Correlation after the best shift by up to one pixel: centring by whole pixels, as MNIST did,
    can round the same digit's centre of mass either way."""
    return max(correlation(np.roll(frame, (dy, dx), axis=(0, 1)), reference) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def centre_of_mass(frame: np.ndarray) -> tuple[float, float]:
    moments = cv2.moments(frame)
    return moments["m01"] / moments["m00"], moments["m10"] / moments["m00"]


def ink_box(frame: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    """Height and width of the frame's ink."""
    rows, columns = np.flatnonzero(frame.max(axis=1) > level), np.flatnonzero(frame.max(axis=0) > level)
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def digit_canvas(digit: np.ndarray, size: int, canvas: int = 600, top: int = 50, left: int = 80) -> np.ndarray:
    """Ink (float, 1 = ink) of a canvas with the digit's longer side scaled to `size` px."""
    rows, columns = np.flatnonzero(digit.max(axis=1)), np.flatnonzero(digit.max(axis=0))
    crop = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1].astype(np.float32) / 255
    scale = size / max(crop.shape)
    patch = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                       interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    ink = np.zeros((canvas, canvas), np.float32)
    ink[top : top + patch.shape[0], left : left + patch.shape[1]] = np.clip(patch, 0, 1)
    return ink


def black_on_white(ink: np.ndarray) -> np.ndarray:
    return np.repeat(np.round(255 * (1 - ink)).astype(np.uint8)[..., None], 3, axis=2)


def transparent(ink: np.ndarray, colour_under: np.ndarray) -> np.ndarray:
    alpha = np.round(255 * ink).astype(np.uint8)
    colour = colour_under.copy()
    colour[alpha > 0] = 0
    return np.dstack([colour, alpha])


@pytest.fixture(scope="module")
def digits(mnist_test) -> tuple[np.ndarray, np.ndarray]:
    images, labels = mnist_test
    return images[:DIGITS], labels[:DIGITS]


@pytest.fixture(scope="module")
def seven(mnist_test) -> np.ndarray:
    return mnist_test[0][0]  # the first test digit is a 7


# --- Every form of input gives MNIST's framing ------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_frames_look_like_the_original_digit_in_every_form(form, digits):
    rng = np.random.default_rng(0)
    frames = [to_mnist_frame(render(digit, form, rng)) for digit in digits[0]]
    assert all(frame is not None for frame in frames)
    correlations = [correlation(frame, digit) for frame, digit in zip(frames, digits[0])]
    assert np.median(correlations) >= MIN_CORRELATION[form], correlations


@pytest.mark.parametrize("form", FORMS)
def test_frame_is_float32_28x28_in_unit_range(form, seven):
    frame = to_mnist_frame(render(seven, form, np.random.default_rng(1)))
    assert frame.shape == (28, 28) and frame.dtype == np.float32
    assert frame.min() >= 0 and frame.max() <= 1 and frame.max() > 0.99


@pytest.mark.parametrize("form", ["transparent", "off_centre", "tiny", "huge", "photo", "sketchpad"])
def test_frame_is_centred_by_mass(form, digits):
    rng = np.random.default_rng(2)
    for digit in digits[0][:6]:
        row, column = centre_of_mass(to_mnist_frame(render(digit, form, rng)))
        # MNIST shifted by whole pixels: its centres of mass lie within half a pixel of (14, 14).
        assert abs(row - 14) <= 0.55 and abs(column - 14) <= 0.55


@pytest.mark.parametrize("form", ["white", "off_centre", "tiny", "huge", "thick", "thin"])
def test_longer_side_is_20_pixels(form, digits):
    rng = np.random.default_rng(3)
    for digit in digits[0][:6]:
        assert max(ink_box(to_mnist_frame(render(digit, form, rng)))) == 20


def test_aspect_ratio_is_kept():
    ink = np.zeros((500, 500), np.float32)
    cv2.rectangle(ink, (100, 50), (250, 350), 1.0, thickness=30)  # a 180 × 330 px box outline
    height, width = ink_box(to_mnist_frame(black_on_white(ink)), level=0.3)
    assert height == 20 and abs(width - 20 * 180 / 330) <= 1


def test_mnist_digits_come_back_almost_unchanged(digits):
    correlations = [correlation(to_mnist_frame(digit), digit) for digit in digits[0]]
    assert np.median(correlations) >= 0.92  # measured 0.94: MNIST's own strokes are evened out


def test_tiny_and_huge_drawings_of_a_digit_give_the_same_frame(seven):
    tiny = to_mnist_frame(black_on_white(digit_canvas(seven, size=10, canvas=800, top=500, left=700)))
    huge = to_mnist_frame(black_on_white(digit_canvas(seven, size=780, canvas=800, top=10, left=10)))
    assert correlation(tiny, huge) >= 0.93  # measured 0.97


def test_canvases_from_28_to_8000_pixels_are_read(seven):
    assert correlation(to_mnist_frame(seven), seven) >= 0.93  # measured 0.96
    big = np.full((8000, 8000), 255, np.uint8)
    big[3000:3600, 5000:5600] = np.round(255 * (1 - digit_canvas(seven, size=600, canvas=600, top=0, left=0)))
    assert correlation(to_mnist_frame(big), seven) >= 0.9  # measured 0.96
    small_on_big = np.full((8000, 8000), 255, np.uint8)  # a digit 2 % of the canvas: 5 px at work size
    small_on_big[7000:7200, 100:300] = np.round(255 * (1 - digit_canvas(seven, size=160, canvas=200, top=20, left=20)))
    assert correlation(to_mnist_frame(small_on_big), seven) >= 0.9  # measured 0.95


# --- Polarity, transparency, paper -------------------------------------------------------------------


def test_white_and_inverted_give_the_same_frame(seven):
    ink = digit_canvas(seven, size=300)
    dark_on_light = to_mnist_frame(black_on_white(ink))
    light_on_dark = to_mnist_frame(255 - black_on_white(ink))
    np.testing.assert_allclose(dark_on_light, light_on_dark, atol=1e-5)


def test_transparent_canvas_is_read_as_ink(seven):
    ink = digit_canvas(seven, size=300)
    rgba = transparent(ink, colour_under=np.random.default_rng(4).integers(0, 256, (*ink.shape, 3), dtype=np.uint8))
    np.testing.assert_allclose(to_ink(rgba), rgba[..., 3] / 255, atol=1e-6)
    assert correlation(to_mnist_frame(rgba), to_mnist_frame(black_on_white(ink))) >= 0.99


def test_garbage_rgb_under_transparent_pixels_is_ignored(seven, digits):
    ink = digit_canvas(seven, size=300)
    other_digit = black_on_white(digit_canvas(digits[0][1], size=500, top=20, left=20))  # a 2, black on white
    undersides = [
        np.zeros((*ink.shape, 3), np.uint8),
        np.full((*ink.shape, 3), 255, np.uint8),
        np.random.default_rng(5).integers(0, 256, (*ink.shape, 3), dtype=np.uint8),
        other_digit,
        255 - other_digit,
    ]
    frames = [to_mnist_frame(transparent(ink, colour_under)) for colour_under in undersides]
    for frame in frames[1:]:
        np.testing.assert_allclose(frame, frames[0], atol=1e-6)


def test_white_ink_on_a_transparent_canvas_is_ink(seven):
    ink = digit_canvas(seven, size=300)
    white_strokes = np.dstack([np.full((*ink.shape, 3), 255, np.uint8), np.round(255 * ink).astype(np.uint8)])
    assert correlation(to_mnist_frame(white_strokes), to_mnist_frame(black_on_white(ink))) >= 0.99


def test_a_picture_with_transparent_margins_is_read_as_a_picture(seven):
    """A photo-like opaque picture (dark ink on paper) inside a transparent margin: the ink is the
    dark strokes, not the opaque rectangle."""
    picture = black_on_white(digit_canvas(seven, size=300))
    rgba = np.dstack([picture, np.full(picture.shape[:2], 255, np.uint8)])
    rgba[:, :60] = rgba[:, -60:] = 0  # transparent margins, colour 0 under them
    rgba[:40, :, 3] = 0
    assert correlation(to_mnist_frame(rgba), to_mnist_frame(picture)) >= 0.99


def test_photo_of_blank_paper_is_not_ink():
    rng = np.random.default_rng(6)
    for _ in range(5):
        assert to_mnist_frame(photo_of_paper(np.zeros((600, 800), np.float32), rng)) is None


def test_uneven_illumination_of_paper_is_not_ink(seven):
    ys, xs = np.mgrid[0:600, 0:800].astype(np.float32)
    paper = 0.45 + 0.35 * xs / 800 + 0.1 * ys / 600  # a strong gradient across the page
    ink = digit_canvas(seven, size=300, canvas=800)[:600]
    photo = np.round(255 * paper * (1 - 0.6 * ink)).astype(np.uint8)
    assert to_mnist_frame(np.round(255 * paper).astype(np.uint8)) is None
    assert correlation(to_mnist_frame(photo), to_mnist_frame(black_on_white(ink))) >= 0.97


# --- No digit: blank canvases, noise, specks ---------------------------------------------------------


def _blank_inputs() -> dict:
    rng = np.random.default_rng(7)
    garbage = rng.integers(0, 256, (500, 600, 3), dtype=np.uint8)
    return {
        "white": np.full((500, 600, 3), 255, np.uint8),
        "black": np.zeros((500, 600), np.uint8),
        "grey": np.full((500, 600), 128, np.uint8),
        "transparent with garbage": np.dstack([garbage, np.zeros((500, 600), np.uint8)]),
        "faint noise": np.clip(rng.normal(200, 4, (500, 600)), 0, 255).astype(np.uint8),
        "float zeros": np.zeros((64, 64), np.float32),
        "one pixel": np.zeros((1, 1, 3), np.uint8),
        "empty sketch": {"background": np.full((500, 600, 4), 255, np.uint8),
                         "layers": [np.dstack([garbage, np.zeros((500, 600), np.uint8)])],
                         "composite": np.full((500, 600, 4), 255, np.uint8)},
    }


@pytest.mark.parametrize("name", list(_blank_inputs()))
def test_empty_canvas_has_no_digit(name):
    assert to_mnist_frame(_blank_inputs()[name]) is None


def test_specks_are_not_a_digit():
    canvas = np.full((600, 600), 255, np.uint8)
    for x, y in [(50, 80), (300, 420), (520, 130), (200, 250), (450, 560)]:
        cv2.circle(canvas, (x, y), 2, 0, -1)  # five 5-px dots
    assert to_mnist_frame(canvas) is None


def test_specks_beside_a_digit_are_ignored(seven):
    ink = digit_canvas(seven, size=250, top=150, left=150)
    clean = to_mnist_frame(black_on_white(ink))
    for x, y in [(20, 30), (560, 40), (580, 580), (30, 500), (480, 300)]:
        cv2.circle(ink, (x, y), 3, 1.0, -1)
    assert correlation(to_mnist_frame(black_on_white(ink)), clean) >= 0.99


def test_separate_parts_of_a_digit_stay_in_it(digits):
    five = digits[0][list(digits[1]).index(5)]
    ink = digit_canvas(five, size=300)
    whole = to_mnist_frame(black_on_white(ink))
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    broken = ink.copy()
    for fraction in (0.3, 0.65):  # cut the strokes with two 6-px gaps, into three or more parts
        row = rows[0] + int(fraction * len(rows))
        broken[row : row + 6] = 0
    assert cv2.connectedComponents((broken > 0.25).astype(np.uint8))[0] - 1 >= 3
    frame = to_mnist_frame(black_on_white(broken))
    assert ink_box(frame) == ink_box(whole)
    assert best_correlation_within_a_pixel(frame, whole) >= 0.95


# --- Strokes ------------------------------------------------------------------------------------------


def stroke_ratio(frame: np.ndarray) -> float:
    """Stroke width over the longer side, measured as MNIST_STROKE_RATIO was: digit cropped
    (with a pixel's margin) and scaled so that its longer side is 64 px."""
    rows, columns = np.flatnonzero(frame.max(axis=1) > 0.25), np.flatnonzero(frame.max(axis=0) > 0.25)
    crop = frame[rows[0] - 1 : rows[-1] + 2, columns[0] - 1 : columns[-1] + 2]
    scale = 64 / max(rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1)
    big = cv2.resize(crop, (round(crop.shape[1] * scale), round(crop.shape[0] * scale)), interpolation=cv2.INTER_LINEAR)
    return _stroke_width(big) / 64


def test_thick_and_thin_strokes_get_mnist_width(digits):
    rng = np.random.default_rng(8)
    for form in ("thick", "thin"):
        ratios = [stroke_ratio(to_mnist_frame(render(digit, form, rng))) for digit in digits[0][:8]]
        assert abs(np.median(ratios) - MNIST_STROKE_RATIO) <= 0.25 * MNIST_STROKE_RATIO, (form, ratios)


# --- Every kind of image object ----------------------------------------------------------------------


def test_sketchpad_values_of_every_shape_are_read(seven):
    ink = digit_canvas(seven, size=300)
    garbage = np.random.default_rng(9).integers(0, 256, (*ink.shape, 3), dtype=np.uint8)
    layer = transparent(ink, garbage)
    on_white = np.dstack([black_on_white(ink), np.full(ink.shape, 255, np.uint8)])
    white = np.full(layer.shape, 255, np.uint8)
    reference = to_mnist_frame(layer)
    values = [
        {"background": white, "layers": [layer], "composite": on_white},
        {"background": None, "layers": [layer], "composite": layer},  # black on transparent
        {"background": None, "layers": [], "composite": on_white},  # cleared layers, flattened composite
        {"background": None, "layers": [], "composite": layer},
        {"layers": [layer]},
        {"background": on_white, "layers": [None], "composite": None},
        {"background": white, "layers": [transparent(np.zeros_like(ink), garbage), layer], "composite": None},
        {"background": white, "layers": [layer[..., 3].astype(np.float32)[..., None].repeat(4, axis=2) / 255]},
    ]
    for value in values:
        assert correlation(to_mnist_frame(value), reference) >= 0.99, value.keys()


def test_drawn_layers_are_stacked(seven):
    ink = digit_canvas(seven, size=300)
    top, bottom = ink.copy(), ink.copy()
    top[: ink.shape[0] // 2 + 50] = 0  # the lower part drawn on one layer, the upper part on another
    bottom[ink.shape[0] // 2 + 50 :] = 0
    garbage = np.random.default_rng(10).integers(0, 256, (*ink.shape, 3), dtype=np.uint8)
    value = {"background": None, "layers": [transparent(bottom, garbage), transparent(top, garbage)], "composite": None}
    assert correlation(to_mnist_frame(value), to_mnist_frame(transparent(ink, garbage))) >= 0.99


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P", "P with transparency", "LA", "1", "I;16", "I", "F", "CMYK"])
def test_pil_images_of_any_mode_are_read(mode, seven):
    ink = digit_canvas(seven, size=300)
    picture = Image.fromarray(black_on_white(ink))
    if mode == "P with transparency":
        image = picture.convert("L").convert("P")
        image.info["transparency"] = 255  # the white paper is transparent
    elif mode == "1":
        image = picture.convert("L").point(lambda value: 255 if value > 127 else 0).convert("1")
    elif mode in ("I;16", "I", "F"):
        sixteen_bit = Image.fromarray(np.asarray(picture.convert("L")).astype(np.uint16) * 257)
        image = sixteen_bit if mode == "I;16" else sixteen_bit.convert(mode)
    else:
        image = picture.convert(mode)
    assert image.mode == mode.split()[0]
    # Binary transparency makes the anti-aliased edge solid ink: a slightly bolder digit.
    least = 0.95 if mode == "P with transparency" else 0.97
    assert correlation(to_mnist_frame(image), to_mnist_frame(picture)) >= least


@pytest.mark.parametrize("dtype", ["uint16", "float32 0-1", "float64 0-255", "int64", "bool"])
def test_numeric_dtypes_are_scaled(dtype, seven):
    ink = digit_canvas(seven, size=300)
    grey = np.round(255 * (1 - ink)).astype(np.uint8)
    array = {
        "uint16": grey.astype(np.uint16) * 257,
        "float32 0-1": grey.astype(np.float32) / 255,
        "float64 0-255": grey.astype(np.float64),
        "int64": grey.astype(np.int64),
        "bool": ink > 0.5,
    }[dtype]
    assert correlation(to_mnist_frame(array), to_mnist_frame(grey)) >= 0.97


def test_nan_and_inf_are_background(seven):
    ink = digit_canvas(seven, size=300)
    spoilt = ink.astype(np.float64)
    rng = np.random.default_rng(11)
    for value in (np.nan, np.inf, -np.inf):
        spoilt[(ink == 0) & (rng.random(ink.shape) < 0.05)] = value
    np.testing.assert_allclose(to_mnist_frame(spoilt), to_mnist_frame(ink), atol=1e-6)


def test_to_ink_keeps_the_image_size_and_range(seven):
    image = black_on_white(digit_canvas(seven, size=300))[:431, :517]
    ink = to_ink(image)
    assert ink.shape == (431, 517) and ink.dtype == np.float32
    assert ink.min() >= 0 and ink.max() <= 1
    np.testing.assert_allclose(ink, 1 - image[..., 0] / 255, atol=0.02)


@pytest.mark.parametrize(
    "bad",
    [
        "digit.png",
        None,
        42,
        [[0, 255], [255, 0]],
        np.zeros((0, 0), np.uint8),
        np.zeros((10, 0, 3), np.uint8),
        np.zeros((10, 10, 5), np.uint8),
        np.zeros((2, 10, 10, 3), np.uint8),
        np.zeros(10, np.uint8),
        np.zeros((10, 10), complex),
        np.array([["a", "b"]]),
        np.empty((3, 3), object),
        {},
        {"background": None, "layers": [], "composite": None},
        {"layers": "not a list"},
        {"layers": np.zeros((10, 10, 4), np.uint8)},  # an array is not a list of layers
        Image.new("L", (0, 0)),
    ],
    ids=lambda bad: type(bad).__name__,
)
def test_bad_inputs_raise_image_error(bad):
    with pytest.raises(ImageError):
        to_mnist_frame(bad)
    with pytest.raises(ImageError):
        to_ink(bad)


def test_input_is_left_unchanged(seven):
    ink = digit_canvas(seven, size=300)
    garbage = np.random.default_rng(12).integers(0, 256, (*ink.shape, 3), dtype=np.uint8)
    for image in (transparent(ink, garbage), black_on_white(ink), ink.astype(np.float64)):
        before = image.copy()
        to_mnist_frame(image)
        to_ink(image)
        np.testing.assert_array_equal(image, before)


def test_image_error_is_a_value_error():
    assert issubclass(ImageError, ValueError)


any_dtype = st.one_of(hnp.boolean_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.floating_dtypes())


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(any_dtype, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=40)))
def test_any_array_gives_a_frame_none_or_image_error(array):
    try:
        frame = to_mnist_frame(array)
    except ImageError:
        return
    assert frame is None or (frame.shape == (28, 28) and frame.dtype == np.float32
                             and np.isfinite(frame).all() and frame.min() >= 0 and frame.max() <= 1)
    ink = to_ink(array)
    assert ink.shape == array.shape[:2] and np.isfinite(ink).all() and ink.min() >= 0 and ink.max() <= 1
