"""The embeddings of one index shard, stored beside its chunks so a rerun embeds nothing again.

`WORKDIR/index/embeddings/<ID>.npz` holds the image vectors (with their QIDs), the chunk vectors
(in the order of the shard's Chunk records) of each text encoder, and the weight hashes of the
encoders that made them, so vectors of two different encoders are never mixed in one index.
The file is written atomically before the shard's done-marker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rswk.core.errors import RSWKError
from rswk.core.runstore import atomic_write_bytes


@dataclass(frozen=True)
class ShardVectors:
    """Unit vectors of one shard: images by QID, chunks in shard order, per encoder."""

    image_qids: list[str]
    image: np.ndarray
    text: np.ndarray
    text_dense: np.ndarray | None
    image_encoder_sha256: str
    text_encoder_sha256: str | None


def vectors_path(workdir: Path, shard_id: str) -> Path:
    return Path(workdir) / "index" / "embeddings" / f"{shard_id}.npz"


def save_vectors(path: Path, vectors: ShardVectors) -> None:
    """Write the shard's vectors atomically (float32, so no precision is lost before the index)."""
    arrays = {
        "image_qids": np.asarray(vectors.image_qids, dtype=np.str_),
        "image": vectors.image.astype(np.float32),
        "text": vectors.text.astype(np.float32),
        "image_encoder_sha256": np.asarray(vectors.image_encoder_sha256),
    }
    if vectors.text_dense is not None and vectors.text_encoder_sha256 is not None:
        arrays["text_dense"] = vectors.text_dense.astype(np.float32)
        arrays["text_encoder_sha256"] = np.asarray(vectors.text_encoder_sha256)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    atomic_write_bytes(path, buffer.getvalue())


def load_vectors(path: Path) -> ShardVectors:
    """The vectors of a finished shard; a missing file names the command that rebuilds it."""
    if not path.is_file():
        raise RSWKError(
            f"{path}: embeddings of a finished index shard are missing "
            "(run `rswk index --force` to embed again)"
        )
    with np.load(path, allow_pickle=False) as data:
        dense = data.get("text_dense")
        return ShardVectors(
            image_qids=[str(q) for q in data["image_qids"]],
            image=np.asarray(data["image"], dtype=np.float32),
            text=np.asarray(data["text"], dtype=np.float32),
            text_dense=None if dense is None else np.asarray(dense, dtype=np.float32),
            image_encoder_sha256=str(data["image_encoder_sha256"]),
            text_encoder_sha256=(
                str(data["text_encoder_sha256"]) if "text_encoder_sha256" in data else None
            ),
        )
