"""Stitching from in-memory tiles: every output pixel comes from the right global pixel."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from crawlers.imagery.stitch import encode, stitch
from crawlers.imagery.tilemath import PixelWindow, TileRef, window_centred_on


def coordinate_tile(tile: TileRef, size: int = 256) -> Image.Image:
    """A tile whose pixels spell their own global position: R = x % 251, G = y % 251,
    B = (x // 251 + y // 251) % 251 (x unwrapped)."""
    cols = tile.column * size + np.arange(size)[None, :].repeat(size, 0)
    rows = tile.y * size + np.arange(size)[:, None].repeat(size, 1)
    pixels = np.stack([cols % 251, rows % 251, (cols // 251 + rows // 251) % 251], axis=-1)
    return Image.fromarray(pixels.astype(np.uint8))


def expected(window: PixelWindow) -> np.ndarray:
    cols = window.left + np.arange(window.width)[None, :].repeat(window.height, 0)
    rows = window.top + np.arange(window.height)[:, None].repeat(window.width, 1)
    return np.stack([cols % 251, rows % 251, (cols // 251 + rows // 251) % 251], axis=-1)


@pytest.mark.parametrize(
    ("lat", "lon", "zoom", "size"),
    [
        (48.8584, 2.2945, 17, 512),
        (-60.0, -70.1, 18, 300),
        (0.0, 179.9999, 15, 512),
        (35.0, 0.0, 16, 64),
    ],
)
def test_stitched_window_is_the_exact_crop(lat: float, lon: float, zoom: int, size: int) -> None:
    window = window_centred_on(lat, lon, zoom, size, size)
    tiles = {ref: coordinate_tile(ref) for ref in window.tiles()}
    picture = stitch(window, tiles)
    assert picture.size == (size, size)
    assert np.array_equal(np.asarray(picture), expected(window))


def test_encoding_is_deterministic_and_decodes_to_the_size() -> None:
    window = window_centred_on(10.0, 10.0, 17, 512, 512)
    picture = stitch(window, {ref: coordinate_tile(ref) for ref in window.tiles()})
    for image_format in ("jpeg", "png"):
        first = encode(picture, image_format, 90)
        assert first == encode(picture, image_format, 90)
        decoded = Image.open(io.BytesIO(first))
        assert decoded.format == image_format.upper() and decoded.size == (512, 512)
    png = np.asarray(Image.open(io.BytesIO(encode(picture, "png", 90))))
    assert np.array_equal(png, np.asarray(picture))
