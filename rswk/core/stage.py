"""Stages and the loop that runs them over shards: redo what is stale, write what finishes.

A stage holds no executor logic (datatrove's rule): `setup()` loads heavy resources and
`process(shard_id)` returns the shard's records and rejections. A stage that is better run as one
job over many shards (a Scrapy crawl, whose politeness is per host, not per shard) overrides
`process_many` and yields each shard as soon as it is complete, so a kill loses at most the shards
in flight.

A stage declares what its output depends on (`version`, `config_keys`, `reads_class_table`,
`lineage_inputs`); `run_stage` fingerprints every shard from those, its country file and its
upstream shards (rswk/core/lineage.py) and redoes a finished shard only when that fingerprint
changed, when it holds rejections a rerun may heal (fetch failures), or with `force`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.errors import DiskFull, is_disk_full
from rswk.core.executor import ExecutorKind, LocalExecutor
from rswk.core.landmark_guard import describe_exception
from rswk.core.lineage import (
    Lineage,
    LineageSpec,
    compute_lineage,
    recorded_lineage,
    stale_reasons,
)
from rswk.core.native_memory import release_free_memory
from rswk.core.progress import shard_progress
from rswk.core.runstore import RunStore, ShardFailure, ShardResult, StageStore

logger = logging.getLogger(__name__)
ShardOutcome = ShardResult | ShardFailure


class Stage(ABC):
    """One step of the pipeline, producing one shard per country.

    Lineage declarations (class variables): bump `version` when a code change alters what the
    stage writes; list in `config_keys` the config sections or keys (dotted: `imagery`,
    `attributes.year`) whose values shape its output; set `reads_class_table` if it reads the
    landmark class table. Source URLs and politeness settings are not output-shaping.
    """

    name: ClassVar[str]
    record_model: ClassVar[type[BaseModel]]
    executor_kind: ClassVar[ExecutorKind] = "thread"
    version: ClassVar[str] = "1"
    config_keys: ClassVar[tuple[str, ...]] = ()
    reads_class_table: ClassVar[bool] = False

    def setup(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Load heavy resources (sessions, models) once, before the first shard."""

    def close(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release what `setup()` opened; called once the run is over, even after an error."""

    def before_fork(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Called in the parent just before the stage runs in a forked child: load here what
        every child would load again (code, not data), so the stages of a run pay for it once."""

    def shard_written(self, shard_id: str) -> None:  # noqa: B027 - optional hook
        """Called once the shard's done-marker is written (the imagery stage drops the cached
        tiles its images were stitched from); what `process` fetched is then no longer needed."""

    @abstractmethod
    def process(self, shard_id: str) -> ShardResult:
        """Produce one shard's records, rejections and stats."""

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardOutcome]]:
        """Results as shards finish; by default each shard is one task on the executor.

        A shard that raises becomes a `ShardFailure`; the other shards carry on.
        """
        yield from executor.map_unordered(guarded(self.process), shard_ids)

    def lineage_inputs(self, shard_id: str) -> dict[str, Any]:
        """Inputs besides code, config, country and upstream that shape a shard (default none).

        The discover stage's effective quota (a `--limit` caps it) is one.
        """
        return {}

    def lineage(self, store: RunStore, shard_id: str, upstream: Sequence[str]) -> Lineage:
        """The shard's lineage as things stand now (the stage's own config and registry)."""
        config = getattr(self, "config", None)
        registry = getattr(self, "registry", None)
        spec = LineageSpec(self.name, self.version, self.config_keys, self.reads_class_table)
        return compute_lineage(
            spec,
            config=config if isinstance(config, ProjectConfig) else None,
            registry=registry if isinstance(registry, CountryRegistry) else None,
            store=store,
            shard_id=shard_id,
            upstream=upstream,
            extra=self.lineage_inputs(shard_id),
        )


@dataclass(frozen=True)
class GuardedProcess:
    """`process` with any exception turned into a `ShardFailure` (Ctrl-C still stops the run).

    A class rather than a closure so a process pool can pickle it.
    """

    process: Callable[[str], ShardResult]

    def __call__(self, shard_id: str) -> ShardOutcome:
        try:
            return self.process(shard_id)
        except Exception as exc:  # a shard's failure is data about that shard
            if is_disk_full(exc):
                raise  # ... but a full disk is not: every shard after it would fail the same way
            logger.exception("shard %s failed", shard_id)
            return ShardFailure(describe_exception(exc))


def guarded(process: Callable[[str], ShardResult]) -> GuardedProcess:
    """`process`, turning an exception of one shard into that shard's `ShardFailure`."""
    return GuardedProcess(process)


def redo_reasons(stage_store: StageStore, shard_id: str, current: Lineage) -> list[str]:
    """Why a shard must be (re)done now; empty when it is done and current."""
    if not stage_store.is_done(shard_id):
        failure = stage_store.failures().get(shard_id)
        return [f"failed last run ({failure})"] if failure else ["not done yet"]
    marker = stage_store.marker(shard_id)
    reasons = stale_reasons(recorded_lineage(marker), current)
    transient = int(marker.get("transient", 0))
    if transient:
        reasons.append(f"{transient} transient rejection(s) to retry")
    return reasons


def upstream_of(stage_name: str) -> tuple[str, ...]:
    """The upstream stages the pipeline registry declares for `stage_name` (none if unknown)."""
    from rswk.pipeline import STAGES

    entry = STAGES.get(stage_name)
    return tuple(entry[1]) if entry is not None else ()


@dataclass
class StageReport:
    """What one run of a stage did, for the CLI and the logs."""

    stage: str
    skipped: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    # Why each pending shard was (re)done, and the error of each shard that failed.
    reasons: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    records: int = 0
    rejected: int = 0
    transient: int = 0
    # The first transient rejection's detail: what a run whose every request failed reports.
    first_transient: str | None = None


@dataclass
class StagePlan:
    """Which shards a stage run (re)does and why, with each shard's lineage as things stand.

    The lineage is computed where the run is planned (the driver), from the run store as it is
    before any shard of this run is written, and goes with the shard to whoever writes it.
    """

    report: StageReport
    lineages: dict[str, Lineage]
    pending: list[str]


def plan_stage(
    stage: Stage,
    store: RunStore,
    shard_ids: Sequence[str],
    *,
    force: bool = False,
    upstream: Sequence[str] | None = None,
) -> StagePlan:
    """Record the stage's plan and sort `shard_ids` into skipped (done and current) and pending
    (with their redo reasons in `report.reasons`)."""
    upstream = upstream_of(stage.name) if upstream is None else tuple(upstream)
    stage_store = store.stage(stage.name)
    stage_store.plan(shard_ids)
    report = StageReport(stage=stage.name)
    lineages: dict[str, Lineage] = {}
    for shard_id in shard_ids:
        lineages[shard_id] = stage.lineage(store, shard_id, upstream)
        reasons = ["--force"] if force else redo_reasons(stage_store, shard_id, lineages[shard_id])
        if reasons:
            report.reasons[shard_id] = reasons
        else:
            report.skipped.append(shard_id)
    if report.skipped:
        logger.info("%s: %d shard(s) done and current, skipped", stage.name, len(report.skipped))
    pending = [s for s in shard_ids if s in report.reasons]
    for shard_id in pending:
        logger.info("%s %s: redoing: %s", stage.name, shard_id, "; ".join(report.reasons[shard_id]))
    return StagePlan(report, lineages, pending)


def count_written(report: StageReport, shard_id: str, result: ShardResult) -> None:
    """Add a written shard's records, rejections and transient rejections to `report`."""
    report.written.append(shard_id)
    report.records += len(result.records)
    report.rejected += len(result.rejections)
    transient = [r for r in result.rejections if r.reason.transient]
    report.transient += len(transient)
    if transient and report.first_transient is None:
        report.first_transient = transient[0].detail


def write_shard(
    stage: Stage, stage_store: StageStore, shard_id: str, result: ShardResult, lineage: Lineage
) -> None:
    """Write a shard's result (marker last), tell the stage, and hand the freed memory back.

    Used by the local runner and by Ray's workers alike. The shard's buffers are freed once it
    is written: their pages go back, so a process's RSS is that of the shards in flight, not its
    high-water mark (rswk/core/native_memory.py).
    """
    stage_store.write_shard(shard_id, stage.record_model, result, lineage)
    stage.shard_written(shard_id)
    release_free_memory()


def disk_full(stage_name: str, store: RunStore, exc: OSError, *, written: int) -> DiskFull:
    """The one error a stage stops with when the device is full, whichever executor ran it."""
    return DiskFull(
        f"{stage_name}: no space left on the device writing into {store} "
        f"({exc.strerror}: {exc.filename or 'a shard'}); the {written} shard(s) written in "
        "this run are kept: free space (or move the workdir) and run again to go on"
    )


def run_stage(
    stage: Stage,
    store: RunStore,
    shard_ids: Sequence[str],
    *,
    workers: int = 2,
    force: bool = False,
    upstream: Sequence[str] | None = None,
    before_work: Callable[[], object] | None = None,
) -> StageReport:
    """Run `stage` over the shards that are not done and current (all of them with `force`).

    `upstream` defaults to what the pipeline registry declares for the stage. A shard that
    raises is recorded as failed (`failed/<ID>.json`) while the others finish; a full disk
    stops the stage with a `DiskFull` error instead (no shard is to blame; what was written
    stays). `before_work` is called once, before the first shard, only if there is one to do
    (it saves the resolved config: a run with nothing to do must leave every file as it was).
    """
    planned = plan_stage(stage, store, shard_ids, force=force, upstream=upstream)
    report, lineages, pending = planned.report, planned.lineages, planned.pending
    if not pending:
        return report
    if before_work is not None:
        before_work()
    stage_store = store.stage(stage.name)

    def record(shard_id: str, outcome: ShardOutcome) -> None:
        if isinstance(outcome, ShardFailure):
            stage_store.write_failure(shard_id, outcome.error, lineages[shard_id])
            report.failed[shard_id] = outcome.error
            return
        write_shard(stage, stage_store, shard_id, outcome, lineages[shard_id])
        count_written(report, shard_id, outcome)

    stage.setup()
    executor = LocalExecutor(kind=stage.executor_kind, workers=workers)
    try:
        with shard_progress(stage.name, store, pending) as ticker:
            try:
                for shard_id, outcome in stage.process_many(pending, executor):
                    record(shard_id, outcome)
                    ticker.shard_done(shard_id)
            except Exception as exc:  # isolate the shard that broke the batch
                if is_disk_full(exc):
                    raise  # no shard is to blame: going on one at a time would only fail again
                rest = [s for s in pending if s not in report.written and s not in report.failed]
                if len(rest) == 1:
                    logger.exception("%s %s failed", stage.name, rest[0])
                    record(rest[0], ShardFailure(describe_exception(exc)))
                else:
                    logger.exception(
                        "%s: a batch of %d shard(s) failed; running them one at a time",
                        stage.name,
                        len(rest),
                    )
                    for shard_id in rest:
                        record(shard_id, guarded(stage.process)(shard_id))
                        ticker.shard_done(shard_id)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(stage.name, store, exc, written=len(report.written)) from exc
        raise
    finally:
        stage.close()
        release_free_memory()  # the next stage starts from what is in use, not from this peak
    return report
