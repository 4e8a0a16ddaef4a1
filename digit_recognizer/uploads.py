"""Opens uploaded image files safely: known formats only, bounded pixels, shrunk early, EXIF
orientation, first frame, any mode → numpy. Anything else becomes an ImageError with a clear message.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from digit_recognizer.pixels import ImageError

FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")  # JPEG includes MPO, the flavour many cameras write
MAX_PIXELS = 70_000_000  # an 8000×8000 photo fits; a 30000×30000 "bomb" is refused before decoding
# Pillow's own guard at the same limit, for every image this process opens: it refuses twice as many
# pixels when it opens a file and warns above the limit; open_image refuses above it before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
DECODE_SIZE = (1024, 1024)  # JPEGs decode straight at ≥ this size (DCT scaling): fast and small
# Longer side everything is shrunk to once decoded: a digit 2 % of the photo's side is still 40 px
# across, and no array after this is larger than 2000×2000 (16 MB at 4 channels).
MAX_SIDE = 2000
UNREADABLE = "This file can't be read as an image. Upload a PNG, JPEG, WebP, GIF or BMP."
TOO_MANY_PIXELS = "This image has too many pixels to read safely: upload one under 70 megapixels."


def open_image(path: str | Path) -> np.ndarray:
    """Decode an image file to an array (H×W, H×W×3 or H×W×4; uint8, or deeper for 16-bit images),
    upright, first frame only, its longer side at most MAX_SIDE. Raises ImageError for any file
    that is not such an image, with a message for the user."""
    try:
        with Image.open(path, formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(too_large(image.width, image.height))
            image.draft(None, DECODE_SIZE)  # only JPEG acts on this
            image.seek(0)
            picture = shrunk(normalise_mode(image))  # (converted and resized copies keep the EXIF data)
            ImageOps.exif_transpose(picture, in_place=True)  # upright only now: turning fewer pixels
            return np.asarray(picture)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(TOO_MANY_PIXELS) from None
    except Exception:  # Pillow reports broken or foreign files through OSError, SyntaxError, ValueError,
        # struct.error, zlib.error, MemoryError…: from a decoder, each of them means "unreadable".
        raise ImageError(UNREADABLE) from None


def too_large(width: int, height: int) -> str:
    return f"This image is {width}×{height} pixels, too large to read safely: upload one under 70 megapixels."


def normalise_mode(image: Image.Image) -> Image.Image:
    """Pillow's many modes → L, RGB or RGBA (or 16-bit I;16 / 32-bit I, F, left for to_ink to scale)."""
    if image.mode in ("L", "RGB", "RGBA", "I;16", "I", "F"):
        return image
    if image.mode in ("PA", "LA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode.startswith("I;16"):
        return image.convert("I")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # P without transparency, CMYK, YCbCr, LAB, HSV


def shrunk(image: Image.Image) -> Image.Image:
    """The image with its longer side shrunk to MAX_SIDE by area averaging (alpha premultiplied, as
    Pillow does), or the image itself if it is no larger."""
    scale = MAX_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
