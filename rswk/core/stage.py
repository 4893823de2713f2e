"""Stages and the loop that runs them over shards: skip what is done, write what finishes.

A stage holds no executor logic (datatrove's rule): `setup()` loads heavy resources and
`process(shard_id)` returns the shard's records and rejections. A stage that is better run as one
job over many shards (a Scrapy crawl, whose politeness is per host, not per shard) overrides
`process_many` and yields each shard as soon as it is complete, so a kill loses at most the shards
in flight.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel

from rswk.core.executor import ExecutorKind, LocalExecutor
from rswk.core.progress import shard_progress
from rswk.core.runstore import RunStore, ShardResult

logger = logging.getLogger(__name__)


class Stage(ABC):
    """One step of the pipeline, producing one shard per country."""

    name: ClassVar[str]
    record_model: ClassVar[type[BaseModel]]
    executor_kind: ClassVar[ExecutorKind] = "thread"

    def setup(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Load heavy resources (sessions, models) once, before the first shard."""

    def close(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release what `setup()` opened; called once the run is over, even after an error."""

    @abstractmethod
    def process(self, shard_id: str) -> ShardResult:
        """Produce one shard's records, rejections and stats."""

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        """Results as shards finish; by default each shard is one task on the executor."""
        yield from executor.map_unordered(self.process, shard_ids)


@dataclass
class StageReport:
    """What one run of a stage did, for the CLI and the logs."""

    stage: str
    skipped: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    records: int = 0
    rejected: int = 0


def run_stage(
    stage: Stage,
    store: RunStore,
    shard_ids: Sequence[str],
    *,
    workers: int = 2,
    force: bool = False,
) -> StageReport:
    """Run `stage` over the shards that are not done yet (all of them with `force`)."""
    stage_store = store.stage(stage.name)
    stage_store.plan(shard_ids)
    report = StageReport(stage=stage.name)
    pending = []
    for shard_id in shard_ids:
        if not force and stage_store.is_done(shard_id):
            report.skipped.append(shard_id)
        else:
            pending.append(shard_id)
    if report.skipped:
        logger.info("%s: %d shard(s) already done, skipped", stage.name, len(report.skipped))
    if not pending:
        return report
    stage.setup()
    executor = LocalExecutor(kind=stage.executor_kind, workers=workers)
    try:
        with shard_progress(stage.name, store, pending) as ticker:
            for shard_id, result in stage.process_many(pending, executor):
                stage_store.write_shard(shard_id, stage.record_model, result)
                report.written.append(shard_id)
                report.records += len(result.records)
                report.rejected += len(result.rejections)
                ticker.shard_done(shard_id)
    finally:
        stage.close()
    return report
