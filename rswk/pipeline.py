"""The pipeline: every built stage in order, each over the shards its upstream finished.

Stages are found by name in `STAGES` (a registry, not an if/elif chain); their modules are imported
only when a run needs them, so `rswk --help` stays fast.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.run_summary import RunSummary
from rswk.core.stage import Stage, StageReport
from rswk.core.stage_executors import StageExecutor, executor_for
from rswk.core.subshards import SubShardRunStore, pending_for_stage

logger = logging.getLogger(__name__)

# name -> (module:class, the stage whose finished shards it works on)
STAGES: dict[str, tuple[str, str | None]] = {
    "discover": ("crawlers.discover.stage:DiscoverStage", None),
    "locate": ("crawlers.locate.stage:LocateStage", "discover"),
    "knowledge": ("crawlers.knowledge.stage:KnowledgeStage", "locate"),
    "imagery": ("crawlers.imagery.stage:ImageryStage", "locate"),
    "attributes": ("crawlers.attributes.stage:AttributesStage", "locate"),
}
CRAWL_STAGES = ("discover", "locate", "knowledge")


def stage_class(name: str) -> Callable[..., Stage]:
    """The class registered for stage `name`; built as `cls(config, registry, store)`."""
    if name not in STAGES:
        raise RSWKError(f"unknown stage {name!r}; stages are: {', '.join(STAGES)}")
    module_name, _, class_name = STAGES[name][0].partition(":")
    cls: Callable[..., Stage] = getattr(importlib.import_module(module_name), class_name)
    return cls


def stages_until(until: str | None) -> list[str]:
    """Stage names in pipeline order, up to and including `until` (all when None)."""
    names = list(STAGES)
    if until is None:
        return names
    if until not in STAGES:
        raise RSWKError(f"--until {until!r}: stages are {', '.join(names)}")
    return names[: names.index(until) + 1]


def run_pipeline(
    config: ProjectConfig,
    registry: CountryRegistry,
    shard_ids: Sequence[str],
    *,
    stages: Sequence[str] = tuple(STAGES),
    limit: int | None = None,
    force: bool = False,
    executor: StageExecutor | None = None,
    summary: RunSummary | None = None,
) -> list[StageReport]:
    """Run `stages` in order; each works on the requested shards its upstream has finished.

    `executor` (default: the one `config.executor` names) decides where shards run; stages it
    spreads split big countries into sub-shards of `config.shard_size` landmarks. Saves the
    resolved config beside the run. Returns one report per stage; `summary` gets a row each.
    """
    store = SubShardRunStore(config.workdir, config.shard_size)
    config.save_resolved()
    runner = executor or executor_for(config)
    summary = summary if summary is not None else RunSummary()
    reports = []
    try:
        for name in stages:
            extra: dict[str, Any] = {"limit": limit} if name == "discover" else {}
            stage = stage_class(name)(config, registry, store, **extra)
            todo = pending_for_stage(store, shard_ids, STAGES[name][1], runner.splits(stage))
            with summary.stage(name) as line:
                report = runner.run(stage, store, todo, workers=config.workers, force=force)
                summary.record(line, report, runner.last_requests, stage)
            reports.append(report)
            written, skipped = len(report.written), len(report.skipped)
            logger.info("%s: %d shard(s) written, %d skipped", name, written, skipped)
    finally:
        if executor is None:
            runner.close()
    return reports
