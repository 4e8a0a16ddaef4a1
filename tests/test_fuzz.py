"""Fuzzing the readers with anything a caller might pass, and the file reader with damaged image
files: each call returns a valid result or raises ImageError, never anything else.

Deterministic (derandomized) and bounded so that it runs in well under a minute; for a longer hunt,
`FUZZ_EXAMPLES=2000 FUZZ_SEED=random python -m pytest tests/test_fuzz.py`.
"""
import io
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from digit_recognizer.pixels import ImageError
from digit_recognizer.preprocess import to_ink, to_mnist_frame
from digit_recognizer.recognizer import DIGITS, DigitRecognizer
from digit_recognizer.uploads import MAX_SIDE, open_image

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_SEED") != "random",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DTYPES = ["uint8", "uint16", "int8", "int32", "int64", "float16", "float32", "float64", "bool", ">u2", ">f8", "uint64"]
# Shapes at the edges of what an image can be: empty, single pixels, lines, every channel count,
# too few and too many dimensions.
ODD_SHAPES = [
    (0,), (0, 0), (0, 5), (5, 0), (3, 0, 3), (1, 1), (1, 1, 1), (1, 1, 4), (1, 40), (40, 1), (1, 300, 3),
    (300, 1), (7,), (2, 2, 2, 2), (1, 28, 28, 1), (28, 28, 0), (28, 28, 1), (28, 28, 2), (28, 28, 3),
    (28, 28, 4), (28, 28, 5), (64, 48, 3), (3, 500), (200, 150, 4),
]
shapes = st.one_of(
    st.sampled_from(ODD_SHAPES),
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=80),
    st.tuples(st.integers(1, 60), st.integers(1, 60), st.sampled_from([1, 2, 3, 4])),
)


def extreme_values(dtype: np.dtype) -> st.SearchStrategy:
    """Every value of the dtype, its limits, and for floats NaN, ±inf, huge and negative values."""
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return st.one_of(st.integers(int(info.min), int(info.max)), st.sampled_from([int(info.min), int(info.max), 0]))
    limit = float(np.finfo(dtype).max)
    specials = [math.nan, math.inf, -math.inf, limit, -limit, -1.0, 0.0, 0.5, 1.0, 255.0, 65535.0, 1e30, -1e30]
    return st.one_of(st.sampled_from([value for value in specials if abs(value) <= limit or not math.isfinite(value)]),
                     st.floats(-limit, limit, width=dtype.itemsize * 8))


@st.composite
def arrays(draw) -> np.ndarray:
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(shapes)
    elements = extreme_values(dtype)
    # Half the time one background value with scattered others (as a canvas is), else every pixel drawn.
    fill = elements if draw(st.booleans()) else st.nothing()
    array = draw(hnp.arrays(dtype, shape, elements=elements, fill=fill))
    return draw(st.sampled_from([array, array[::-1, ::-1], read_only(array)])) if array.ndim >= 2 else array


@st.composite
def drawings(draw) -> np.ndarray:
    """A canvas with a few strokes and blobs (so that framing, stroke width and centring all run),
    in any dtype and scale, with any number of channels."""
    height, width = draw(st.integers(1, 400)), draw(st.integers(1, 400))
    background, ink = draw(st.floats(0, 1)), draw(st.floats(0, 1))
    canvas = np.full((height, width), background, np.float64)
    for _ in range(draw(st.integers(0, 4))):
        y0, y1 = sorted(draw(st.tuples(st.integers(0, height), st.integers(0, height))))
        x0, x1 = sorted(draw(st.tuples(st.integers(0, width), st.integers(0, width))))
        if draw(st.booleans()):  # a line one pixel across, or a filled block
            y1 = min(y0 + 1, height)
        canvas[y0:y1, x0:x1] = ink
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    if channels is not None:
        canvas = np.repeat(canvas[..., np.newaxis], channels, axis=2)
        if channels in (2, 4) and draw(st.booleans()):
            canvas[..., -1] = draw(st.sampled_from([0.0, 1.0, background, ink]))  # opaque, transparent…
    scale, dtype = draw(st.sampled_from([(1, "float32"), (1, "float64"), (255, "uint8"), (65535, "uint16"),
                                         (255, "int64"), (1000, "float16"), (1, "bool")]))
    return (canvas * scale).astype(dtype)


PIL_MODES = ["1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV",
             "I", "I;16", "I;16B", "F"]


@st.composite
def pil_images(draw) -> Image.Image:
    """A PIL image of any mode and size (0 included), from a drawing's grey levels."""
    mode = draw(st.sampled_from(PIL_MODES))
    drawing = draw(drawings()).astype(np.float64)
    grey = drawing if drawing.ndim == 2 else drawing[..., 0]
    if draw(st.integers(0, 9)) == 0:
        grey = grey[:0]  # no pixels at all
    picture = Image.fromarray(np.clip(grey / max(float(grey.max(initial=0)), 1e-9) * 255, 0, 255).astype(np.uint8))
    try:
        return picture.convert(mode)
    except ValueError:  # Pillow cannot convert to every mode: start from an empty one
        return Image.new(mode, picture.size)


def read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


non_arrays = st.one_of(
    st.none(), st.text(max_size=10), st.binary(max_size=10), st.integers(), st.floats(),
    st.lists(st.integers(0, 255), max_size=4),
    st.lists(st.lists(st.integers(0, 255), min_size=2, max_size=2), max_size=3),
    st.just(np.array(["a", "b"])), st.just(np.empty((4, 4), object)), st.just(np.zeros((4, 4), complex)),
    st.just(np.zeros((4, 4), "M8[s]")), st.just(memoryview(b"abc")),
)
sketch_entries = st.one_of(st.none(), arrays(), drawings(), st.text(max_size=5), st.integers(),
                           st.dictionaries(st.text(max_size=3), st.none(), max_size=2))
# Values shaped like a Sketchpad's, with entries missing, None, of the wrong kind, or extra.
sketches = st.fixed_dictionaries(
    {},
    optional={
        "background": sketch_entries,
        "composite": sketch_entries,
        "layers": st.one_of(st.none(), st.text(max_size=5), arrays(), st.tuples(arrays(), arrays()),
                            st.dictionaries(st.text(max_size=3), arrays(), max_size=2),
                            st.lists(sketch_entries, max_size=3)),
        "id": st.text(max_size=5),
        "extra": st.integers(),
    },
)
anything = st.one_of(arrays(), drawings(), pil_images(), non_arrays, sketches)


@pytest.fixture(scope="module")
def recognizer() -> DigitRecognizer:
    return DigitRecognizer.load()


def is_a_frame(frame) -> bool:
    return (isinstance(frame, np.ndarray) and frame.shape == (28, 28) and frame.dtype == np.float32
            and bool(np.isfinite(frame).all()) and frame.min() >= 0 and frame.max() <= 1)


@fuzz
@given(anything)
def test_any_input_gives_a_frame_none_or_image_error(image):
    try:
        frame = to_mnist_frame(image)
    except ImageError:
        return
    assert frame is None or is_a_frame(frame)


@fuzz
@given(anything)
def test_any_input_gives_an_ink_map_or_image_error(image):
    try:
        ink = to_ink(image)
    except ImageError:
        return
    assert isinstance(ink, np.ndarray) and ink.ndim == 2 and ink.dtype == np.float32
    assert np.isfinite(ink).all() and ink.min() >= 0 and ink.max() <= 1
    if isinstance(image, np.ndarray):
        assert ink.shape == image.shape[:2]


@fuzz
@given(anything)
def test_any_input_gives_ten_probabilities_nothing_or_image_error(recognizer, image):
    try:
        probabilities = recognizer.predict(image)
    except ImageError:
        return
    if probabilities:
        assert list(probabilities) == DIGITS
        values = np.array(list(probabilities.values()))
        assert np.isfinite(values).all() and values.min() >= 0 and abs(values.sum() - 1) <= 1e-6


# --- Damaged files through the upload reader --------------------------------------------------------


def encoded(picture: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=format, **options)
    return buffer.getvalue()


def seed_files() -> list[bytes]:
    """Small valid files of every accepted format and the modes they carry, to be damaged."""
    ring = Image.new("L", (40, 32), 255)
    ring.paste(0, (10, 6, 30, 26))
    ring.paste(255, (14, 10, 26, 22))
    palette = ring.convert("P")
    exif = Image.Exif()
    exif[0x0112] = 6
    return [
        encoded(ring, "PNG"), encoded(ring.convert("RGBA"), "PNG"), encoded(palette, "PNG", transparency=255),
        encoded(Image.fromarray(np.asarray(ring).astype(np.uint16) * 257), "PNG"), encoded(ring.convert("1"), "PNG"),
        encoded(ring.convert("RGB"), "JPEG", exif=exif), encoded(ring.convert("CMYK"), "JPEG"),
        encoded(ring, "JPEG", progressive=True),
        encoded(palette, "GIF", save_all=True, append_images=[ring.convert("P")]),
        encoded(ring.convert("RGB"), "BMP"), encoded(ring.convert("RGBA"), "WEBP"),
        encoded(ring, "WEBP", lossless=True),
    ]


SEED_FILES = seed_files()


@st.composite
def damaged_files(draw) -> bytes:
    """A seed file truncated, with bytes overwritten (headers included: sizes, modes, lengths) or inserted."""
    data = bytearray(draw(st.sampled_from(SEED_FILES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["overwrite", "overwrite", "insert", "zero run"]))
        value = draw(st.binary(min_size=1, max_size=4))
        if edit == "overwrite":
            data[position : position + len(value)] = value
        elif edit == "insert":
            data[position:position] = value
        else:
            data[position : position + 16] = bytes(16)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # a damaged header may claim 88 MP
@fuzz
@given(damaged_files())
def test_any_damaged_file_opens_as_an_image_or_raises_image_error(scratch, data):
    path = scratch / "upload"
    path.write_bytes(data)
    try:
        image = open_image(path)
    except ImageError:
        return
    assert isinstance(image, np.ndarray) and image.dtype.kind in "uif" and image.size > 0
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))
    assert max(image.shape[:2]) <= MAX_SIDE
    try:
        frame = to_mnist_frame(image)
    except ImageError:
        return
    assert frame is None or is_a_frame(frame)
