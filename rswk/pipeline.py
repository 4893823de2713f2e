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
from rswk.core.runstore import RunStore
from rswk.core.stage import Stage, StageReport, run_stage

logger = logging.getLogger(__name__)

# name -> (module:class, the stage whose finished shards it works on)
STAGES: dict[str, tuple[str, str | None]] = {
    "discover": ("crawlers.discover.stage:DiscoverStage", None),
    "locate": ("crawlers.locate.stage:LocateStage", "discover"),
    "knowledge": ("crawlers.knowledge.stage:KnowledgeStage", "locate"),
    "imagery": ("crawlers.imagery.stage:ImageryStage", "locate"),
    "attributes": ("crawlers.attributes.stage:AttributesStage", "locate"),
    # Indexes the curated rows; the curate stage (another branch) is registered before it.
    "index": ("indexing.stage:IndexStage", "curate"),
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
) -> list[StageReport]:
    """Run `stages` in order; each works on the requested shards its upstream has finished.

    Saves the resolved config beside the run. Returns one report per stage.
    """
    store = RunStore(config.workdir)
    config.save_resolved()
    reports = []
    for name in stages:
        upstream = STAGES[name][1]
        todo = list(shard_ids)
        if upstream is not None:
            finished = set(store.stage(upstream).done_shards())
            todo = [s for s in todo if s in finished]
        extra: dict[str, Any] = {"limit": limit} if name == "discover" else {}
        stage = stage_class(name)(config, registry, store, **extra)
        reports.append(run_stage(stage, store, todo, workers=config.workers, force=force))
        logger.info(
            "%s: %d shard(s) written, %d skipped",
            name,
            len(reports[-1].written),
            len(reports[-1].skipped),
        )
    return reports
