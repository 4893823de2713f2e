"""Where a stage's shards run: a registry of executors, found by name (`--executor`, `executor`).

An executor takes a `Stage` and the shard ids to produce and returns the `StageReport`; it never
changes what a stage computes, only where. `local` is the in-process executor of
`rswk.core.stage.run_stage` (threads or processes); `ray` (rswk.core.ray_executor, extra `scale`)
sends each pending shard of a heavy stage to a Ray task. Modules are imported only when chosen,
so Ray stays optional and `rswk --help` fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore
from rswk.core.source_limits import configure_limits, counts_since, request_counts
from rswk.core.stage import Stage, StageReport, run_stage
from rswk.core.stage_process import call_in_child, can_fork, forks_safely

# name -> "module:Class"; the class has `from_config(config) -> StageExecutor`.
EXECUTORS: dict[str, str] = {
    "local": "rswk.core.stage_executors:LocalStageExecutor",
    "ray": "rswk.core.ray_executor:RayStageExecutor",
}


class StageExecutor(Protocol):
    """Runs one stage over shard ids into the run store."""

    name: str
    # Requests per source sent while the last `run` ran, summed over every process it used.
    last_requests: dict[str, int]

    def run(
        self,
        stage: Stage,
        store: RunStore,
        shard_ids: Sequence[str],
        *,
        workers: int,
        force: bool = False,
        **run_options: Any,
    ) -> StageReport:
        """Produce the shards of `shard_ids` that are not done (all with `force`).

        `run_options` go to `run_stage` unchanged wherever a stage runs in this process.
        """

    def splits(self, stage: Stage) -> bool:
        """Whether this executor spreads `stage` shard by shard (then big countries split)."""

    def close(self) -> None:
        """Release what the executor started (a local Ray cluster)."""


def spreads(stage: Stage) -> bool:
    """Whether `stage` can run as independent shard tasks.

    A stage that overrides `process_many` runs as one job over all its shards (the Wikimedia
    crawl: one polite client, politeness per host), so it stays in one process; a stage can also
    say so with a class attribute `distributable = False`.
    """
    declared = getattr(stage, "distributable", None)
    if declared is not None:
        return bool(declared)
    return type(stage).process_many is Stage.process_many


class LocalStageExecutor:
    """Every stage on this machine: `run_stage` with the stage's own thread or process pool.

    With `config.stage_processes` (the default, where fork is available) each stage runs in a
    forked child process, so the memory a stage used is returned when it ends instead of being
    carried into the next one (rswk.core.stage_process); `in_process=True` keeps it here (the
    Ray driver, whose own threads must not be forked).
    """

    name = "local"

    def __init__(self, config: ProjectConfig, *, in_process: bool = False) -> None:
        self.config = config
        self.last_requests: dict[str, int] = {}
        self.forks = config.stage_processes and not in_process and can_fork()

    @classmethod
    def from_config(cls, config: ProjectConfig) -> LocalStageExecutor:
        return cls(config)

    def splits(self, stage: Stage) -> bool:
        return spreads(stage)

    def run(
        self,
        stage: Stage,
        store: RunStore,
        shard_ids: Sequence[str],
        *,
        workers: int,
        force: bool = False,
        **run_options: Any,
    ) -> StageReport:
        def here() -> StageRun:
            configure_limits(self.config.politeness.sources)
            before = request_counts()
            try:
                report = run_stage(
                    stage, store, shard_ids, workers=workers, force=force, **run_options
                )
            finally:
                self.last_requests = counts_since(before)
            stats = getattr(stage, "last_crawl_stats", None)
            return StageRun(report, self.last_requests, None if stats is None else dict(stats))

        if not (self.forks and forks_safely(stage)):
            return here().report
        self.last_requests = {}
        stage.before_fork()
        done = call_in_child(here, name=f"stage {stage.name}")
        self.last_requests = done.requests
        if done.crawl_stats is not None:
            # What the run summary reads from a crawl stage, as the child's stage left it.
            stage.last_crawl_stats = done.crawl_stats  # type: ignore[attr-defined]
        return done.report

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class StageRun:
    """What a stage run in a child sends back: its report, requests per source, crawl stats."""

    report: StageReport
    requests: dict[str, int]
    crawl_stats: dict[str, Any] | None


def executor_names() -> list[str]:
    """The registered executor names."""
    return list(EXECUTORS)


def executor_for(config: ProjectConfig) -> StageExecutor:
    """The executor `config.executor` names, built from `config`."""
    target = EXECUTORS.get(config.executor)
    if target is None:
        raise RSWKError(
            f"executor {config.executor!r} is not known; use one of {', '.join(EXECUTORS)} "
            "(--executor or `executor` in the config)"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise RSWKError(
            f"executor {config.executor!r} needs {exc.name or 'a missing package'}: install "
            "the `scale` extra (pip install 'rswk[scale]')"
        ) from None
    executor: StageExecutor = getattr(module, class_name).from_config(config)
    return executor


def with_executor(
    config: ProjectConfig, executor: str | None, ray_address: str | None
) -> ProjectConfig:
    """`config` with the command line's `--executor` and `--ray-address` (None: as configured).

    An unknown name is an error naming the known ones; an address implies the Ray executor.
    """
    update: dict[str, object] = {}
    if executor is not None:
        if executor not in EXECUTORS:
            raise RSWKError(f"--executor {executor!r}: use one of {', '.join(EXECUTORS)}")
        update["executor"] = executor
    if ray_address is not None:
        if update.get("executor", config.executor) != "ray":
            if executor is not None:
                raise RSWKError("--ray-address needs --executor ray")
            update["executor"] = "ray"
        update["ray"] = config.ray.model_copy(update={"address": ray_address})
    return config.model_copy(update=update) if update else config
