"""The run store on object storage: moto's S3 server on 127.0.0.1 through the real s3fs client,
and on file:// URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from rswk.core.errors import RSWKError
from rswk.core.object_store import ObjectRunStore, open_run_store
from rswk.core.records.base import Rejection, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage, run_stage
from rswk.core.store_files import ObjectFiles
from tests.scale.moto_s3 import KEY, REGION, SECRET, moto_s3

moto_server = pytest.importorskip("moto.server")
pytest.importorskip("s3fs")


@pytest.fixture(scope="module")
def s3_options() -> Iterator[dict[str, Any]]:
    with moto_s3() as server:
        server.create_bucket("rswk-runs")
        yield {
            "key": KEY,
            "secret": SECRET,
            "client_kwargs": {"endpoint_url": server.endpoint, "region_name": REGION},
        }


class Point(BaseModel):
    """A small record: what the store writes does not depend on the record model."""

    qid: str
    country: str
    value: float


def landmark(qid: str, country: str) -> Point:
    return Point(qid=qid, country=country, value=len(qid) / 7)


class Seeded(Stage):
    """Two landmarks and one rejection per shard, derived from the shard id."""

    name = "seeded"
    record_model = Point
    executor_kind = "inline"

    def process(self, shard_id: str) -> ShardResult:
        records = [landmark(f"Q{ord(shard_id[0])}{i}", shard_id) for i in (1, 2)]
        rejection = Rejection(
            qid="Q9",
            country=shard_id,
            stage=self.name,
            # Not a transient reason: a rerun has nothing to retry in a finished shard.
            reason=RejectReason.NO_COORDINATES,
            detail="x",
        )
        return ShardResult(records=records, rejections=[rejection], stats={"landmarks": 3})


def test_stage_runs_into_s3_and_reads_back(s3_options: dict[str, Any]) -> None:
    store = open_run_store("s3://rswk-runs/run-a", **s3_options)
    assert isinstance(store, ObjectRunStore)
    report = run_stage(Seeded(), store, ["FR", "PT"], workers=1)
    assert sorted(report.written) == ["FR", "PT"]
    # A second client (another worker) sees the same run.
    other = open_run_store("s3://rswk-runs/run-a", **s3_options).stage("seeded")
    assert other.done_shards() == ["FR", "PT"] and other.planned() == ["FR", "PT"]
    assert [r.qid for r in other.read_shard("FR", Point)] == ["Q701", "Q702"]
    assert [r.qid for r in other.read_rejections("PT")] == ["Q9"]
    assert other.read_stats("FR") == {"landmarks": 3}
    assert other.marker("FR")["records"] == 2
    summary = other.summary()
    assert (summary.done, summary.planned, summary.records, summary.rejected) == (2, 2, 4, 2)
    assert [s.name for s in store.stages()] == ["seeded"]
    again = run_stage(Seeded(), store, ["FR", "PT"], workers=1)
    assert again.written == [] and sorted(again.skipped) == ["FR", "PT"]
    # The marker is the one a local run store writes (lineage, content hashes, no clock time).
    assert set(other.marker("FR")) == {
        "shard",
        "records",
        "rejected",
        "transient",
        "sha256",
        "rejected_sha256",
        "lineage",
    }


def test_a_crash_between_shard_and_marker_leaves_the_shard_pending(
    s3_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_run_store("s3://rswk-runs/run-b", **s3_options)
    real_write = ObjectFiles.write

    def crash_before_marker(self: ObjectFiles, rel: str, data: bytes, **kw: bool) -> None:
        if "/done/" in rel:
            raise KeyboardInterrupt("killed before the marker")
        real_write(self, rel, data, **kw)

    monkeypatch.setattr(ObjectFiles, "write", crash_before_marker)
    with pytest.raises(KeyboardInterrupt):
        run_stage(Seeded(), store, ["FR"], workers=1)
    monkeypatch.undo()
    stage = store.stage("seeded")
    assert isinstance(stage.files, ObjectFiles)
    assert stage.files.exists("seeded/shards/FR.parquet"), "the shard itself was written"
    assert not stage.is_done("FR") and stage.done_shards() == []
    with pytest.raises(RSWKError, match="no finished shard 'FR'"):
        stage.read_shard("FR", Point)
    report = run_stage(Seeded(), store, ["FR"], workers=1)
    assert report.written == ["FR"] and stage.is_done("FR")


def test_file_urls_write_the_same_shards_as_a_local_path(tmp_path: Path) -> None:
    run_stage(Seeded(), RunStore(tmp_path / "local"), ["FR"], workers=1)
    url_store = open_run_store(f"file://{tmp_path / 'url'}")
    run_stage(Seeded(), url_store, ["FR"], workers=1)
    local = (tmp_path / "local/seeded/shards/FR.parquet").read_bytes()
    remote = (tmp_path / "url/seeded/shards/FR.parquet").read_bytes()
    assert local == remote
    # The same done-marker too (lineage and content hashes, no clock time).
    local_marker = (tmp_path / "local/seeded/done/FR.json").read_bytes()
    assert (tmp_path / "url/seeded/done/FR.json").read_bytes() == local_marker
    assert not list((tmp_path / "url").rglob("*.tmp"))
    assert isinstance(open_run_store(tmp_path), RunStore)
