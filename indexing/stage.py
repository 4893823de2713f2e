"""The index stage: chunks and embeddings of every curated landmark, then the USearch index files.

Per shard (country) it reads the `curate` shard, cuts each landmark's knowledge into chunks
(written as the stage's Chunk records), embeds the landmark's image and every chunk, and stores
the vectors beside the shard (`index/embeddings/<ID>.npz`) before the done-marker: a rerun skips
finished shards and embeds nothing again. Once the last pending shard is written, the index files
are (re)built from every finished shard's vectors (`index_files.build_index_files`).

Shards run one after another: the encoder already uses every core (or the GPU) on its batches,
and image decoding runs on `index.loader_workers` threads ahead of it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from indexing.chunking import chunk_landmark
from indexing.embedding import BatchLog, decode_image, embed_images, embed_texts
from indexing.encoders import (
    Encoder,
    OpenClipEncoder,
    import_encoder_libraries,
    load_encoder,
    load_image_encoder,
)
from indexing.shard_vectors import ShardVectors, save_vectors
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.executor import LocalExecutor
from rswk.core.records.base import Rejection, RejectReason
from rswk.core.records.chunk import Chunk
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage

logger = logging.getLogger(__name__)

UPSTREAM = "curate"


class IndexStage(Stage):
    """Records are `Chunk`s; an undecodable image is a rejection (its chunks are still indexed)."""

    name = "index"
    record_model = Chunk
    executor_kind = "thread"
    # Lineage: the encoders, chunking and HNSW settings shape what is written.
    version = "1"
    config_keys = ("index",)
    # Runs torch: forked only while torch is not loaded in the parent (rswk.core.stage_process).
    uses_torch = True

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.encoder: OpenClipEncoder | None = None
        self.text_encoder: Encoder | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.embedded = Counter[str]()

    def setup(self) -> None:
        """Load the encoders once (minutes for ViT-B-32 on first use; seconds for the sample)."""
        if self.encoder is not None:
            return
        settings = self.config.index
        self.encoder = load_image_encoder(settings.encoder, settings.device)
        if settings.text_encoder is not None:
            self.text_encoder = load_encoder(settings.text_encoder, settings.device)
        if settings.loader_workers > 0:
            self._pool = ThreadPoolExecutor(settings.loader_workers, thread_name_prefix="decode")
        logger.info("index encoder: %s", self.encoder.info.describe())

    def before_fork(self) -> None:
        """Import the encoders' libraries in the parent: each forked index stage imported them
        again (~16 s of torch, open_clip and transformers on two cores), so a process that runs
        several pipelines (a notebook, the test suite) pays once."""
        settings = self.config.index
        encoders = [settings.encoder]
        if settings.text_encoder is not None:
            encoders.append(settings.text_encoder)
        import_encoder_libraries(encoders)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def process(self, shard_id: str) -> ShardResult:
        """Chunks of the shard's curated landmarks, with their vectors saved beside the shard."""
        self.setup()
        assert self.encoder is not None
        encoder, settings = self.encoder, self.config.index
        landmarks = self.store.stage(UPSTREAM).read_shard(shard_id, CuratedLandmark)
        chunks = [
            chunk
            for landmark in landmarks
            for chunk in chunk_landmark(landmark, encoder.count_tokens, encoder.max_text_tokens)
        ]
        image_qids, images, rejections = self._decodable_images(landmarks)
        texts = [chunk.text for chunk in chunks]
        passes = 2 if self.text_encoder is not None else 1
        log = BatchLog(f"index {shard_id}", len(images) + passes * len(texts))
        batch = settings.batch_size
        image_vectors = embed_images(
            encoder, images, batch_size=batch, pool=self._pool, on_batch=log
        )
        text_vectors = embed_texts(encoder, texts, batch_size=batch, on_batch=log)
        dense = (
            embed_texts(self.text_encoder, texts, batch_size=batch, on_batch=log)
            if self.text_encoder is not None
            else None
        )
        save_vectors(
            self.store,
            shard_id,
            ShardVectors(
                image_qids=image_qids,
                image=image_vectors,
                text=text_vectors,
                text_dense=dense,
                image_encoder_sha256=encoder.info.weights_sha256,
                text_encoder_sha256=(
                    self.text_encoder.info.weights_sha256 if self.text_encoder else None
                ),
            ),
        )
        self.embedded.update(images=len(images), chunks=len(chunks))
        stats = {
            "landmarks": len(landmarks),
            "images_embedded": len(images),
            "chunks_embedded": len(chunks),
            "chunks_by_kind": dict(Counter(c.kind for c in chunks)),
            "no_image": sum(1 for landmark in landmarks if landmark.image is None),
        }
        return ShardResult(records=chunks, rejections=rejections, stats=stats)

    def _decodable_images(
        self, landmarks: Sequence[CuratedLandmark]
    ) -> tuple[list[str], list[bytes], list[Rejection]]:
        """Image bytes that decode, with their QIDs; a rejection for each that does not."""
        qids, images, rejections = [], [], []
        for landmark in landmarks:
            if landmark.image is None:
                continue
            try:
                decode_image(landmark.image.image)
            except ValueError as exc:
                rejections.append(
                    Rejection(
                        qid=landmark.qid,
                        country=landmark.country,
                        stage=self.name,
                        reason=RejectReason.UNDECODABLE_IMAGE,
                        detail=f"{exc} (its chunks are indexed, its image is not)",
                    )
                )
                continue
            qids.append(landmark.qid)
            images.append(landmark.image.image)
        return qids, images, rejections

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        """Shards one by one; after the last is written, build the index files from all."""
        for shard_id in shard_ids:
            yield shard_id, self.process(shard_id)
        # The caller wrote the last shard (and its done-marker) before asking for more.
        from indexing.index_files import build_index_files

        build_index_files(
            self.config,
            self.store,
            encoder=self.encoder,
            text_info=self.text_encoder.info if self.text_encoder is not None else None,
        )
