"""The pipeline: every built stage in dependency order, each over the shards its upstream finished.

Stages are found by name in `STAGES` (a registry, not an if/elif chain), each with the stages it
truly reads: the runner orders stages topologically from those lists, a shard's lineage includes
its upstream shards' fingerprints, and `rswk status` propagates staleness downstream along them.
Stage modules are imported only when a run needs them, so `rswk --help` stays fast.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.run_summary import RunSummary
from rswk.core.runstore import RunStore
from rswk.core.stage import Stage, StageReport, redo_reasons
from rswk.core.stage_executors import StageExecutor, executor_for
from rswk.core.subshards import SubShardRunStore, overlaps, pending_for_stage

logger = logging.getLogger(__name__)

# name -> (module:class, the stages whose shards it reads)
STAGES: dict[str, tuple[str, list[str]]] = {
    "discover": ("crawlers.discover.stage:DiscoverStage", []),
    "locate": ("crawlers.locate.stage:LocateStage", ["discover"]),
    # Labels and classes come from the discover shard, articles from the locate shard.
    "knowledge": ("crawlers.knowledge.stage:KnowledgeStage", ["locate", "discover"]),
    # The knowledge shard's footprint area sets the zoom.
    "imagery": ("crawlers.imagery.stage:ImageryStage", ["locate", "knowledge"]),
    # The image-derived attributes analyse the imagery shard's image.
    "attributes": ("crawlers.attributes.stage:AttributesStage", ["locate", "imagery"]),
    # One row per landmark joined from every stage before it.
    "curate": (
        "curation.stage:CurateStage",
        ["discover", "locate", "knowledge", "imagery", "attributes"],
    ),
    "validate": ("validation.stage:ValidateStage", ["curate"]),
    # Chunks and embeds the curated rows once they passed validation.
    "index": ("indexing.stage:IndexStage", ["curate", "validate"]),
    # Last: builds releases/rswk-<next>/ once validation passed on the curated shards.
    "release": ("rswk.release.stage:ReleaseStage", ["curate", "validate", "index"]),
}
CRAWL_STAGES = ("discover", "locate", "knowledge")


def stage_class(name: str) -> Callable[..., Stage]:
    """The class registered for stage `name`; built as `cls(config, registry, store)`."""
    if name not in STAGES:
        raise RSWKError(f"unknown stage {name!r}; stages are: {', '.join(STAGES)}")
    module_name, _, class_name = STAGES[name][0].partition(":")
    cls: Callable[..., Stage] = getattr(importlib.import_module(module_name), class_name)
    return cls


def upstream(name: str) -> list[str]:
    """The stages `name` reads, as the registry declares them."""
    return list(STAGES[name][1])


def stage_order(names: Sequence[str] | None = None) -> list[str]:
    """`names` (default: every stage) in dependency order; registry order breaks ties."""
    graph = TopologicalSorter({name: upstream(name) for name in STAGES})
    try:
        graph.prepare()
    except CycleError as exc:
        raise RSWKError(f"the stage registry has a cycle: {' -> '.join(exc.args[1])}") from None
    position = {name: i for i, name in enumerate(STAGES)}
    order: list[str] = []
    while graph.is_active():
        ready = sorted(graph.get_ready(), key=position.__getitem__)
        order.extend(ready)
        graph.done(*ready)
    wanted = set(STAGES if names is None else names)
    return [name for name in order if name in wanted]


def ancestors(name: str) -> set[str]:
    """Every stage `name` depends on, directly or not."""
    seen: set[str] = set()
    todo = upstream(name)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(upstream(current))
    return seen


def stages_until(until: str | None) -> list[str]:
    """Stage names in dependency order: all, or `until` and every stage it depends on."""
    if until is None:
        return stage_order()
    if until not in STAGES:
        raise RSWKError(f"--until {until!r}: stages are {', '.join(stage_order())}")
    return stage_order([*ancestors(until), until])


def build_stage(
    name: str,
    config: ProjectConfig,
    registry: CountryRegistry,
    store: RunStore,
    *,
    limit: int | None = None,
) -> Stage:
    """An instance of stage `name` (the discover stage also takes the `--limit`)."""
    extra: dict[str, Any] = {"limit": limit} if name == "discover" else {}
    return stage_class(name)(config, registry, store, **extra)


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
    """Run `stages` in dependency order; each works on the requested shards that every one of
    its upstream stages has finished (a failed upstream shard holds its downstream back).

    `executor` (default: the one `config.executor` names) decides where shards run; stages it
    spreads split big countries into sub-shards of `config.shard_size` landmarks. Saves the
    resolved config beside the run before the first shard it (re)does. Returns one report per
    stage; `summary` gets a row each.
    """
    store = SubShardRunStore(config.run_store_location, config.shard_size)
    runner = executor or executor_for(config)
    summary = summary if summary is not None else RunSummary()
    reports = []
    try:
        for name in stage_order(stages):
            stage = build_stage(name, config, registry, store, limit=limit)
            todo = pending_for_stage(store, shard_ids, upstream(name), runner.splits(stage))
            with summary.stage(name) as line:
                report = runner.run(
                    stage,
                    store,
                    todo,
                    workers=config.workers,
                    force=force,
                    upstream=upstream(name),
                    before_work=config.save_resolved,
                )
                summary.record(line, report, runner.last_requests, stage)
            reports.append(report)
            logger.info(
                "%s: %d shard(s) written, %d skipped, %d failed",
                name,
                len(report.written),
                len(report.skipped),
                len(report.failed),
            )
    finally:
        if executor is None:
            runner.close()
    return reports


@dataclass
class StageHealth:
    """What `rswk status` says about one stage beyond counts: stale and failed shards, and why."""

    stage: str
    stale: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def assess(
    config: ProjectConfig,
    registry: CountryRegistry,
    store: RunStore,
    *,
    limit: int | None = None,
) -> list[StageHealth]:
    """Per stage in the store, the finished shards a plain rerun would redo, and why.

    A shard is stale when its own inputs changed, when it holds transient rejections, or when a
    shard upstream of it is stale, failed or missing (it will be redone after that one).
    """
    if not isinstance(store, SubShardRunStore):
        # Sub-shards read their upstream from whole-country shards and the reverse.
        store = SubShardRunStore(store.files, config.shard_size)
    present = {s.name for s in store.stages()}
    health: dict[str, StageHealth] = {}
    for name in stage_order([n for n in STAGES if n in present]):
        stage_store = store.stage(name)
        stage = build_stage(name, config, registry, store, limit=limit)
        result = StageHealth(name, failed=stage_store.failures())
        for shard_id in stage_store.done_shards():
            current = stage.lineage(store, shard_id, upstream(name))
            reasons = redo_reasons(stage_store, shard_id, current)
            for source in upstream(name):
                above = health.get(source)
                if above is None:
                    continue
                if overlaps(shard_id, above.stale):
                    reasons.append(f"upstream {source} is stale")
                elif overlaps(shard_id, above.failed):
                    reasons.append(f"upstream {source} failed")
            if reasons:
                result.stale[shard_id] = list(dict.fromkeys(reasons))
        health[name] = result
    return list(health.values())
