"""Stitching decoded tiles into the pixel window, and encoding the result.

Each tile is pasted straight into the output at its offset (Pillow clips what falls outside), so
no canvas larger than the image is built and nothing is resampled.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Literal

from PIL import Image

from crawlers.imagery.tilemath import PixelWindow, TileRef


def stitch(window: PixelWindow, tiles: Mapping[TileRef, Image.Image]) -> Image.Image:
    """The window's pixels from its decoded tiles (every tile of `window.tiles()` required)."""
    canvas = Image.new("RGB", (window.width, window.height))
    for ref in window.tiles():
        canvas.paste(tiles[ref], window.tile_offset(ref))
    return canvas


def encode(image: Image.Image, image_format: Literal["jpeg", "png"], jpeg_quality: int) -> bytes:
    """JPEG or PNG bytes of an RGB image; the same pixels always give the same bytes."""
    buffer = io.BytesIO()
    if image_format == "jpeg":
        image.save(buffer, format="JPEG", quality=jpeg_quality)
    else:
        image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
