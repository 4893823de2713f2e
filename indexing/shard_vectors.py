"""The embeddings of one index shard, stored beside its chunks so a rerun embeds nothing again.

`WORKDIR/index/embeddings/<ID>.npz` (in the run store, local or at a URL) holds the image vectors
(with their QIDs), the chunk vectors (in the order of the shard's Chunk records) of each text
encoder, and the weight hashes of the encoders that made them, so vectors of two different
encoders are never mixed in one index. The file is written whole before the shard's done-marker.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore


@dataclass(frozen=True)
class ShardVectors:
    """Unit vectors of one shard: images by QID, chunks in shard order, per encoder."""

    image_qids: list[str]
    image: np.ndarray
    text: np.ndarray
    text_dense: np.ndarray | None
    image_encoder_sha256: str
    text_encoder_sha256: str | None


def vectors_rel(shard_id: str) -> str:
    """The vectors' path in the run store."""
    return f"index/embeddings/{shard_id}.npz"


def vectors_path(workdir: Path, shard_id: str) -> Path:
    """The vectors of a local run store."""
    return Path(workdir) / vectors_rel(shard_id)


def vectors_sha256(store: RunStore, shard_id: str) -> bytes:
    """The sha256 digest of the shard's vectors file."""
    return hashlib.sha256(store.files.read(vectors_rel(shard_id))).digest()


def save_vectors(store: RunStore, shard_id: str, vectors: ShardVectors) -> None:
    """Write the shard's vectors whole into the run store (float32, so no precision is lost
    before the index)."""
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
    store.files.write(vectors_rel(shard_id), buffer.getvalue())


def _vectors_bytes(source: Path | RunStore, shard_id: str | None) -> bytes:
    """The bytes of a finished shard's vectors file; a missing one names the command that
    rebuilds it."""
    try:
        if isinstance(source, RunStore):
            assert shard_id is not None
            return source.files.read(vectors_rel(shard_id))
        return Path(source).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        where = str(source) if shard_id is None else _where(source, shard_id)
        raise RSWKError(
            f"{where}: embeddings of a finished index shard are missing "
            "(run `rswk index --force` to embed again)"
        ) from None


def load_vectors(source: Path | RunStore, shard_id: str | None = None) -> ShardVectors:
    """The vectors of a finished shard (a file, or a shard id in a run store)."""
    with np.load(io.BytesIO(_vectors_bytes(source, shard_id)), allow_pickle=False) as data:
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


def load_vector_array(store: RunStore, shard_id: str, member: str) -> np.ndarray:
    """One array of a finished shard's vectors (`text`, `text_dense`, ...) as float32."""
    with np.load(io.BytesIO(_vectors_bytes(store, shard_id)), allow_pickle=False) as data:
        return np.asarray(data[member], dtype=np.float32)


def _where(source: Path | RunStore, shard_id: str) -> str:
    """The vectors file's path or URL, for messages."""
    if isinstance(source, RunStore):
        return source.files.describe(vectors_rel(shard_id))
    return str(source)
