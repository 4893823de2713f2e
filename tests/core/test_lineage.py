"""Lineage: what makes a shard stale (and only that), failed shards as data, transient retries.

The stages here are small real stages over a real run store, a real country registry (files in a
temp folder) and a real project config; what they write depends on exactly the inputs they
declare, so a test can tell a redo that was needed from one that was not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from rswk.core.config import AttributesConfig, ProjectConfig
from rswk.core.countries import CountryFile, CountryRegistry, write_country_file
from rswk.core.executor import LocalExecutor
from rswk.core.lineage import OLDER_RSWK
from rswk.core.records import DiscoveredLandmark, Rejection, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage, run_stage
from rswk.pipeline import STAGES, stage_order, stages_until
from tests.core.test_runstore import landmark


def make_registry(folder: Path, **overrides: dict[str, Any]) -> CountryRegistry:
    """FR and DE country files in `folder` (fields overridden per code), loaded as a registry."""
    base = {
        "FR": {"iso2": "FR", "languages": ("fr", "en"), "quota": 3},
        "DE": {"iso2": "DE", "languages": ("de",), "quota": 2},
    }
    for iso2, fields in base.items():
        write_country_file(
            CountryFile(**{**fields, **overrides.get(iso2, {})}), folder / f"{iso2}.yaml"
        )
    return CountryRegistry.from_dir(folder)


class ListStage(Stage):
    """Lists `quota` landmarks per country, minus the excluded ones (reads the country file)."""

    name = "discover"
    record_model = DiscoveredLandmark
    executor_kind = "inline"

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config, self.registry, self.store = config, registry, store
        self.calls: list[str] = []
        self.fail: set[str] = set()
        self.rejections: dict[str, list[Rejection]] = {}

    def process(self, shard_id: str) -> ShardResult:
        self.calls.append(shard_id)
        if shard_id in self.fail:
            raise ValueError(f"no answer for {shard_id}")
        country = self.registry.get(shard_id)
        qids = [f"Q{i}" for i in range(1, country.quota + 1) if f"Q{i}" not in country.excluded]
        records = [landmark(q, shard_id, rank=n) for n, q in enumerate(qids, start=1)]
        return ShardResult(records, self.rejections.get(shard_id, []), {"listed": len(qids)})


class MeasureStage(ListStage):
    """Reads the list stage's shard; its output depends on `attributes.year`."""

    name = "measure"
    config_keys = ("attributes.year",)

    def process(self, shard_id: str) -> ShardResult:
        self.calls.append(shard_id)
        listed = self.store.stage("discover").read_shard(shard_id, DiscoveredLandmark)
        year = self.config.attributes.year
        records = [r.model_copy(update={"sitelinks": year}) for r in listed]
        return ShardResult(records, [], {"year": year})


def config_for(tmp_path: Path, year: int = 2024) -> ProjectConfig:
    return ProjectConfig(workdir=tmp_path / "work", attributes=AttributesConfig(year=year))


def run_both(
    config: ProjectConfig, registry: CountryRegistry, shards: Sequence[str] = ("DE", "FR")
) -> tuple[ListStage, MeasureStage]:
    store = RunStore(config.workdir)
    lister, measurer = ListStage(config, registry, store), MeasureStage(config, registry, store)
    run_stage(lister, store, list(shards), upstream=())
    run_stage(measurer, store, list(shards), upstream=["discover"])
    return lister, measurer


def test_an_unchanged_rerun_redoes_nothing_and_touches_no_file(tmp_path: Path) -> None:
    registry = make_registry(tmp_path / "countries")
    config = config_for(tmp_path)
    run_both(config, registry)
    before = {p: p.stat().st_mtime_ns for p in config.workdir.rglob("*")}
    lister, measurer = run_both(config, registry)
    assert lister.calls == [] and measurer.calls == []
    assert {p: p.stat().st_mtime_ns for p in config.workdir.rglob("*")} == before


def test_an_excluded_qid_makes_that_country_and_its_downstream_stale(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    run_both(config, make_registry(tmp_path / "countries"))
    edited = make_registry(tmp_path / "countries", FR={"excluded": ("Q2",)})
    lister, measurer = run_both(config, edited)
    assert lister.calls == ["FR"] and measurer.calls == ["FR"]
    store = RunStore(config.workdir)
    assert [r.qid for r in store.stage("measure").read_shard("FR", DiscoveredLandmark)] == [
        "Q1",
        "Q3",
    ]


def test_a_quota_change_is_stale_for_the_same_reason_with_the_reason_named(
    tmp_path: Path,
) -> None:
    config = config_for(tmp_path)
    run_both(config, make_registry(tmp_path / "countries"))
    edited = make_registry(tmp_path / "countries", DE={"quota": 1})
    store = RunStore(config.workdir)
    report = run_stage(ListStage(config, edited, store), store, ["DE", "FR"], upstream=())
    assert report.reasons == {"DE": ["country file changed"]}
    report = run_stage(
        MeasureStage(config, edited, store), store, ["DE", "FR"], upstream=["discover"]
    )
    assert report.reasons == {"DE": ["country file changed", "upstream discover changed"]}
    assert len(store.stage("measure").read_shard("DE", DiscoveredLandmark)) == 1


def test_a_config_change_redoes_the_stage_that_reads_it_and_not_its_upstream(
    tmp_path: Path,
) -> None:
    registry = make_registry(tmp_path / "countries")
    run_both(config_for(tmp_path), registry)
    lister, measurer = run_both(config_for(tmp_path, year=2023), registry)
    assert lister.calls == [] and sorted(measurer.calls) == ["DE", "FR"]
    store = RunStore(tmp_path / "work")
    assert {r.sitelinks for r in store.stage("measure").read_shard("FR", DiscoveredLandmark)} == {
        2023
    }


def test_a_stage_version_bump_and_an_old_marker_are_stale_not_a_crash(tmp_path: Path) -> None:
    registry = make_registry(tmp_path / "countries")
    config = config_for(tmp_path)
    run_both(config, registry)
    store = RunStore(config.workdir)
    marker_path = store.stage("discover").done_dir / "FR.json"
    marker = json.loads(marker_path.read_text())
    del marker["lineage"]  # what a done-marker written before lineage existed looks like
    marker_path.write_text(json.dumps(marker))
    lister = ListStage(config, registry, store)
    report = run_stage(lister, store, ["DE", "FR"], upstream=())
    assert report.reasons == {"FR": [OLDER_RSWK]} and lister.calls == ["FR"]

    class NewerMeasure(MeasureStage):
        version = "2"

    report = run_stage(NewerMeasure(config, registry, store), store, ["DE"], upstream=["discover"])
    assert report.reasons == {"DE": ["stage code changed (version 1 -> 2)"]}


def test_transient_rejections_are_retried_by_a_plain_rerun_permanent_ones_stay(
    tmp_path: Path,
) -> None:
    registry = make_registry(tmp_path / "countries")
    config = config_for(tmp_path)
    store = RunStore(config.workdir)

    def rejection(country: str, reason: RejectReason) -> Rejection:
        return Rejection(qid="Q9", country=country, stage="discover", reason=reason, detail="x")

    first = ListStage(config, registry, store)
    first.rejections = {
        "FR": [rejection("FR", RejectReason.FETCH_FAILED)],
        "DE": [rejection("DE", RejectReason.MISSING_PAGE)],
    }
    report = run_stage(first, store, ["DE", "FR"], upstream=())
    assert report.transient == 1 and store.stage("discover").marker("FR")["transient"] == 1
    healed = ListStage(config, registry, store)
    report = run_stage(healed, store, ["DE", "FR"], upstream=())
    assert healed.calls == ["FR"]
    assert report.reasons == {"FR": ["1 transient rejection(s) to retry"]}
    assert store.stage("discover").marker("FR")["transient"] == 0
    assert run_stage(ListStage(config, registry, store), store, ["DE", "FR"]).written == []


def test_a_shard_that_raises_is_failed_the_others_finish_and_a_rerun_retries_it(
    tmp_path: Path,
) -> None:
    registry = make_registry(tmp_path / "countries")
    config = config_for(tmp_path)
    store = RunStore(config.workdir)
    broken = ListStage(config, registry, store)
    broken.fail = {"DE"}
    report = run_stage(broken, store, ["DE", "FR"], upstream=())
    assert report.written == ["FR"]
    assert report.failed == {"DE": "ValueError: no answer for DE"}
    stage_store = store.stage("discover")
    assert stage_store.done_shards() == ["FR"]
    assert stage_store.failures() == {"DE": "ValueError: no answer for DE"}
    summary = stage_store.summary()
    assert (summary.done, summary.failed, summary.planned) == (1, 1, 2)

    retry = ListStage(config, registry, store)
    report = run_stage(retry, store, ["DE", "FR"], upstream=())
    assert retry.calls == ["DE"]
    assert report.reasons["DE"] == ["failed last run (ValueError: no answer for DE)"]
    assert stage_store.done_shards() == ["DE", "FR"] and stage_store.failures() == {}


class BatchStage(ListStage):
    """Works on all shards as one batch (like a crawl), which breaks when it meets DE."""

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        for shard_id in sorted(shard_ids, key=lambda s: s != "FR"):
            if shard_id == "DE":
                raise RuntimeError("the batch broke on DE")
            yield shard_id, self.process(shard_id)


def test_a_broken_batch_is_split_so_only_the_guilty_shard_fails(tmp_path: Path) -> None:
    make_registry(tmp_path / "countries")
    write_country_file(
        CountryFile(iso2="IT", languages=("it",), quota=2), tmp_path / "countries" / "IT.yaml"
    )
    registry = CountryRegistry.from_dir(tmp_path / "countries")
    config = config_for(tmp_path)
    store = RunStore(config.workdir)
    stage = BatchStage(config, registry, store)
    stage.fail = {"DE"}
    report = run_stage(stage, store, ["DE", "FR", "IT"], upstream=())
    assert sorted(report.written) == ["FR", "IT"]
    assert list(report.failed) == ["DE"] and "no answer for DE" in report.failed["DE"]


def test_the_registry_orders_stages_by_their_declared_upstream() -> None:
    order = stage_order()
    for name, (_, upstream) in STAGES.items():
        assert all(order.index(up) < order.index(name) for up in upstream), name
    assert STAGES["imagery"][1] == ["locate", "knowledge"]
    assert STAGES["attributes"][1] == ["locate", "imagery"]
    assert stages_until("imagery") == ["discover", "locate", "knowledge", "imagery"]
    assert stages_until("locate") == ["discover", "locate"]


@pytest.mark.parametrize("shard_id", ["FR", "FR-0001"])
def test_a_sub_shard_is_fingerprinted_with_its_country_file(tmp_path: Path, shard_id: str) -> None:
    store = RunStore(tmp_path / "work")
    config = config_for(tmp_path)
    before = ListStage(config, make_registry(tmp_path / "c"), store).lineage(store, shard_id, ())
    edited = make_registry(tmp_path / "c", FR={"languages": ("en",)})
    after = ListStage(config, edited, store).lineage(store, shard_id, ())
    other = ListStage(config, edited, store).lineage(store, "DE", ())
    assert before.inputs["country"] != after.inputs["country"]
    assert before.fingerprint != after.fingerprint
    assert (
        other.inputs["country"]
        == ListStage(config, make_registry(tmp_path / "d"), store)
        .lineage(store, "DE", ())
        .inputs["country"]
    )


class ProcessListStage(ListStage):
    """The list stage on a process pool: the shard guard must cross the process boundary."""

    executor_kind = "process"


def test_a_failing_shard_on_a_process_pool_is_failed_too(tmp_path: Path) -> None:
    registry = make_registry(tmp_path / "countries")
    config = config_for(tmp_path)
    store = RunStore(config.workdir)
    stage = ProcessListStage(config, registry, store)
    stage.fail = {"FR"}
    report = run_stage(stage, store, ["DE", "FR"], workers=2, upstream=())
    assert report.written == ["DE"]
    assert report.failed == {"FR": "ValueError: no answer for FR"}
