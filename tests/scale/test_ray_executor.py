"""The Ray executor on a local 2-CPU cluster (started once for the module): the same shards as
the local executor, a killed worker's shard retried once, and one limiter per source for all
workers."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from rswk.core.countries import CountryRegistry
from rswk.core.errors import DiskFull, RSWKError
from rswk.core.records import LocatedLandmark
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.scale_config import RayConfig, SourceLimit
from rswk.core.stage import Stage
from rswk.core.stage_executors import LocalStageExecutor
from rswk.pipeline import run_pipeline
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.scale.support import (
    COUNTRIES,
    HEAVY_STAGES,
    copy_crawl,
    crawl,
    sample_config,
    shard_files,
)

ray = pytest.importorskip("ray")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # Workers import this test module (the crash-once stage) and the project from the repo.
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        runtime_env={"env_vars": {"PYTHONPATH": pythonpath}},
        logging_level="WARNING",
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def world() -> Iterator[SampleWorld]:
    # A little latency so that requests of different workers overlap in time.
    with SampleWorld(load_world("bundled"), latency_ms=20) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(world: SampleWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("crawled")
    crawl(workdir, world.urls())
    return workdir


def ray_executor(config: object) -> object:
    from rswk.core.ray_executor import RayStageExecutor

    return RayStageExecutor.from_config(config)  # type: ignore[arg-type]


def test_ray_writes_the_shards_the_local_executor_writes(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    local_dir, ray_dir = tmp_path / "local", tmp_path / "ray"
    copy_crawl(crawled, local_dir)
    copy_crawl(crawled, ray_dir)
    registry = CountryRegistry.from_dir()
    # Ray first, fetching everything on its workers into a fresh HTTP cache.
    ray_config = sample_config(ray_dir, world.urls(), executor="ray")
    executor = ray_executor(ray_config)
    reports = run_pipeline(
        ray_config,
        registry,
        COUNTRIES,
        stages=HEAVY_STAGES,
        executor=executor,  # type: ignore[arg-type]
    )
    # Then locally from the answers Ray's workers saved. A provenance time is when the service
    # produced the answer (its Date), so two runs fetching seconds apart differ in exactly that:
    # the same answers must give the same bytes.
    shutil.copytree(ray_config.http_cache_dir, local_dir / "http-cache")
    local_config = sample_config(local_dir, world.urls())
    world.reset_stats()
    run_pipeline(
        local_config,
        registry,
        COUNTRIES,
        stages=HEAVY_STAGES,
        executor=LocalStageExecutor(local_config),
    )
    assert sum(world.stats()["requests"].values()) == 0, "every answer came from Ray's cache"
    assert [sorted(r.written) for r in reports] == [sorted(COUNTRIES)] * 2
    for stage in HEAVY_STAGES:
        local_files, ray_files = shard_files(local_dir, stage), shard_files(ray_dir, stage)
        assert sorted(local_files) == sorted(ray_files) and len(local_files) == 2 * len(COUNTRIES)
        # Provenance times come from the answers, not the clock: the files are the same bytes.
        assert ray_files == local_files, stage
        local_store, ray_store = RunStore(local_dir).stage(stage), RunStore(ray_dir).stage(stage)
        for shard in COUNTRIES:
            assert local_store.read_stats(shard) == ray_store.read_stats(shard)
            # The same marker, lineage included: a run may go on with either executor.
            assert local_store.marker(shard) == ray_store.marker(shard)
            assert "lineage" in ray_store.marker(shard)
    # Landmarks really went through the heavy stages (not all empty shards).
    assert RunStore(ray_dir).stage("imagery").summary().records >= 8


class FlaggedCopyStage(Stage):
    """Copies located landmarks; `flags` is a folder the test and the Ray workers share."""

    record_model = LocatedLandmark

    def __init__(self, store: RunStore, flags: Path) -> None:
        self.store = store
        self.flags = flags

    def copy(self, shard_id: str) -> ShardResult:
        records = self.store.stage("locate").read_shard(shard_id, LocatedLandmark)
        return ShardResult(records=records, rejections=[], stats={"landmarks": len(records)})


def flagged_run(crawled: Path, tmp_path: Path) -> tuple[Path, Path, RunStore]:
    """A copy of the crawled run (its workdir), an empty flags folder, and the run store."""
    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    flags = tmp_path / "flags"
    flags.mkdir()
    return workdir, flags, RunStore(workdir)


class CrashOnceStage(FlaggedCopyStage):
    """The first attempt at `victim` kills its worker process."""

    name = "crashonce"
    victim: ClassVar[str] = "FR"

    def process(self, shard_id: str) -> ShardResult:
        crashed = self.flags / f"crashed-{shard_id}"
        if shard_id == self.victim and not crashed.exists():
            crashed.touch()
            os._exit(1)  # a worker lost mid-shard, as a killed process or a lost node
        with (self.flags / f"finished-{shard_id}").open("a") as log:
            log.write("1\n")
        return self.copy(shard_id)


def test_a_killed_worker_s_shard_is_retried_and_written_once(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    workdir, flags, store = flagged_run(crawled, tmp_path)
    config = sample_config(workdir, world.urls(), executor="ray", ray=RayConfig(max_retries=2))
    executor = ray_executor(config)
    report = executor.run(  # type: ignore[attr-defined]
        CrashOnceStage(store, flags), store, COUNTRIES, workers=2
    )
    assert (flags / "crashed-FR").exists(), "the worker was killed once"
    assert sorted(report.written) == sorted(COUNTRIES)
    assert report.written.count("FR") == 1
    assert (flags / "finished-FR").read_text() == "1\n", "FR was processed once to the end"
    located = store.stage("locate").read_shard("FR", LocatedLandmark)
    copied = store.stage("crashonce").read_shard("FR", LocatedLandmark)
    assert [r.qid for r in copied] == [r.qid for r in located] and located
    # A second run finds every shard done and sends no task.
    again = executor.run(  # type: ignore[attr-defined]
        CrashOnceStage(store, flags), store, COUNTRIES, workers=2
    )
    assert again.written == [] and sorted(again.skipped) == sorted(COUNTRIES)


def test_a_worker_lost_on_every_try_is_a_failed_shard_the_next_run_retries(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    workdir, flags, store = flagged_run(crawled, tmp_path)
    config = sample_config(workdir, world.urls(), executor="ray", ray=RayConfig(max_retries=0))
    executor = ray_executor(config)
    report = executor.run(  # type: ignore[attr-defined]
        CrashOnceStage(store, flags), store, COUNTRIES, workers=2
    )
    assert list(report.failed) == ["FR"] and "Ray worker died" in report.failed["FR"]
    assert sorted(report.written) == sorted(c for c in COUNTRIES if c != "FR")
    crashonce = store.stage("crashonce")
    assert not crashonce.is_done("FR") and list(crashonce.failures()) == ["FR"]
    again = executor.run(  # type: ignore[attr-defined]
        CrashOnceStage(store, flags), store, COUNTRIES, workers=2
    )
    assert again.written == ["FR"] and again.reasons["FR"][0].startswith("failed last run")
    assert crashonce.failures() == {} and crashonce.is_done("FR")


def test_four_workers_never_exceed_a_source_s_concurrency(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    from rswk.core.ray_limiter import limiter_stats

    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    base = sample_config(workdir, world.urls())
    limits = {
        "tiles": SourceLimit(concurrency=2),
        "sentinelhub": SourceLimit(concurrency=1),
        "climate": SourceLimit(concurrency=1),
    }
    config = base.model_copy(
        update={
            "executor": "ray",
            # Half a CPU per task: four shard tasks at once on the two-CPU cluster.
            "ray": RayConfig(cpus_per_task=0.5),
            # The sample profile's 1 s timeout would, on a loaded 2-core box, abandon a slow
            # answer and retry while the server still works on the first: two in flight at
            # the server, though the limiter never granted two. Not what this test is about.
            "politeness": base.politeness.model_copy(update={"sources": limits, "timeout_s": 30.0}),
            # Four landmarks in flight per worker: 16 could reach a source at once.
            "imagery": base.imagery.model_copy(update={"workers": 4}),
            "workers": 4,
            "shard_size": 1,
        }
    )
    world.reset_stats()
    executor = ray_executor(config)
    run_pipeline(
        config,
        CountryRegistry.from_dir(),
        COUNTRIES,
        stages=HEAVY_STAGES,
        executor=executor,  # type: ignore[arg-type]
    )
    stats = world.stats()
    assert stats["requests"]["tiles"] > 20 and stats["requests"]["sh_statistics"] > 4
    most = stats["max_concurrent"]
    assert most["tiles"] <= 2
    assert most["sh_statistics"] <= 1 and most.get("sh_process", 0) <= 1
    assert most["climate"] <= 1
    seen = limiter_stats(executor.limiter_names)  # type: ignore[attr-defined]
    assert seen["tiles"]["granted"] >= stats["requests"]["tiles"]
    assert seen["tiles"]["max_in_flight"] <= 2 and seen["tiles"]["in_flight"] == 0
    assert seen["sentinelhub"]["max_in_flight"] <= 1 and seen["climate"]["max_in_flight"] <= 1


def test_a_run_started_locally_finishes_on_ray_and_back(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    registry = CountryRegistry.from_dir()
    local_config = sample_config(workdir, world.urls())
    first = run_pipeline(
        local_config,
        registry,
        COUNTRIES[:3],
        stages=("imagery",),
        executor=LocalStageExecutor(local_config),
    )
    assert sorted(first[0].written) == sorted(COUNTRIES[:3])
    ray_config = sample_config(workdir, world.urls(), executor="ray")
    second = run_pipeline(
        ray_config,
        registry,
        COUNTRIES,
        stages=("imagery", "attributes"),
        executor=ray_executor(ray_config),  # type: ignore[arg-type]
    )
    assert sorted(second[0].skipped) == sorted(COUNTRIES[:3])
    assert sorted(second[0].written) == sorted(COUNTRIES[3:])
    assert sorted(second[1].written) == sorted(COUNTRIES)
    third = run_pipeline(
        local_config,
        registry,
        COUNTRIES,
        stages=("imagery", "attributes"),
        executor=LocalStageExecutor(local_config),
    )
    assert [r.written for r in third] == [[], []]


class RefusingStage(Stage):
    """A stage whose setup finds a user error (as imagery does with unaccepted terms)."""

    name = "refusing"
    record_model = LocatedLandmark

    def setup(self) -> None:
        raise RSWKError("imagery.accept_terms: the tile provider's terms must be accepted")

    def process(self, shard_id: str) -> ShardResult:
        raise AssertionError("never reached")


def test_a_user_error_on_a_worker_reaches_the_driver_as_itself(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    store = RunStore(tmp_path)
    executor = ray_executor(sample_config(tmp_path, world.urls(), executor="ray"))
    with pytest.raises(RSWKError) as caught:
        executor.run(RefusingStage(), store, ["FR", "PT"], workers=2)  # type: ignore[attr-defined]
    assert str(caught.value) == "imagery.accept_terms: the tile provider's terms must be accepted"
    assert store.stage("refusing").done_shards() == []


class FullDiskStage(FlaggedCopyStage):
    """While `flags/full` exists, JP's shard finds the disk full."""

    name = "fulldisk"

    def process(self, shard_id: str) -> ShardResult:
        if shard_id == "JP" and (self.flags / "full").exists():
            target = self.store.workdir / "fulldisk" / "shards" / "JP.parquet"
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return self.copy(shard_id)


def test_a_full_disk_on_a_worker_stops_the_stage_as_it_does_locally(
    cluster: None, world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    workdir, flags, store = flagged_run(crawled, tmp_path)
    (flags / "full").touch()
    executor = ray_executor(sample_config(workdir, world.urls(), executor="ray"))
    with pytest.raises(DiskFull) as caught:
        executor.run(FullDiskStage(store, flags), store, COUNTRIES, workers=2)  # type: ignore[attr-defined]
    # The local run's message, word for word: the stage, the store, the file, what is kept.
    assert re.fullmatch(
        rf"fulldisk: no space left on the device writing into {re.escape(str(store))} "
        r"\(No space left on device: .*JP\.parquet\); the \d+ shard\(s\) written in this run "
        r"are kept: free space \(or move the workdir\) and run again to go on",
        str(caught.value),
    )
    # Not JP's failure: nothing is marked failed, and what the workers wrote stays done.
    fulldisk = store.stage("fulldisk")
    assert fulldisk.failures() == {} and "JP" not in fulldisk.done_shards()
    kept = fulldisk.done_shards()
    (flags / "full").unlink()
    again = executor.run(FullDiskStage(store, flags), store, COUNTRIES, workers=2)  # type: ignore[attr-defined]
    assert sorted(again.skipped) == sorted(kept)
    assert sorted(again.written) == sorted(set(COUNTRIES) - set(kept))
    assert sorted(fulldisk.done_shards()) == sorted(COUNTRIES)
