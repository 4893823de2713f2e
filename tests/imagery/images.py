"""Seeded generators of the images the imagery tests need (no committed binary fixtures)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def rng(seed: int) -> np.random.Generator:
    """The one source of randomness for a test image."""
    return np.random.default_rng(seed)


def textured(seed: int, size: int = 256) -> np.ndarray:
    """A busy RGB image (land-like noise), never blank."""
    return rng(seed).integers(0, 256, size=(size, size, 3), dtype=np.uint8)


def uniform(rgb: tuple[int, int, int], size: int = 256) -> np.ndarray:
    """One colour everywhere."""
    return np.broadcast_to(np.asarray(rgb, dtype=np.uint8), (size, size, 3)).copy()


def esri_placeholder(seed: int, size: int = 256) -> np.ndarray:
    """ESRI's light-grey "Map data not yet available" tile: grey 204 (+-2) with a little
    dark text in the middle."""
    pixels = (204 + rng(seed).integers(-2, 3, size=(size, size, 1))).repeat(3, axis=2)
    pixels[size // 2 - 6 : size // 2 + 6, size // 4 : 3 * size // 4] = 90
    return pixels.astype(np.uint8)


def cloudy(seed: int, cloud_fraction: float, size: int = 128) -> np.ndarray:
    """Dark green land with white-grey cloud over `cloud_fraction` of the pixels."""
    gen = rng(seed)
    land = np.stack(
        [gen.integers(20, 60, (size, size)), gen.integers(60, 120, (size, size)),
         gen.integers(20, 50, (size, size))], axis=-1,
    )  # fmt: skip
    cloud = gen.integers(225, 256, (size, size, 1)).repeat(3, axis=2)
    mask = gen.random((size, size)) < cloud_fraction
    return np.where(mask[..., None], cloud, land).astype(np.uint8)


def encode(pixels: np.ndarray, image_format: str = "PNG") -> bytes:
    """Image bytes of an RGB array."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format)
    return buffer.getvalue()


def corrupt(seed: int) -> bytes:
    """A JPEG whose body after the header is overwritten with noise (decoding fails)."""
    data = bytearray(encode(textured(seed, 64), "JPEG"))
    noise = rng(seed).integers(0, 256, size=len(data) - 40, dtype=np.uint8).tobytes()
    data[20 : len(data) - 20] = noise
    return bytes(data)


def not_an_image(seed: int) -> bytes:
    """Random bytes that no decoder recognises."""
    return b"<html>" + rng(seed).integers(0, 256, 200, dtype=np.uint8).tobytes()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header announces `width` x `height` pixels (a decompression bomb:
    its one compressed row would expand to gigabytes if decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00" + b"\x00" * min(width, 1024))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
