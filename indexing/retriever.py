"""Retrieval over a built index folder: image and/or question in, landmarks with their chunks out.

    from indexing import Retriever
    retriever = Retriever.open("work/world/index/files")
    hits = retriever.search(image=Path("scene.jpg"), question="When was it built?", top_k=3)

The indexes are opened memory-mapped (`Index.restore(path, view=True)`), with the tuned
`expansion_search` from `index.json`. Scoring follows RS-RAG:
`score = alpha * cos(image) + (1 - alpha) * cos(text)`, where cos(image) compares the query image
(or, without one, the question's CLIP text vector) with the landmark's image, and cos(text) is the
best match between the question (or, without one, the image's CLIP vector) and the landmark's
chunks; with a dense text index a question is compared with the dense chunk vectors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexing.embedding import decode_image
from indexing.encoders import (
    Encoder,
    EncoderInfo,
    OpenClipEncoder,
    load_encoder,
    load_image_encoder,
)
from indexing.hnsw import hnsw_top_k, open_view
from indexing.index_files import IDS, IMAGE_KIND, read_manifest
from rswk.core.errors import RSWKError
from rswk.core.index_config import EncoderConfig, IndexConfig

CANDIDATES = 50


@dataclass(frozen=True)
class ChunkHit:
    """One chunk of a retrieved landmark and its cosine to the text query."""

    kind: str
    number: int
    text: str
    source: str
    cosine: float


@dataclass(frozen=True)
class LandmarkHit:
    """A retrieved landmark: the fused score, its two cosines, and its chunks (best first)."""

    qid: str
    name: str
    rswk_class: str
    score: float
    image_cosine: float
    text_cosine: float
    chunks: list[ChunkHit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "qid": self.qid,
            "name": self.name,
            "rswk_class": self.rswk_class,
            "score": round(self.score, 6),
            "image_cosine": round(self.image_cosine, 6),
            "text_cosine": round(self.text_cosine, 6),
            "chunks": [chunk.__dict__ for chunk in self.chunks],
        }


@dataclass(frozen=True)
class QueryVectors:
    """An embedded query: the vector scored against images, and the one against chunks."""

    image_side: np.ndarray
    text_name: str
    text_side: np.ndarray


def _same_config(info: dict[str, Any], config: EncoderConfig) -> bool:
    """Cheap check before loading anything: same registry name and model."""
    return bool(info["name"] == config.name and info["model"] == config.model)


def check_encoder(manifest: dict[str, Any], config: EncoderConfig, where: Path) -> None:
    """Refuse a query encoder other than the index's, naming both (before any model loads)."""
    built = EncoderInfo.from_json(manifest["encoders"]["image_text"])
    if not _same_config(built.to_json(), config):
        raise RSWKError(
            f"--index {where} was built with {built.describe()}, but the query encoder is "
            f"{config.name} {config.model} ({config.pretrained}); use the --profile/--config "
            "the index was built with, or rebuild it with `rswk index`"
        )


class Retriever:
    """Search a built index by image and/or text; see the module docstring."""

    def __init__(
        self,
        directory: Path,
        manifest: dict[str, Any],
        encoder: OpenClipEncoder,
        text_encoder: Encoder | None,
    ) -> None:
        import pyarrow.parquet as pq

        self.directory = Path(directory)
        self.manifest = manifest
        self.encoder = encoder
        self.text_encoder = text_encoder
        built = EncoderInfo.from_json(manifest["encoders"]["image_text"])
        if not built.same_encoder(encoder.info):
            raise RSWKError(
                f"--index {directory} was built with {built.describe()} (weights sha256 "
                f"{built.weights_sha256[:12]}), but the query encoder is "
                f"{encoder.info.describe()} (weights sha256 {encoder.info.weights_sha256[:12]}); "
                "use the config the index was built with, or rebuild it with `rswk index`"
            )
        self.indexes: dict[str, Any] = {}
        for name, entry in manifest["indexes"].items():
            path = self.directory / entry["file"]
            if not path.is_file():
                raise RSWKError(f"--index {directory}: {entry['file']} is missing (rebuild it)")
            index = open_view(path, int(entry["expansion_search"]))
            if index is None:
                raise RSWKError(f"--index {directory}: {entry['file']} is not a USearch index")
            self.indexes[name] = index
        ids = pq.read_table(self.directory / IDS).to_pydict()
        self.rows = ids
        self.image_key: dict[str, int] = {}
        self.chunk_keys: dict[str, list[int]] = defaultdict(list)
        for key, qid, kind in zip(ids["key"], ids["qid"], ids["kind"], strict=True):
            if kind == IMAGE_KIND:
                self.image_key[qid] = key
            else:
                self.chunk_keys[qid].append(key)
        self.qid_of = ids["qid"]

    @classmethod
    def open(
        cls, directory: str | Path, config: IndexConfig | None = None, *, device: str = "cpu"
    ) -> Retriever:
        """Open an index folder; the query encoders come from `config` (checked against the
        index) or, without one, from what `index.json` records."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        if config is not None:
            check_encoder(manifest, config.encoder, directory)
            encoder_config, dense_config = config.encoder, config.text_encoder
        else:
            encoder_config, dense_config = _configs_from_manifest(manifest)
        encoder = load_image_encoder(encoder_config, device)
        dense = None
        if "text_dense" in manifest["indexes"] and dense_config is not None:
            dense = load_encoder(dense_config, device)
            built = EncoderInfo.from_json(manifest["encoders"]["text_dense"])
            if not built.same_encoder(dense.info):
                raise RSWKError(
                    f"--index {directory}: its dense text index was built with "
                    f"{built.describe()}, the query's is {dense.info.describe()}"
                )
        return cls(directory, manifest, encoder, dense)

    def describe(self) -> str:
        return str(self.manifest["encoder"])

    # -- queries ---------------------------------------------------------------------------

    def embed_image(self, image: bytes | Path) -> np.ndarray:
        """The query image's unit vector; a missing or unreadable file is a one-line error."""
        if isinstance(image, Path):
            if not image.is_file():
                raise RSWKError(f"--image {image}: no such file (give a PNG or JPEG image)")
            data = image.read_bytes()
        else:
            data = image
        try:
            picture = decode_image(data)
        except ValueError as exc:
            where = image if isinstance(image, Path) else "<bytes>"
            raise RSWKError(f"--image {where}: {exc} (give a PNG or JPEG image)") from None
        return self.encoder.encode_preprocessed([self.encoder.preprocess(picture)])[0]

    def query_vectors(self, image: bytes | Path | None, question: str | None) -> QueryVectors:
        """Embed the query: the image side and the text side of the score (see module doc)."""
        if image is None and not question:
            raise RSWKError("give --image, --question or both")
        image_vec = self.embed_image(image) if image is not None else None
        dense = question and self.text_encoder is not None and "text_dense" in self.indexes
        # CLIP's text vector is needed for the text side without a dense index, and for the
        # image side without an image.
        clip_text = (
            self.encoder.encode_texts([question])[0]
            if question and (image_vec is None or not dense)
            else None
        )
        image_side = image_vec if image_vec is not None else clip_text
        if dense and question and self.text_encoder is not None:
            text_name, text_side = "text_dense", self.text_encoder.encode_texts([question])[0]
        else:
            text_name, text_side = "text", clip_text if clip_text is not None else image_vec
        assert image_side is not None and text_side is not None
        return QueryVectors(image_side, text_name, text_side)

    def search(
        self,
        *,
        image: bytes | Path | None = None,
        question: str | None = None,
        top_k: int = 3,
        alpha: float = 0.9,
        chunks_per_landmark: int = 5,
    ) -> list[LandmarkHit]:
        """The `top_k` landmarks by `alpha * cos(image) + (1 - alpha) * cos(text)`."""
        if not 0.0 <= alpha <= 1.0:
            raise RSWKError(f"--alpha {alpha}: must be between 0 and 1")
        query = self.query_vectors(image, question)
        return self.search_vectors(query, top_k=top_k, alpha=alpha, chunks=chunks_per_landmark)

    def search_vectors(
        self, query: QueryVectors, *, top_k: int, alpha: float, chunks: int
    ) -> list[LandmarkHit]:
        """`search` on an embedded query: HNSW candidates, exact cosines, fused ranking."""
        candidates = self._candidates(query.image_side, query.text_name, query.text_side, top_k)
        hits = [
            self._score(qid, query.image_side, query.text_name, query.text_side, alpha, chunks)
            for qid in candidates
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.qid))
        return hits[:top_k]

    def _candidates(
        self, image_side: np.ndarray, text_name: str, text_side: np.ndarray, top_k: int
    ) -> list[str]:
        """Landmarks near either query in the graphs; exact cosines are computed on these."""
        wanted = max(CANDIDATES, top_k * 10)
        found: dict[str, None] = {}
        for name, vector in (("image", image_side), (text_name, text_side)):
            index = self.indexes[name]
            count = min(wanted if name == "image" else wanted * 5, len(index))
            if count == 0:
                continue
            for key in hnsw_top_k(index, vector[None, :], count)[0]:
                if key >= 0:
                    found[self.qid_of[int(key)]] = None
        return list(found)

    def _score(
        self,
        qid: str,
        image_side: np.ndarray,
        text_name: str,
        text_side: np.ndarray,
        alpha: float,
        chunks_per_landmark: int,
    ) -> LandmarkHit:
        image_key = self.image_key.get(qid)
        image_cos = (
            float(self.indexes["image"].get(image_key).astype(np.float32) @ image_side)
            if image_key is not None
            else 0.0
        )
        keys = self.chunk_keys.get(qid, [])
        chunk_cos = (
            np.asarray(self.indexes[text_name].get(np.asarray(keys, dtype=np.uint64)))
            .astype(np.float32)
            .reshape(len(keys), -1)
            @ text_side
            if keys
            else np.zeros(0)
        )
        order = np.argsort(-chunk_cos, kind="stable")[:chunks_per_landmark]
        chunks = [
            ChunkHit(
                kind=self.rows["kind"][keys[i]],
                number=self.rows["number"][keys[i]],
                text=self.rows["text"][keys[i]],
                source=self.rows["source"][keys[i]],
                cosine=round(float(chunk_cos[i]), 6),
            )
            for i in order
        ]
        text_cos = float(chunk_cos.max()) if len(chunk_cos) else 0.0
        first = keys[0] if keys else image_key
        assert first is not None
        return LandmarkHit(
            qid=qid,
            name=self.rows["name"][first],
            rswk_class=self.rows["rswk_class"][first],
            score=alpha * image_cos + (1 - alpha) * text_cos,
            image_cosine=image_cos,
            text_cosine=text_cos,
            chunks=chunks,
        )


def _configs_from_manifest(
    manifest: dict[str, Any],
) -> tuple[EncoderConfig, EncoderConfig | None]:
    """Encoder configs that rebuild the index's own encoders (a seed, a tag, a package...)."""
    image = EncoderInfo.from_json(manifest["encoders"]["image_text"])
    dense_json = manifest["encoders"].get("text_dense")
    return _config_of(image), (
        _config_of(EncoderInfo.from_json(dense_json)) if dense_json else None
    )


def _config_of(info: EncoderInfo) -> EncoderConfig:
    weights = info.weights
    if weights.startswith("random:seed="):
        return EncoderConfig(
            name=info.name, model=info.model, pretrained="random", seed=int(weights[12:])
        )
    if weights.startswith("package:"):
        return EncoderConfig(name=info.name, model=info.model, pretrained=weights.split("==")[0])
    if weights.startswith(("file:", "dir:")):
        raise RSWKError(
            f"index encoder weights {weights!r} are a local file: pass the index config "
            "(index.encoder.pretrained) to Retriever.open"
        )
    return EncoderConfig(name=info.name, model=info.model, pretrained=weights)
