"""A Ray shard task's own logic, without Ray: the driver's lineage goes into the marker, a
retried task never writes its shard twice, a shard that raises becomes a failed shard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from rswk.core.lineage import recorded_lineage
from rswk.core.ray_executor import ShardTask, process_and_write
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage, StagePlan, plan_stage, run_stage


class Point(BaseModel):
    qid: str
    country: str


class Counting(Stage):
    """Two records per shard derived from its id; counts its calls; `broken` shards raise."""

    name = "counting"
    record_model = Point
    executor_kind = "inline"
    broken: ClassVar[frozenset[str]] = frozenset({"PT"})

    def __init__(self) -> None:
        self.calls: list[str] = []

    def process(self, shard_id: str) -> ShardResult:
        self.calls.append(shard_id)
        if shard_id in self.broken:
            raise ValueError(f"no answer for {shard_id}")
        records = [Point(qid=f"Q{ord(shard_id[0])}{i}", country=shard_id) for i in (1, 2)]
        return ShardResult(records=records, rejections=[], stats={"n": 2})


class CountingV2(Counting):
    version = "2"


def tasks(store: RunStore, planned: StagePlan, stage: str) -> dict[str, ShardTask]:
    """The tasks the Ray executor's driver would send for `planned`."""
    stage_store = store.stage(stage)
    return {
        s: ShardTask(
            s,
            planned.lineages[s],
            stage_store.marker(s) if stage_store.is_done(s) else None,
        )
        for s in planned.pending
    }


def test_a_retried_task_finds_its_shard_written_and_does_nothing(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    stage = Counting()
    planned = plan_stage(stage, store, ["FR"])
    task = tasks(store, planned, "counting")["FR"]
    first = process_and_write(stage, store, task)
    marker = store.stage("counting").marker("FR")
    assert (first.skipped, first.records) == (False, 2)
    lineage = recorded_lineage(marker)
    assert lineage is not None and lineage.fingerprint == planned.lineages["FR"].fingerprint
    # The worker died after the marker: Ray runs the same task again.
    retry = process_and_write(stage, store, task)
    assert (retry.skipped, retry.records) == (True, 2)
    assert stage.calls == ["FR"]
    # The marker is the one the local executor writes for the same shard.
    run_stage(Counting(), RunStore(tmp_path / "local"), ["FR"], workers=1)
    local = json.loads((tmp_path / "local/counting/done/FR.json").read_text())
    assert local == marker


def test_a_stale_or_forced_shard_is_redone_despite_its_old_marker(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_stage(Counting(), store, ["FR"], workers=1)
    stage = CountingV2()  # a code change: the finished shard is stale
    planned = plan_stage(stage, store, ["FR"])
    assert planned.report.reasons["FR"] == ["stage code changed (version 1 -> 2)"]
    task = tasks(store, planned, "counting")["FR"]
    assert process_and_write(stage, store, task).skipped is False
    assert process_and_write(stage, store, task).skipped is True  # its retry
    assert stage.calls == ["FR"]
    forced = plan_stage(stage, store, ["FR"], force=True)
    assert forced.report.reasons["FR"] == ["--force"]
    assert process_and_write(stage, store, tasks(store, forced, "counting")["FR"]).skipped is False
    assert stage.calls == ["FR", "FR"]


def test_a_shard_that_raises_on_a_worker_is_a_failed_shard(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    stage = Counting()
    planned = plan_stage(stage, store, ["FR", "PT"])
    by_id = tasks(store, planned, "counting")
    outcome = process_and_write(stage, store, by_id["PT"])
    assert outcome.failed == "ValueError: no answer for PT"
    counting = store.stage("counting")
    assert counting.failures() == {"PT": "ValueError: no answer for PT"}
    assert not counting.is_done("PT")
    failure = json.loads((tmp_path / "counting/failed/PT.json").read_text())
    assert failure["fingerprint"] == planned.lineages["PT"].fingerprint
    assert process_and_write(stage, store, by_id["FR"]).records == 2
    # The next plan retries the failed shard and says why.
    again = plan_stage(Counting(), store, ["FR", "PT"])
    assert again.pending == ["PT"]
    assert again.report.reasons["PT"] == ["failed last run (ValueError: no answer for PT)"]
