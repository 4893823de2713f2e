"""The heavy stages run on `locate` shards written straight from a world (no crawl before them).

Benchmarks of imagery and attributes start from located landmarks (`locate_records`); the
pipeline would hold imagery back until knowledge is done (it reads the footprint areas), so these
runs name each stage's upstream themselves: imagery then uses the default zoom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.run_summary import RunSummary
from rswk.core.stage_executors import StageExecutor
from rswk.core.subshards import SubShardRunStore, pending_for_stage
from rswk.pipeline import build_stage

HEAVY = ("imagery", "attributes")


def run_after_locate(
    config: ProjectConfig,
    registry: CountryRegistry,
    shard_ids: Sequence[str],
    stages: Sequence[str],
    executor: StageExecutor,
    summary: RunSummary,
    on_stage: Callable[[str], None] | None = None,
) -> None:
    """Run `stages` (of HEAVY, in order) on `executor`; a row each in `summary`.

    `on_stage(name)` is called as each stage starts (a benchmark labels its samples with it).
    """
    store = SubShardRunStore(config.run_store_location, config.shard_size)
    for name in stages:
        upstream = [s for s in ("locate", *HEAVY[: HEAVY.index(name)]) if s in ("locate", *stages)]
        stage = build_stage(name, config, registry, store)
        todo = pending_for_stage(store, shard_ids, upstream, executor.splits(stage))
        if on_stage is not None:
            on_stage(name)
        with summary.stage(name) as line:
            report = executor.run(stage, store, todo, workers=config.workers, upstream=upstream)
            summary.record(line, report, executor.last_requests, stage)
