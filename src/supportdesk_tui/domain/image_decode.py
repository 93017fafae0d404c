"""Images decoded for a preview, safely: a bounded pixel count checked before any pixel is
decoded (a decompression bomb is a few KiB that would inflate to gigabytes), only the formats
a preview needs, and every failure (truncated, not an image, too big) a reason instead of an
exception. Runs in a worker thread; the result is small enough to draw at once.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Pillow (≈ 2 MiB resident) loads with the first image decoded, not with the conversation
    # screen that imports this module through the attachments screen.
    from PIL import Image

MAX_PIXELS = 40_000_000  # a 48-megapixel camera photo is refused; 6000×6000 is fine
PREVIEW_BOX = (1024, 1024)  # scaled down to this before any renderer sees it
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")


@dataclass(frozen=True)
class Decoded:
    image: Image.Image | None
    problem: str = ""  # "too_large", "broken" or "not_image" when `image` is None
    width: int = 0
    height: int = 0


def decode_preview(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Decoded:
    from PIL import Image, UnidentifiedImageError  # lazy: Pillow (≈ 2 MiB) loads with the first image

    try:
        with warnings.catch_warnings():
            # Pillow warns (not raises) between its own limit and twice it: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                width, height = opened.size
                if width <= 0 or height <= 0 or width * height > max_pixels:
                    return Decoded(None, "too_large", width, height)
                opened.draft("RGB", PREVIEW_BOX)  # JPEG: decode at a smaller scale straight away
                opened.load()
                image = opened.convert("RGB")
    except UnidentifiedImageError:
        return Decoded(None, "not_image")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Decoded(None, "too_large")
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        return Decoded(None, "broken")
    image.thumbnail(PREVIEW_BOX)
    return Decoded(image, "", width, height)
