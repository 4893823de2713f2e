"""The index stage and its files: keys round-trip to QIDs, index.json tells the truth, reruns
embed nothing, and retrieval ranks by the fused score exactly as RS-RAG defines it."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from usearch.index import Index

from indexing import Retriever
from indexing.embedding import decode_image
from indexing.shard_vectors import load_vectors, vectors_path
from rswk.cli import main
from rswk.core.records.base import RejectReason
from rswk.core.records.chunk import Chunk
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore, ShardResult
from tests.indexing.conftest import BuiltIndex


def manifest(built: BuiltIndex) -> dict:
    return dict(json.loads((built.files / "index.json").read_text()))


def test_keys_round_trip_to_qids_kinds_and_numbers(built_index: BuiltIndex) -> None:
    ids = pq.read_table(built_index.files / "ids.parquet").to_pydict()
    assert ids["key"] == list(range(len(ids["key"])))
    with_image = sorted(lm.qid for lm in built_index.landmarks if lm.image is not None)
    image_rows = [i for i, kind in enumerate(ids["kind"]) if kind == "image"]
    assert sorted(ids["qid"][i] for i in image_rows) == with_image
    index_stage = built_index.store.stage("index")
    chunks = [c for s in index_stage.done_shards() for c in index_stage.read_shard(s, Chunk)]
    chunk_rows = [i for i, kind in enumerate(ids["kind"]) if kind != "image"]
    assert [(ids["qid"][i], ids["kind"][i], ids["number"][i]) for i in chunk_rows] == [
        (c.qid, c.kind, c.number) for c in chunks
    ]
    # The stored vector under a key is the vector embedded for that key's row.
    image_index: Any = Index.restore(str(built_index.files / "image.usearch"), view=True)
    text_index: Any = Index.restore(str(built_index.files / "text.usearch"), view=True)
    assert len(image_index) == len(image_rows) and len(text_index) == len(chunk_rows)
    first = index_stage.done_shards()[0]
    stored = load_vectors(vectors_path(built_index.config.workdir, first))
    key = ids["qid"].index(stored.image_qids[0])
    assert np.allclose(image_index.get(key).astype(np.float32), stored.image[0], atol=2e-3)


def test_index_json_records_encoder_settings_counts_and_file_hashes(
    built_index: BuiltIndex,
) -> None:
    data = manifest(built_index)
    assert data["weights"] == "random:seed=0" and data["trained"] is False
    assert "UNTRAINED" in data["encoder"] and data["dim"] == 128
    assert (data["metric"], data["dtype"]) == ("cos", "f16")
    assert data["encoders"]["text_dense"]["trained"] is True
    assert data["counts"]["images"] == sum(1 for lm in built_index.landmarks if lm.image)
    for name, digest in data["sha256"].items():
        assert hashlib.sha256((built_index.files / name).read_bytes()).hexdigest() == digest
    assert set(data["sha256"]) == {
        "ids.parquet",
        "image.usearch",
        "text.usearch",
        "text_dense.usearch",
    }
    for entry in data["indexes"].values():
        assert entry["tuning"]["reached"] and entry["tuning"]["recall_at_10"] >= 0.99
    evaluation = data["evaluation"]
    assert evaluation["image_to_own_landmark"]["queries"] == data["counts"]["images"]
    assert 0 <= evaluation["image_to_own_landmark"]["recall@10"] <= 1


def test_rerun_embeds_nothing_and_keeps_the_files(
    built_index: BuiltIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in built_index.files.iterdir()}
    workdir = str(built_index.config.workdir)
    code = main(["index", "--workdir", workdir, "--config", str(built_index.toml)])
    out = capsys.readouterr().out
    assert code == 0
    assert "0 shard(s) embedded (0 images, 0 chunks)" in out
    assert "UNTRAINED" in out and "WARNING: built from untrained weights" in out
    assert {p.name: p.read_bytes() for p in built_index.files.iterdir()} == before


def test_a_forced_rebuild_writes_byte_identical_files(built_index: BuiltIndex) -> None:
    """The graphs are built on one thread in key order: the same inputs give the same bytes
    (a multi-threaded build gave another graph each time, now and then one that missed true
    neighbours at any expansion)."""
    from indexing.index_files import build_index_files

    before = {p.name: p.read_bytes() for p in built_index.files.iterdir()}
    build_index_files(built_index.config, built_index.store, force=True)
    assert {p.name: p.read_bytes() for p in built_index.files.iterdir()} == before


@pytest.fixture(scope="module")
def retriever(built_index: BuiltIndex) -> Retriever:
    return Retriever.open(built_index.files, built_index.config.index)


def test_an_image_query_returns_its_own_landmark_first(
    built_index: BuiltIndex, retriever: Retriever
) -> None:
    for landmark in built_index.landmarks:
        if landmark.image is not None:
            hits = retriever.search(image=landmark.image.image, top_k=3, alpha=1.0)
            assert hits[0].qid == landmark.qid, landmark.name


def _exact_cosines(built: BuiltIndex, image: bytes, question: str) -> dict[str, tuple]:
    """Per landmark, cos(image) and best cos(text) from the stored float32 vectors, by numpy."""
    retriever = Retriever.open(built.files, built.config.index)
    query_image = retriever.encoder.encode_images([decode_image(image)])[0]
    assert retriever.text_encoder is not None
    query_text = retriever.text_encoder.encode_texts([question])[0]
    index_stage = built.store.stage("index")
    result: dict[str, tuple] = {}
    for shard in index_stage.done_shards():
        vectors = load_vectors(vectors_path(built.config.workdir, shard))
        chunks = index_stage.read_shard(shard, Chunk)
        assert vectors.text_dense is not None
        for qid, vector in zip(vectors.image_qids, vectors.image, strict=True):
            texts = [i for i, c in enumerate(chunks) if c.qid == qid]
            best = float((vectors.text_dense[texts] @ query_text).max())
            result[qid] = (float(vector @ query_image), best)
    return result


@pytest.mark.parametrize("alpha", [1.0, 0.0])
def test_alpha_one_and_zero_give_pure_image_and_pure_text_order(
    built_index: BuiltIndex, retriever: Retriever, alpha: float
) -> None:
    landmark = next(lm for lm in built_index.landmarks if lm.image is not None)
    assert landmark.image is not None
    question = "Which river flows past the old stone bridge?"
    hits = retriever.search(image=landmark.image.image, question=question, top_k=5, alpha=alpha)
    exact = _exact_cosines(built_index, landmark.image.image, question)
    column = 0 if alpha == 1.0 else 1
    expected = sorted(exact, key=lambda qid: -exact[qid][column])[:5]
    assert [hit.qid for hit in hits] == expected
    for hit in hits:
        assert hit.score == pytest.approx(exact[hit.qid][column], abs=2e-3)


def test_shards_of_other_encoder_weights_are_not_mixed(
    built_index: BuiltIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "run"
    shutil.copytree(built_index.config.workdir, copy)
    other = tmp_path / "seed1.toml"
    other.write_text('[index.encoder]\nmodel = "RSWK-Tiny-32"\nseed = 1\n')
    files = copy / "index" / "files"
    # Re-embedding one country with other weights would mix two vector spaces in one index.
    args = ["index", "--workdir", str(copy), "--config", str(other)]
    assert main([*args, "--country", "GB"]) == 2
    assert "rswk index --force" in capsys.readouterr().err
    assert json.loads((files / "index.json").read_text())["weights"] == "random:seed=0"
    # The whole run: the encoder setting is lineage, so every shard is embedded again.
    assert main(args) == 0
    assert json.loads((files / "index.json").read_text())["weights"] == "random:seed=1"


@pytest.mark.parametrize("miscount", [1, -1])
def test_a_done_marker_that_miscounts_its_chunks_stops_the_build(
    built_index: BuiltIndex, tmp_path: Path, miscount: int
) -> None:
    """A done-marker that miscounts its shard's chunks (either way) stops the build with the
    command that repairs it: the keys of ids.parquet and the graphs must agree row for row."""
    from indexing.index_files import build_index_files
    from rswk.core.errors import RSWKError

    copy = tmp_path / "run"
    shutil.copytree(built_index.config.workdir, copy)
    marker = copy / "index" / "done" / "GB.json"
    data = json.loads(marker.read_text())
    data["records"] += miscount
    marker.write_text(json.dumps(data))
    config = built_index.config.model_copy(update={"workdir": copy})
    with pytest.raises(RSWKError, match=r"done-marker.*rswk index --force"):
        build_index_files(config, RunStore(copy), force=True)


def test_an_undecodable_image_is_a_rejection_and_its_chunks_stay(
    built_index: BuiltIndex, tmp_path: Path
) -> None:
    from rswk.cli.index import run_index

    shard = "GB"
    landmarks = built_index.store.stage("curate").read_shard(shard, CuratedLandmark)
    broken = landmarks[0]
    assert broken.image is not None
    junk = b"not an image"
    bad_image = broken.image.model_copy(
        update={"image": junk, "sha256": hashlib.sha256(junk).hexdigest()}
    )
    rows = [broken.model_copy(update={"image": bad_image}), *landmarks[1:]]
    store = RunStore(tmp_path)
    store.stage("curate").write_shard(
        shard, CuratedLandmark, ShardResult(records=rows, rejections=[], stats={})
    )
    config = built_index.config.model_copy(update={"workdir": tmp_path})
    summary = run_index(config)
    [rejection] = store.stage("index").read_rejections(shard)
    assert (rejection.qid, rejection.reason) == (broken.qid, RejectReason.UNDECODABLE_IMAGE)
    assert summary["manifest"]["counts"]["images"] == len(landmarks) - 1
    chunks = store.stage("index").read_shard(shard, Chunk)
    assert broken.qid in {chunk.qid for chunk in chunks}


def test_retriever_rebuilds_the_query_encoder_from_index_json(built_index: BuiltIndex) -> None:
    landmark = next(lm for lm in built_index.landmarks if lm.image is not None)
    assert landmark.image is not None
    retriever = Retriever.open(built_index.files)  # no config: seed and model from index.json
    assert retriever.search(image=landmark.image.image, alpha=1.0)[0].qid == landmark.qid


def test_a_run_store_at_a_url_gets_the_files_built_locally_and_a_new_machine_reuses_them(
    built_index: BuiltIndex,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import indexing.index_files

    def no_rebuild(*_: object, **__: object) -> None:
        raise AssertionError("the index files were current: nothing to rebuild")

    monkeypatch.setattr(indexing.index_files, "build_index", no_rebuild)
    # The run store behind a file:// URL (the same code as s3://), without its index files.
    store_dir = tmp_path / "store"
    shutil.copytree(built_index.config.workdir, store_dir)
    shutil.rmtree(store_dir / "index" / "files")
    url = f"file://{store_dir}"
    args = ["index", "--workdir", url, "--config", str(built_index.toml)]
    # One machine has them in its local directory: they are current, and copied to the store.
    first = tmp_path / "machine-a"
    shutil.copytree(built_index.files, first / "index" / "files")
    assert main([*args, "--cache-dir", str(first)]) == 0
    assert "0 shard(s) embedded" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in built_index.files.iterdir()}
    assert {p.name: p.read_bytes() for p in (store_dir / "index/files").iterdir()} == before
    # Another machine starts without them: it takes the store's copy instead of rebuilding.
    second = tmp_path / "machine-b"
    assert main([*args, "--cache-dir", str(second)]) == 0
    assert {p.name: p.read_bytes() for p in (second / "index/files").iterdir()} == before


def test_the_text_index_read_shard_by_shard_is_the_one_all_vectors_at_once_build(
    built_index: BuiltIndex, tmp_path: Path
) -> None:
    """The build reads each shard's chunk vectors when it adds them (the run's ~290,000 chunks
    never sit in memory at once); the file is the one a build from every vector at once gives."""
    from indexing.hnsw import build_index

    settings = built_index.config.index.hnsw
    shards = built_index.store.stage("index").done_shards()
    text = np.concatenate([load_vectors(built_index.store, s).text for s in shards])
    assert len(shards) > 1 and len(text) == manifest(built_index)["counts"]["chunks"]
    images = manifest(built_index)["counts"]["images"]
    index = build_index(text, np.arange(len(text), dtype=np.uint64) + images, settings)
    index.expansion_search = manifest(built_index)["indexes"]["text"]["expansion_search"]
    index.save(str(tmp_path / "text.usearch"))
    assert (tmp_path / "text.usearch").read_bytes() == (
        built_index.files / "text.usearch"
    ).read_bytes()


def test_blocks_of_a_few_chunks_build_the_same_files(
    built_index: BuiltIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the shards' vectors are cut into blocks on their way into the graphs, the exact
    search and the recall tuning, the files and index.json are the same."""
    from indexing import run_vectors
    from indexing.index_files import build_index_files

    copy = tmp_path / "run"
    shutil.copytree(built_index.config.workdir, copy)
    monkeypatch.setattr(run_vectors, "BLOCK_ROWS", 7)
    config = built_index.config.model_copy(update={"workdir": copy})
    build_index_files(config, RunStore(copy), force=True)
    files = copy / "index" / "files"
    assert {p.name: p.read_bytes() for p in files.iterdir()} == {
        p.name: p.read_bytes() for p in built_index.files.iterdir()
    }


def test_a_rebuild_from_a_store_at_a_url_downloads_each_shard_s_vectors_once(
    built_index: BuiltIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build reads the vectors in several passes (graphs, exact search, tuning steps,
    evaluation): from a store at a URL they come down once, into a copy removed afterwards."""
    from indexing.index_files import build_index_files
    from rswk.core.config import load_config
    from rswk.core.store_files import ObjectFiles

    store_dir = tmp_path / "store"
    shutil.copytree(built_index.config.workdir, store_dir)
    shutil.rmtree(store_dir / "index" / "files")
    reads: list[str] = []
    real_read = ObjectFiles.read

    def counting_read(self: ObjectFiles, rel: str) -> bytes:
        reads.append(rel)
        return real_read(self, rel)

    monkeypatch.setattr(ObjectFiles, "read", counting_read)
    local = tmp_path / "machine"
    url = f"file://{store_dir}"
    config = load_config("sample", path=built_index.toml, workdir=url, cache_dir=local)
    build_index_files(config, RunStore(url), force=True)
    vectors = [rel for rel in reads if rel.startswith("index/embeddings/")]
    shards = built_index.store.stage("index").done_shards()
    # Once for the inputs' hash, once for the copy: not once per pass.
    assert sorted(vectors) == sorted([f"index/embeddings/{s}.npz" for s in shards] * 2)
    assert {p.name: p.read_bytes() for p in (store_dir / "index" / "files").iterdir()} == {
        p.name: p.read_bytes() for p in built_index.files.iterdir()
    }
    assert not (config.workdir / "index" / "vectors-copy").exists()
