"""Read any input the app accepts (NumPy arrays of any dtype and 1–4 channels, PIL images of any mode, Gradio
Sketchpad/ImageEditor values) into one H×W×C array: uint8, or float32 in [0, 1]. preprocess.py finds the ink in it.
"""
import numpy as np
from PIL import Image


class ImageError(ValueError):
    """The input cannot be read as an image."""


def to_pixels(image) -> np.ndarray:
    """`image` as an H×W×C array (C 1–4): uint8 as given, any other dtype scaled to float32 in [0, 1].
    Raises ImageError, with a message for the user, for anything that is not an image."""
    if isinstance(image, dict):
        return _sketch_pixels(image)
    if isinstance(image, Image.Image):
        image = _pil_array(image)
    if not isinstance(image, np.ndarray):
        raise ImageError(f"This is not an image (got {type(image).__name__}).")
    if image.dtype.kind not in "biuf":
        raise ImageError(f"This image's pixels are not numbers (dtype {image.dtype}).")
    array = image[..., np.newaxis] if image.ndim == 2 else image
    if array.ndim != 3 or array.shape[2] not in (1, 2, 3, 4):
        raise ImageError(f"This image's shape {image.shape} is not height × width with 1 to 4 channels.")
    if array.size == 0:
        raise ImageError(f"This image is empty (shape {image.shape}).")
    array = np.ascontiguousarray(array)
    return array if array.dtype == np.uint8 else _to_unit_range(array)


def _sketch_pixels(value: dict) -> np.ndarray:
    """A Sketchpad/ImageEditor value: the drawn layers if anything is drawn, else composite or background."""
    layers = value.get("layers")
    layers = [] if layers is None else layers
    if not isinstance(layers, (list, tuple)):  # (an array here is not a list of layers either)
        raise ImageError("The sketch's layers are not a list of images.")
    layers = [to_pixels(layer) for layer in layers if layer is not None]
    drawn = [layer for layer in layers if layer.shape[2] in (2, 4) and layer[..., -1].max() > 0]
    if drawn:  # (a layer of another size than the first drawn one cannot be stacked: left out)
        return _stack_layers([layer for layer in drawn if layer.shape == drawn[0].shape])
    for key in ("composite", "background"):
        if value.get(key) is not None:
            return to_pixels(value[key])
    raise ImageError("The sketch holds no image.")


def _stack_layers(layers: list[np.ndarray]) -> np.ndarray:
    """Layers composited bottom to top with straight (non-premultiplied) alpha."""
    if len(layers) == 1:
        return layers[0]
    floats = [unit_float(layer) for layer in layers]
    colour, alpha = floats[0][..., :-1], floats[0][..., -1:]
    for layer in floats[1:]:
        top_colour, top_alpha = layer[..., :-1], layer[..., -1:]
        stacked_alpha = top_alpha + alpha * (1 - top_alpha)
        colour = (top_colour * top_alpha + colour * alpha * (1 - top_alpha)) / np.maximum(stacked_alpha, 1e-6)
        alpha = stacked_alpha
    return np.concatenate([colour, alpha], axis=2)


def _pil_array(image: Image.Image) -> np.ndarray:
    try:
        if image.mode in ("I", "F") or image.mode.startswith("I;16"):
            return np.asarray(image)  # high bit depth: keep the values, _to_unit_range scales them
        if "A" in image.getbands() or "transparency" in image.info:
            return np.asarray(image.convert("RGBA"))
        return np.asarray(image.convert("L" if image.mode in ("L", "1") else "RGB"))
    except (OSError, ValueError, TypeError) as error:
        raise ImageError("This image could not be read.") from error


def _to_unit_range(array: np.ndarray) -> np.ndarray:
    """Any numeric dtype to float32 in [0, 1]: by the smallest usual full scale that fits, else min–max."""
    values = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    if low >= 0:
        for full_scale in (1.0, 255.0, 4095.0, 65535.0):
            if high <= full_scale * 1.001:
                return np.clip(values / full_scale, 0, 1).astype(np.float32)
    if high == low:
        return np.zeros(values.shape, np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # a range wider than float64 can hold
        scaled = (values / 2 - low / 2) / (high / 2 - low / 2)
    return np.clip(np.nan_to_num(scaled), 0, 1).astype(np.float32)


def unit_float(plane: np.ndarray) -> np.ndarray:
    """A uint8 (0–255) or float (0–1) plane as float32 in [0, 1]."""
    return plane.astype(np.float32) / 255 if plane.dtype == np.uint8 else plane.astype(np.float32)
