"""The run store: shards round-trip, reruns skip done shards, a crash never shows half a shard."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rswk.core.errors import DiskFull, RSWKError
from rswk.core.executor import LocalExecutor
from rswk.core.records import DiscoveredLandmark, Provenance, Rejection, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage, run_stage

PROV = Provenance(
    source_url="http://127.0.0.1/sparql",
    retrieved_at=datetime(2026, 1, 1, tzinfo=UTC),
    licence="CC0-1.0",
    attribution="Wikidata",
)


def landmark(qid: str, country: str = "FR", rank: int = 1) -> DiscoveredLandmark:
    return DiscoveredLandmark(
        qid=qid,
        country=country,
        label=f"Landmark {qid}",
        labels={"en": f"Landmark {qid}", "fr": f"Monument {qid}"},
        classes=["Q570116"],
        sitelinks=10,
        rank=rank,
        titles={"fr": f"Monument {qid}"},
        lat=48.0,
        lon=2.0,
        provenance=PROV,
    )


def result(country: str, n: int) -> ShardResult:
    records = [landmark(f"Q{i + 1}", country, rank=i + 1) for i in range(n)]
    rejection = Rejection(
        qid="Q999", country=country, stage="discover", reason=RejectReason.EXCLUDED, detail="x"
    )
    return ShardResult(records=records, rejections=[rejection], stats={"found": n})


def test_shard_round_trips_records_rejections_and_stats(tmp_path: Path) -> None:
    stage = RunStore(tmp_path).stage("discover")
    stage.write_shard("FR", DiscoveredLandmark, result("FR", 3))
    assert stage.is_done("FR")
    assert stage.read_shard("FR", DiscoveredLandmark) == result("FR", 3).records
    assert [r.reason for r in stage.read_rejections("FR")] == [RejectReason.EXCLUDED]
    assert stage.read_stats("FR") == {"found": 3}
    assert stage.marker("FR")["records"] == 3
    assert (tmp_path / "discover" / "shards" / "FR.parquet").exists()


def test_crash_between_temp_write_and_rename_leaves_no_visible_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = RunStore(tmp_path).stage("discover")

    def crash(self: Path, target: Path) -> Path:
        raise KeyboardInterrupt("simulated kill -9 before rename")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        stage.write_shard("FR", DiscoveredLandmark, result("FR", 2))
    monkeypatch.undo()
    assert not stage.shard_path("FR").exists()
    assert not stage.is_done("FR")
    assert stage.done_shards() == []
    with pytest.raises(RSWKError, match="no finished shard 'FR'"):
        stage.read_shard("FR", DiscoveredLandmark)


def test_crash_before_done_marker_means_shard_is_redone(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    stage = store.stage("discover")
    stage.write_shard("FR", DiscoveredLandmark, result("FR", 2))
    # The state a kill after the data but before the marker leaves behind.
    (stage.done_dir / "FR.json").unlink()
    counting = CountingStage()
    report = run_stage(counting, store, ["FR"])
    assert report.written == ["FR"]
    assert counting.calls == ["FR"]


class CountingStage(Stage):
    name = "discover"
    record_model = DiscoveredLandmark
    executor_kind = "inline"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def process(self, shard_id: str) -> ShardResult:
        self.calls.append(shard_id)
        return result(shard_id, 2)


def test_rerun_skips_done_shards_and_force_redoes_them(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    first = CountingStage()
    report = run_stage(first, store, ["FR", "DE"])
    assert sorted(report.written) == ["DE", "FR"] and report.records == 4 and report.rejected == 2
    second = CountingStage()
    report = run_stage(second, store, ["FR", "DE", "IT"])
    assert second.calls == ["IT"] and sorted(report.skipped) == ["DE", "FR"]
    forced = CountingStage()
    run_stage(forced, store, ["FR"], force=True)
    assert forced.calls == ["FR"]
    summary = store.stage("discover").summary()
    assert (summary.done, summary.planned, summary.records, summary.rejected) == (3, 3, 6, 3)


def test_bad_shard_id_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RSWKError, match="shard id 'france'"):
        RunStore(tmp_path).stage("discover").shard_path("france")


def test_thread_executor_returns_every_item_once() -> None:
    pairs = list(LocalExecutor("thread", workers=2).map_unordered(lambda x: x * 2, [1, 2, 3]))
    assert sorted(pairs) == [(1, 2), (2, 4), (3, 6)]


def double(x: int) -> int:
    return x * 2


def test_process_executor_runs_cpu_work_in_other_processes() -> None:
    pairs = list(LocalExecutor("process", workers=2).map_unordered(double, [1, 2, 3]))
    assert sorted(pairs) == [(1, 2), (2, 4), (3, 6)]


def test_a_full_disk_stops_the_stage_with_one_error_and_keeps_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RunStore(tmp_path)
    real_replace = Path.replace

    def full_from_the_second_shard(self: Path, target: Path) -> Path:
        # FR's files and marker go through; the device is full when DE's first file lands.
        if Path(target).name.startswith("DE"):
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", full_from_the_second_shard)
    full = CountingStage()
    with pytest.raises(DiskFull, match=r"discover: no space left .* 1 shard\(s\) written"):
        run_stage(full, store, ["FR", "DE", "IT"])
    # Not a failure of DE: no shard is marked failed, none is retried one at a time.
    assert full.calls == ["FR", "DE"]
    assert store.stage("discover").failures() == {}
    monkeypatch.undo()
    assert store.stage("discover").done_shards() == ["FR"]
    again = CountingStage()
    report = run_stage(again, store, ["FR", "DE", "IT"])
    assert again.calls == ["DE", "IT"] and report.skipped == ["FR"]


def test_a_shard_is_written_in_row_groups_and_read_back_one_at_a_time(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from rswk.core.parquet_codec import records_to_table
    from rswk.core.runstore import ROW_GROUP_ROWS, parquet_bytes, records_parquet_bytes

    n = 2 * ROW_GROUP_ROWS + 3
    written = result("FR", n)
    stage = RunStore(tmp_path).stage("discover")
    stage.write_shard("FR", DiscoveredLandmark, written)
    path = tmp_path / "discover" / "shards" / "FR.parquet"
    assert pq.ParquetFile(path).num_row_groups == 3
    # Built a group at a time, the same bytes as the whole table written at once.
    for size in (0, 1, ROW_GROUP_ROWS, ROW_GROUP_ROWS + 1, n):
        part = written.records[:size]
        whole = parquet_bytes(records_to_table(part, DiscoveredLandmark))
        assert records_parquet_bytes(part, DiscoveredLandmark) == whole, size
    groups = list(stage.iter_shard("FR", DiscoveredLandmark))
    assert [len(g) for g in groups] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 3]
    assert [r for g in groups for r in g] == written.records
    with pytest.raises(RSWKError, match="no finished shard 'PT'"):
        next(stage.iter_shard("PT", DiscoveredLandmark))
