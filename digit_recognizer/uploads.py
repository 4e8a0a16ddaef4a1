"""Opens uploaded image files safely: bounded pixels, EXIF orientation, first frame, any mode → numpy."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from digit_recognizer.preprocess import ImageError

MAX_PIXELS = 70_000_000  # an 8000×8000 photo fits; a 30000×30000 "bomb" is refused before decoding
DECODE_SIZE = (1024, 1024)  # JPEGs decode straight at ≥ this size (DCT scaling): fast and small
UNREADABLE = "This file can't be read as an image. Upload a PNG, JPEG, WebP, GIF or BMP."


def open_image(path: str | Path) -> np.ndarray:
    """Decode an image file to a uint8/uint16 array (H×W, H×W×3 or H×W×4), upright, first frame only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageError(too_large(image.width, image.height))
                image.draft(None, DECODE_SIZE)  # only JPEG acts on this
                image.seek(0)
                return np.asarray(normalise_mode(ImageOps.exif_transpose(image)))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("This image has too many pixels to read safely: upload one under 70 megapixels.") from None
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, KeyError, IndexError, MemoryError):
        # Pillow reports broken or foreign files through all of these.
        raise ImageError(UNREADABLE) from None


def too_large(width: int, height: int) -> str:
    return f"This image is {width}×{height} pixels, too large to read safely: upload one under 70 megapixels."


def normalise_mode(image: Image.Image) -> Image.Image:
    """Pillow's many modes → L, RGB or RGBA (or 16-bit I;16 / 32-bit I, F, left for to_ink to scale)."""
    if image.mode in ("L", "RGB", "RGBA", "I;16", "I", "F"):
        return image
    if image.mode in ("P", "PA", "LA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode.startswith("I;16"):
        return image.convert("I")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
