"""Each image decoded once at curation: does it decode at its declared size, is it blank, and its
perceptual hash. Validation reads the carried result instead of decoding again."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from rswk.core.records import ImageRecord
from rswk.core.records.landmark import ImageCheck

# Images whose 64-bit perceptual hashes differ in at most this many bits look the same.
NEAR_DUPLICATE_BITS = 4
# Below this standard deviation (0-255) in every channel an image is one uniform colour.
BLANK_STDDEV = 2.0


@dataclass(frozen=True)
class ImageVerdict:
    """What decoding found, and the pHash (16 hex digits) when it decoded."""

    check: ImageCheck
    phash: str | None


def inspect_image(record: ImageRecord, *, blank_stddev: float = BLANK_STDDEV) -> ImageVerdict:
    """Decode `record.image` once: undecodable, wrong size, blank, or ok (with its pHash)."""
    import imagehash
    from PIL import Image, ImageStat, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(record.image)) as opened:
            opened.load()
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ImageVerdict("undecodable", None)
    phash = str(imagehash.phash(image))
    if image.size != (record.width, record.height):
        return ImageVerdict("size_mismatch", phash)
    if max(ImageStat.Stat(image).stddev) < blank_stddev:
        return ImageVerdict("blank", phash)
    return ImageVerdict("ok", phash)


def near_identical_pairs(
    hashes: dict[str, str], max_bits: int = NEAR_DUPLICATE_BITS
) -> list[tuple[str, str, int]]:
    """(key a, key b, differing bits) for every pair of hashes at most `max_bits` apart.

    Vectorised XOR + popcount in blocks, so 14k images compare in about a second.
    """
    keys = sorted(hashes)
    if len(keys) < 2:
        return []
    values = np.array([int(hashes[k], 16) for k in keys], dtype=np.uint64)
    pairs: list[tuple[str, str, int]] = []
    block = 1024
    for start in range(0, len(values), block):
        rows = values[start : start + block]
        bits = np.bitwise_count(rows[:, None] ^ values[None, :])
        for i, j in zip(*np.nonzero(bits <= max_bits), strict=True):
            a = start + int(i)
            if a < int(j):
                pairs.append((keys[a], keys[int(j)], int(bits[i, j])))
    return pairs
