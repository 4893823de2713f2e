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
# Hash pairs compared at once (8 MB of XOR): bounds near_identical_pairs' memory at any run size.
PAIR_BLOCK_ELEMENTS = 1 << 20


@dataclass(frozen=True, slots=True)
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
    hashes: dict[str, str],
    max_bits: int = NEAR_DUPLICATE_BITS,
    block_elements: int = PAIR_BLOCK_ELEMENTS,
) -> list[tuple[str, str, int]]:
    """(key a, key b, differing bits) for every pair of hashes at most `max_bits` apart.

    Vectorised XOR + popcount over blocks of rows x every hash, so 14k images compare in about a
    second. A block holds at most `block_elements` pairs (8 bytes each while XORed): a fixed
    number of rows would make the block, and the stage's peak, grow with the run (1,024 rows
    were 116 MB at 14,141 images).
    """
    keys = sorted(hashes)
    if len(keys) < 2:
        return []
    values = np.array([int(hashes[k], 16) for k in keys], dtype=np.uint64)
    pairs: list[tuple[str, str, int]] = []
    block = max(1, block_elements // len(values))
    for start in range(0, len(values), block):
        rows = values[start : start + block]
        # Only the columns after the block's first row: each pair is looked at from its smaller
        # index, so the upper triangle is all that is needed.
        columns = values[start:]
        bits = np.bitwise_count(rows[:, None] ^ columns[None, :])
        for i, j in zip(*np.nonzero(bits <= max_bits), strict=True):
            a, b = start + int(i), start + int(j)
            if a < b:
                pairs.append((keys[a], keys[b], int(bits[i, j])))
    return pairs
