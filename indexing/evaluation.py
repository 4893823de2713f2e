"""Retrieval self-evaluation of a built index, written into `index.json` and printed.

- image -> own landmark: each sampled landmark's image, flipped left-right and cropped to a
  different window, is embedded and searched in the image index; recall@k is the share whose own
  landmark is among the first k.
- text chunk -> own landmark: each sampled chunk's CLIP vector is searched in the image index
  (cross-modal, as RS-RAG retrieves); with a dense text index, the chunk's dense vector is searched
  among the *other* chunks (itself left out) and the landmark of the hits counts.
With untrained weights these figures are near chance; they are still measured and kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from indexing.embedding import decode_image, embed_images
from indexing.encoders import OpenClipEncoder
from indexing.hnsw import hnsw_top_k

KS = (1, 5, 10)


def changed_view(image: Image.Image) -> Image.Image:
    """The same scene seen differently: mirrored, and cropped to 85% from the top-left corner."""
    mirrored = ImageOps.mirror(image)
    width, height = mirrored.size
    return mirrored.crop((0, 0, max(1, int(width * 0.85)), max(1, int(height * 0.85))))


def changed_view_bytes(data: bytes) -> bytes:
    """`changed_view` of encoded image bytes, as PNG bytes."""
    import io

    buffer = io.BytesIO()
    changed_view(decode_image(data)).save(buffer, format="PNG")
    return buffer.getvalue()


def recall_of_own(ranked_qids: Sequence[Sequence[str]], own: Sequence[str]) -> dict[str, float]:
    """recall@1/5/10: share of rows whose own QID is among the first k ranked QIDs."""
    if not own:
        return {f"recall@{k}": 0.0 for k in KS}
    return {
        f"recall@{k}": round(
            sum(1 for ranked, qid in zip(ranked_qids, own, strict=True) if qid in ranked[:k])
            / len(own),
            4,
        )
        for k in KS
    }


def _landmarks_of(keys: np.ndarray, key_qids: Sequence[str]) -> list[list[str]]:
    """QIDs of each row's keys, in rank order, each landmark once."""
    rows = []
    for row in keys:
        qids = [key_qids[int(k)] for k in row if k >= 0]
        rows.append(list(dict.fromkeys(qids)))
    return rows


def image_to_own_landmark(
    encoder: OpenClipEncoder,
    image_index: Any,
    images: dict[str, bytes],
    key_qids: Sequence[str],
    *,
    batch_size: int,
) -> dict[str, Any]:
    """Recall@k of changed-view image queries for their own landmark."""
    qids = list(images)
    changed = [changed_view_bytes(images[q]) for q in qids]
    queries = embed_images(encoder, changed, batch_size=batch_size, pool=None)
    found = hnsw_top_k(image_index, queries, max(KS)) if qids else np.zeros((0, max(KS)))
    return {"queries": len(qids), **recall_of_own(_landmarks_of(found, key_qids), qids)}


def text_to_own_landmark(
    chunk_vectors: np.ndarray,
    chunk_qids: Sequence[str],
    image_index: Any,
    key_qids: Sequence[str],
) -> dict[str, Any]:
    """Recall@k of chunk (CLIP text) queries in the image index for their own landmark."""
    if not len(chunk_vectors):
        return {"queries": 0, **recall_of_own([], [])}
    found = hnsw_top_k(image_index, chunk_vectors, max(KS))
    return {
        "queries": len(chunk_qids),
        **recall_of_own(_landmarks_of(found, key_qids), list(chunk_qids)),
    }


def chunk_to_other_chunks(
    dense_vectors: np.ndarray,
    chunk_keys: np.ndarray,
    chunk_qids: Sequence[str],
    dense_index: Any,
    key_qids: Sequence[str],
) -> dict[str, Any]:
    """Recall@k of dense chunk queries among the other chunks (itself left out)."""
    if not len(dense_vectors):
        return {"queries": 0, **recall_of_own([], [])}
    found = hnsw_top_k(dense_index, dense_vectors, max(KS) + 1)
    without_self = [
        [k for k in row if k >= 0 and k != own][: max(KS)]
        for row, own in zip(found.tolist(), chunk_keys.tolist(), strict=True)
    ]
    ranked = [list(dict.fromkeys(key_qids[k] for k in row)) for row in without_self]
    return {"queries": len(chunk_qids), **recall_of_own(ranked, list(chunk_qids))}


def sample_rows(total: int, limit: int, seed: int = 0) -> np.ndarray:
    """A sorted seeded sample of at most `limit` row numbers out of `total`."""
    count = min(total, limit)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(total, size=count, replace=False))
