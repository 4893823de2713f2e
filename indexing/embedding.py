"""Embedding in batches, with image decoding on loader threads so the model never waits.

While the model encodes batch i, the loader threads decode and preprocess batch i+1 (and i+2):
JPEG decoding and resizing are ~10x faster than a ViT-B/32 forward on CPU, so with one batch in
flight the encoder runs back to back (bench/bench_index.py measures the ratio).
"""

from __future__ import annotations

import io
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
from PIL import Image

from indexing.encoders import Encoder, OpenClipEncoder

logger = logging.getLogger(__name__)

# Images larger than this are refused by Pillow (a decompression bomb), as in the imagery stage.
MAX_IMAGE_PIXELS = 16_777_216


def decode_image(data: bytes) -> Image.Image:
    """An RGB image from PNG/JPEG bytes; raises ValueError when they are not a readable image."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.convert("RGB")
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable image: {exc}") from None


def batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of `items` of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def embed_images(
    encoder: OpenClipEncoder,
    images: Sequence[bytes],
    *,
    batch_size: int,
    pool: ThreadPoolExecutor | None,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Unit embeddings of decodable images, shape (len(images), dim); decoding is prefetched.

    Every item must decode (callers check with `decode_image` first and leave out the rest).
    With a pool, each batch is decoded in as many pieces as the pool has threads (Pillow's
    decoding and resizing release the GIL), two batches ahead of the model: one task per batch
    left every thread but two idle, and a GPU waiting on them (~0.12 of its rate on an H200).
    """

    def prepare(piece: Sequence[bytes]) -> list[Any]:
        return [encoder.preprocess(decode_image(data)) for data in piece]

    out = np.zeros((len(images), encoder.info.dim), dtype=np.float32)
    if not images:
        return out
    chunks = list(batches(images, batch_size))
    # ThreadPoolExecutor has no public size; `_max_workers` is what it was created with.
    threads = pool._max_workers if pool is not None else 1

    def submit(chunk: Sequence[bytes]) -> list[Future[list[Any]]]:
        assert pool is not None
        size = -(-len(chunk) // threads)
        return [pool.submit(prepare, piece) for piece in batches(chunk, size)]

    ahead: deque[list[Future[list[Any]]]] = deque()
    start = 0
    for index, chunk in enumerate(chunks):
        if pool is None:
            tensors = prepare(chunk)
        else:
            while len(ahead) < 2 and index + len(ahead) < len(chunks):
                ahead.append(submit(chunks[index + len(ahead)]))
            tensors = [tensor for future in ahead.popleft() for tensor in future.result()]
        vectors = encoder.encode_preprocessed(tensors)
        out[start : start + len(vectors)] = vectors
        start += len(vectors)
        if on_batch is not None:
            on_batch(len(vectors))
    return out


def embed_texts(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Unit embeddings of `texts` in batches, shape (len(texts), dim)."""
    out = np.zeros((len(texts), encoder.info.dim), dtype=np.float32)
    start = 0
    for chunk in batches(texts, batch_size):
        vectors = encoder.encode_texts(list(chunk))
        out[start : start + len(vectors)] = vectors
        start += len(vectors)
        if on_batch is not None:
            on_batch(len(vectors))
    return out


class BatchLog:
    """Logs `label: done/total vectors` at most every `every_s` seconds, for long shards (the
    stage's bar advances per shard, and a big country's shard takes a while on CPU)."""

    def __init__(self, label: str, total: int, every_s: float = 15.0) -> None:
        self.label, self.total, self.every_s = label, total, every_s
        self.done = 0
        self._last = time.monotonic()

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            logger.info("%s: %d/%d vectors", self.label, self.done, self.total)
