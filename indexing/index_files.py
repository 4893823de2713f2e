"""The index files under WORKDIR/index/files/, built from every finished index shard.

    image.usearch       CLIP image vectors, one per landmark with an image
    text.usearch        CLIP text vectors, one per chunk
    text_dense.usearch  the dense text encoder's chunk vectors (when one is configured)
    ids.parquet         every key -> (qid, kind, number) plus the chunk's text, name, class, source
    index.json          encoder, weights, trained, dim, metric, dtype, settings, counts, recall,
                        self-evaluation, dataset version and the sha256 of every other file

Keys are row numbers of ids.parquet, shared by all indexes (images first, then chunks, in shard
order). The files are written into `files.incomplete/` and swapped into place whole, index.json
last; when the inputs (shard vectors and settings) are unchanged, nothing is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from indexing.encoders import EncoderInfo, OpenClipEncoder, load_image_encoder
from indexing.evaluation import (
    chunk_to_other_chunks,
    image_to_own_landmark,
    sample_rows,
    text_to_own_landmark,
)
from indexing.hnsw import ArrayVectors, Tuning, Vectors, build_index, open_view, tune_expansion
from indexing.run_vectors import RunVectors
from indexing.shard_vectors import ShardVectors, load_vectors, vectors_sha256
from rswk import __version__
from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore, atomic_write_json, atomic_write_table

logger = logging.getLogger(__name__)

FORMAT = "rswk-index/1"
MANIFEST = "index.json"
IDS = "ids.parquet"
INDEX_FILES = {"image": "image.usearch", "text": "text.usearch", "text_dense": "text_dense.usearch"}
IMAGE_KIND = "image"
# Raised whenever the way files are built changes, so files of an older build are rebuilt.
BUILD_REVISION = "2"


FILES_REL = "index/files"


def files_dir(workdir: Path) -> Path:
    """The index files in the run's local directory (the run store itself when local)."""
    return Path(workdir) / FILES_REL


@dataclass
class Collected:
    """Every finished shard's rows and vectors, in key order (images, then chunks).

    Chunks stay Arrow columns (no record objects); the image vectors (one per landmark) are held,
    the chunk vectors (~20 per landmark) are read shard by shard when the graph is built and
    tuned (`RunVectors`), so memory grows by the rows of ids.parquet, not by the vectors.
    """

    image_qids: list[str]
    chunks: pa.Table  # qid, country, kind, number, name, rswk_class, text, source
    image: np.ndarray
    text: RunVectors
    text_dense: RunVectors | None
    image_sha: str
    text_sha: str | None

    def chunk_qids(self, rows: np.ndarray | None = None) -> list[str]:
        column = self.chunks.column("qid")
        return [str(q) for q in (column if rows is None else column.take(rows)).to_pylist()]


CHUNK_COLUMNS = ("qid", "country", "kind", "number", "name", "rswk_class", "text", "provenance")


def _inputs_sha256(config: ProjectConfig, store: RunStore, shards: list[str]) -> str:
    """What the files are built from: each shard's chunks and vectors, and the settings."""
    digest = hashlib.sha256(f"{FORMAT}/{BUILD_REVISION}/{__version__}".encode())
    index_store = store.stage("index")
    for shard in shards:
        digest.update(shard.encode())
        digest.update(index_store.marker(shard)["sha256"].encode())
        digest.update(vectors_sha256(store, shard))
    settings = config.index.model_dump(
        mode="json", include={"encoder", "text_encoder", "hnsw", "eval_landmarks"}
    )
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def _chunk_rows(store: RunStore, shard: str) -> pa.Table:
    """A shard's chunks as the columns ids.parquet needs (`source`: the first provenance URL)."""
    table = store.stage("index").read_columns(shard, CHUNK_COLUMNS)
    sources = [p[0]["source_url"] if p else "" for p in table.column("provenance").to_pylist()]
    table = table.drop_columns(["provenance"])
    return table.append_column("source", pa.array(sources, pa.string()))


def _collect(store: RunStore, shards: list[str], vectors_from: RunStore) -> Collected:
    """The shards' chunk rows and image vectors, with every count checked: each shard's chunks,
    its vectors of each encoder and its done-marker agree, and one set of encoder weights made
    them all (each shard's vectors are read here, from `vectors_from`, and dropped;
    `RunVectors` reads them again)."""
    index_store = store.stage("index")
    image_qids: list[str] = []
    images: list[np.ndarray] = []
    tables: list[pa.Table] = []
    counts: list[int] = []
    first: ShardVectors | None = None
    for shard in shards:
        vectors = load_vectors(vectors_from, shard)
        rows = _chunk_rows(store, shard)
        counted = int(index_store.marker(shard)["records"])
        if rows.num_rows != len(vectors.text):
            raise RSWKError(
                f"index shard {shard}: {rows.num_rows} chunks but {len(vectors.text)} "
                "vectors (run `rswk index --force`)"
            )
        if counted != rows.num_rows:
            raise RSWKError(
                f"index shard {shard}: its done-marker counts {counted} chunks but the shard "
                f"holds {rows.num_rows} (run `rswk index --force`)"
            )
        first = first or vectors
        if (
            vectors.image_encoder_sha256 != first.image_encoder_sha256
            or vectors.text_encoder_sha256 != first.text_encoder_sha256
        ):
            raise RSWKError(
                f"index shard {shard} was embedded with other encoder weights than shard "
                f"{shards[0]} (run `rswk index --force` to embed every shard with one encoder)"
            )
        if vectors.text_dense is not None and len(vectors.text_dense) != rows.num_rows:
            raise RSWKError(
                f"index shard {shard}: {rows.num_rows} chunks but {len(vectors.text_dense)} "
                "dense text vectors (run `rswk index --force`)"
            )
        image_qids += vectors.image_qids
        images.append(vectors.image)
        tables.append(rows)
        counts.append(rows.num_rows)
    assert first is not None
    dense_dim = first.text_dense.shape[1] if first.text_dense is not None else 0
    return Collected(
        image_qids=image_qids,
        chunks=pa.concat_tables(tables),
        image=np.concatenate(images),
        text=RunVectors(vectors_from, shards, counts, "text", first.text.shape[1]),
        text_dense=(
            RunVectors(vectors_from, shards, counts, "text_dense", dense_dim)
            if dense_dim and sum(counts)
            else None
        ),
        image_sha=first.image_encoder_sha256,
        text_sha=first.text_encoder_sha256,
    )


IDS_SCHEMA = pa.schema(
    [
        ("key", pa.uint64()),
        ("qid", pa.string()),
        ("country", pa.string()),
        ("kind", pa.string()),
        ("number", pa.int32()),
        ("name", pa.string()),
        ("rswk_class", pa.string()),
        ("text", pa.string()),
        ("source", pa.string()),
    ]
)


def _ids_table(collected: Collected) -> pa.Table:
    """One row per key: images first, then chunks; an image's name, class and country come
    from its landmark's first chunk."""
    chunks = collected.chunks
    first: dict[str, tuple[str, str, str]] = {}
    columns = (chunks.column(c).to_pylist() for c in ("qid", "country", "name", "rswk_class"))
    for qid, country, name, rswk_class in zip(*columns, strict=True):
        first.setdefault(qid, (country, name, rswk_class))
    described = [first.get(qid, ("", qid, "")) for qid in collected.image_qids]
    count = len(collected.image_qids)
    images = {
        "qid": collected.image_qids,
        "country": [d[0] for d in described],
        "kind": [IMAGE_KIND] * count,
        "number": [0] * count,
        "name": [d[1] for d in described],
        "rswk_class": [d[2] for d in described],
        "text": [""] * count,
        "source": [""] * count,
    }
    names = IDS_SCHEMA.names[1:]
    rows = pa.concat_tables(
        [
            pa.table(images, schema=pa.schema([IDS_SCHEMA.field(n) for n in names])),
            chunks.select(names).cast(pa.schema([IDS_SCHEMA.field(n) for n in names])),
        ]
    )
    keys = pa.array(np.arange(rows.num_rows, dtype=np.uint64))
    return rows.add_column(0, IDS_SCHEMA.field("key"), keys)


def _curated_images(store: RunStore, shards: list[str], wanted: set[str]) -> dict[str, bytes]:
    images: dict[str, bytes] = {}
    curate = store.stage("curate")
    for shard in shards:
        if not curate.is_done(shard):
            continue
        for landmark in curate.read_shard(shard, CuratedLandmark):
            if landmark.qid in wanted and landmark.image is not None:
                images[landmark.qid] = landmark.image.image
    return images


def build_index_files(
    config: ProjectConfig,
    store: RunStore,
    *,
    encoder: OpenClipEncoder | None = None,
    text_info: EncoderInfo | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Build (or keep, when current) the index files from every finished index shard.

    Returns the manifest (`index.json`). `encoder` is the stage's loaded encoder, used for the
    image self-evaluation; without one it is loaded only if the files must be rebuilt.
    """
    shards = store.stage("index").done_shards()
    if not shards:
        raise RSWKError(f"{store.workdir}: no finished index shards (run `rswk index` first)")
    # USearch saves to local paths: the files are built in the run's local directory and, when
    # the run store is elsewhere (a URL), copied there whole, index.json last.
    target = files_dir(config.workdir)
    if store.is_remote and not (target / MANIFEST).is_file():
        store.download_folder(FILES_REL, target)
    inputs = _inputs_sha256(config, store, shards)
    current = read_manifest(target) if (target / MANIFEST).is_file() else None
    if current is not None and current.get("inputs_sha256") == inputs and not force:
        logger.info("index files in %s are current", target)
        _publish(store, target)
        return current
    vectors_from = _local_vectors(config, store)
    try:
        return _build(config, store, shards, inputs, target, vectors_from, encoder, text_info)
    finally:
        if vectors_from is not store:
            shutil.rmtree(vectors_from.workdir, ignore_errors=True)


def _local_vectors(config: ProjectConfig, store: RunStore) -> RunStore:
    """Where the build reads the shards' vectors, pass after pass (collect, graph, exact search,
    tuning steps, evaluation): the run store itself when it is local; for one at a URL a copy
    on this machine, downloaded once and removed after the build, so no pass downloads every
    shard's vectors again."""
    if not store.is_remote:
        return store
    copy = Path(config.workdir) / "index" / "vectors-copy"
    store.download_folder("index/embeddings", copy / "index" / "embeddings")
    return RunStore(copy)


def _build(
    config: ProjectConfig,
    store: RunStore,
    shards: list[str],
    inputs: str,
    target: Path,
    vectors_from: RunStore,
    encoder: OpenClipEncoder | None,
    text_info: EncoderInfo | None,
) -> dict[str, Any]:
    """Build the files into `files.incomplete/` and swap them into place (`build_index_files`)."""
    settings = config.index
    collected = _collect(store, shards, vectors_from)
    if encoder is None or encoder.info.weights_sha256 != collected.image_sha:
        encoder = load_image_encoder(settings.encoder, settings.device)
    if encoder.info.weights_sha256 != collected.image_sha:
        raise RSWKError(
            f"the index shards in {store.workdir} were embedded with other weights than "
            f"index.encoder ({encoder.info.describe()}); run `rswk index --force`"
        )
    if text_info is None and settings.text_encoder is not None and collected.text_sha:
        from indexing.encoders import load_encoder

        text_info = load_encoder(settings.text_encoder, settings.device).info

    building = target.with_name("files.incomplete")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    ids = _ids_table(collected)
    atomic_write_table(building / IDS, ids)
    keys = np.arange(len(ids), dtype=np.uint64)
    n_images = len(collected.image_qids)
    vectors: dict[str, Vectors] = {"image": ArrayVectors(collected.image), "text": collected.text}
    if collected.text_dense is not None:
        vectors["text_dense"] = collected.text_dense
    indexes, tunings = {}, {}
    for name, source in vectors.items():
        own_keys = keys[:n_images] if name == "image" else keys[n_images:]
        index = build_index(source, own_keys, settings.hnsw)
        tunings[name] = tune_expansion(index, source, own_keys, settings.hnsw)
        path = building / INDEX_FILES[name]
        index.save(str(path))
        del index  # the graph built in memory goes before the next index is built
        # The evaluation searches the saved file, memory-mapped, as the retriever will.
        indexes[name] = open_view(path, tunings[name].expansion_search)
        logger.info("index %s: %d vectors, %s", name, len(source), tunings[name].to_json()["note"])

    key_qids = ids.column("qid").to_pylist()  # key -> QID: keys are row numbers
    evaluation = _evaluate(config, store, shards, encoder, collected, indexes, key_qids, n_images)
    evaluation["hnsw_vs_exact_recall@10"] = {
        k: round(t.recall_at_10, 4) for k, t in tunings.items()
    }
    manifest = _manifest(
        config, store, shards, collected, encoder.info, text_info, tunings, evaluation, inputs
    )
    manifest["sha256"] = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(building.iterdir())
        if path.is_file() and not path.name.startswith(".")
    }
    atomic_write_json(building / MANIFEST, manifest)
    _swap_into_place(building, target)
    _publish(store, target)
    return manifest


def _publish(store: RunStore, target: Path) -> None:
    """Copy the built files into a run store elsewhere (a URL) unless it holds them already."""
    if not store.is_remote:
        return
    manifest = (target / MANIFEST).read_bytes()
    try:
        if store.files.read(f"{FILES_REL}/{MANIFEST}") == manifest:
            return
    except FileNotFoundError:
        pass
    store.upload_folder(target, FILES_REL, last=MANIFEST)


def _evaluate(
    config: ProjectConfig,
    store: RunStore,
    shards: list[str],
    encoder: OpenClipEncoder,
    collected: Collected,
    indexes: dict[str, Any],
    key_qids: Sequence[str],
    n_images: int,
) -> dict[str, Any]:
    limit = config.index.eval_landmarks
    image_rows = sample_rows(n_images, limit)
    wanted = {collected.image_qids[i] for i in image_rows}
    images = _curated_images(store, shards, wanted)
    result: dict[str, Any] = {
        "image_to_own_landmark": image_to_own_landmark(
            encoder, indexes["image"], images, key_qids, batch_size=config.index.batch_size
        ),
    }
    chunk_rows = sample_rows(collected.chunks.num_rows, limit)
    chunk_qids = collected.chunk_qids(chunk_rows)
    result["text_chunk_to_own_landmark_image"] = text_to_own_landmark(
        collected.text.take(chunk_rows), chunk_qids, indexes["image"], key_qids
    )
    if collected.text_dense is not None:
        result["text_chunk_to_own_landmark_chunks"] = chunk_to_other_chunks(
            collected.text_dense.take(chunk_rows),
            (chunk_rows + n_images).astype(np.int64),
            chunk_qids,
            indexes["text_dense"],
            key_qids,
        )
    result["query_view"] = "mirrored left-right and cropped to 85% (top-left)"
    return result


def _manifest(
    config: ProjectConfig,
    store: RunStore,
    shards: list[str],
    collected: Collected,
    info: EncoderInfo,
    text_info: EncoderInfo | None,
    tunings: dict[str, Tuning],
    evaluation: dict[str, Any],
    inputs: str,
) -> dict[str, Any]:
    hnsw = config.index.hnsw
    curate = store.stage("curate")
    chunk_count = collected.chunks.num_rows
    encoders = {"image": info, "text": info, "text_dense": text_info}
    return {
        "format": FORMAT,
        "dataset_version": __version__,
        "encoder": info.describe(),
        "weights": info.weights,
        "trained": info.trained and (text_info is None or text_info.trained),
        "dim": info.dim,
        "metric": "cos",
        "dtype": hnsw.dtype,
        "encoders": {"image_text": info.to_json(), "text_dense": text_info and text_info.to_json()},
        "settings": {
            **hnsw.model_dump(mode="json"),
            "batch_size": config.index.batch_size,
            "eval_landmarks": config.index.eval_landmarks,
        },
        "indexes": {
            name: {
                "file": INDEX_FILES[name],
                "encoder": "text_dense" if name == "text_dense" else "image_text",
                "dim": encoders[name].dim if encoders[name] else None,  # type: ignore[union-attr]
                "count": len(collected.image_qids) if name == "image" else chunk_count,
                "metric": "cos",
                "dtype": hnsw.dtype,
                "connectivity": hnsw.connectivity,
                "expansion_add": hnsw.expansion_add,
                "expansion_search": tuning.expansion_search,
                "tuning": tuning.to_json(),
            }
            for name, tuning in tunings.items()
        },
        "recall": {name: round(t.recall_at_10, 4) for name, t in tunings.items()},
        "counts": {
            "shards": len(shards),
            "landmarks": len(set(collected.chunk_qids()) | set(collected.image_qids)),
            "images": len(collected.image_qids),
            "chunks": chunk_count,
            "chunks_by_kind": dict(sorted(Counter(collected.chunks["kind"].to_pylist()).items())),
        },
        "evaluation": evaluation,
        "ids": {"file": IDS, "key": "row number; images first, then chunks in shard order"},
        "curated_shards": {s: curate.marker(s)["sha256"] for s in shards if curate.is_done(s)},
        "inputs_sha256": inputs,
    }


def _swap_into_place(building: Path, target: Path) -> None:
    """Replace `target` by `building` whole: readers see the old files or the new ones."""
    old = target.with_name("files.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(directory: Path) -> dict[str, Any]:
    """The `index.json` of an index folder; an absent or foreign one is a one-line error."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise RSWKError(
            f"--index {directory}: no {MANIFEST} there (give the folder `rswk index` wrote, "
            "WORKDIR/index/files)"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise RSWKError(f"{path}: not valid JSON ({exc}); rebuild with `rswk index`") from None
    if manifest.get("format") != FORMAT:
        raise RSWKError(f"{path}: format {manifest.get('format')!r} is not {FORMAT!r}")
    return manifest


def summary_lines(manifest: dict[str, Any]) -> list[str]:
    """What `rswk index` and `rswk rag` print about an index: encoder first, then the figures."""
    counts = manifest["counts"]
    lines = [f"encoder: {manifest['encoder']}"]
    dense = manifest["encoders"].get("text_dense")
    if dense:
        lines.append(f"text encoder: {EncoderInfo.from_json(dense).describe()}")
    if not manifest["trained"]:
        lines.append("WARNING: built from untrained weights; retrieval results are not meaningful")
    lines.append(
        f"{counts['landmarks']} landmarks, {counts['images']} images, {counts['chunks']} chunks "
        f"in {counts['shards']} shards; {manifest['metric']} / {manifest['dtype']}"
    )
    for entry in manifest["indexes"].values():
        tuning = entry["tuning"]
        lines.append(
            f"{entry['file']}: {entry['count']} vectors, recall@10 vs exact "
            f"{tuning['recall_at_10']} at expansion_search {entry['expansion_search']} "
            f"({tuning['note']})"
        )
    for name, figures in manifest["evaluation"].items():
        if isinstance(figures, dict) and "recall@1" in figures:
            lines.append(
                f"self-evaluation {name}: recall@1 {figures['recall@1']}, "
                f"@5 {figures['recall@5']}, @10 {figures['recall@10']} "
                f"({figures['queries']} queries)"
            )
    return lines
