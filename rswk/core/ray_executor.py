"""The Ray executor: each pending shard of a heavy stage is one Ray task that runs the stage's
`setup()`/`process()` on a worker and writes the shard into the run store from there.

The run store is the same (the workdir every worker can reach), done-markers are written last by
the worker exactly as the local executor writes them, so a run can start locally and finish on
Ray or the reverse. A task first checks the shard's done-marker, so a task retried after its
worker died once the marker was written does nothing twice. Stages that run as one job over many
shards (the Wikimedia crawl) stay in the driver process (`stage_executors.spreads`).

Each worker process keeps the stage of the current run set up between its tasks (one HTTP
session, one loaded model) until the next stage's first task arrives or the worker exits, and
asks the cluster's per-source limiters before every request. `run_options` of `run` reach
`run_stage` for stages kept local; the task path does not take any yet.
Ray is imported inside functions, so RSWK runs without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.progress import shard_progress
from rswk.core.runstore import RunStore
from rswk.core.scale_config import SourceLimit
from rswk.core.source_limits import configure_limits, counts_since, install, request_counts
from rswk.core.stage import Stage, StageReport
from rswk.core.stage_executors import LocalStageExecutor, spreads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardOutcome:
    """What a shard task did, sent back to the driver (counts only; the data is in the store)."""

    shard_id: str
    skipped: bool = False
    records: int = 0
    rejected: int = 0
    requests: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskContext:
    """Everything a shard task needs besides the stage: limits and their actors."""

    limits: dict[str, SourceLimit]
    limiter_names: dict[str, str]


# Per worker process: the stage of the run in progress (by its object id), already set up.
_worker_stage: dict[str, Any] = {}


def _stage_on_worker(boxed_ref: list[Any], context: TaskContext) -> Stage:
    """The stage behind `boxed_ref`, fetched and set up once per worker process and run."""
    import ray

    from rswk.core.ray_limiter import RayLimiter

    ref = boxed_ref[0]
    key = ref.hex()
    if _worker_stage.get("key") != key:
        previous = _worker_stage.pop("stage", None)
        if previous is not None:
            previous.close()
        configure_limits(context.limits)
        install(RayLimiter(context.limiter_names))
        stage: Stage = ray.get(ref)
        stage.setup()
        _worker_stage.update(key=key, stage=stage)
    current: Stage = _worker_stage["stage"]
    return current


def run_shard_task(
    boxed_ref: list[Any], store: RunStore, shard_id: str, force: bool, context: TaskContext
) -> ShardOutcome:
    """One shard on a Ray worker: process it and write it (records, rejections, stats, marker).

    `boxed_ref` is `[ObjectRef of the stage]`; boxed so Ray hands the reference over
    unresolved and the worker deserialises the stage once, not once per shard.
    """
    stage = _stage_on_worker(boxed_ref, context)
    stage_store = store.stage(stage.name)
    if not force and stage_store.is_done(shard_id):
        return ShardOutcome(shard_id, skipped=True)
    before = request_counts()
    result = stage.process(shard_id)
    stage_store.write_shard(shard_id, stage.record_model, result)
    return ShardOutcome(
        shard_id,
        records=len(result.records),
        rejected=len(result.rejections),
        requests=counts_since(before),
    )


class RayStageExecutor:
    """Heavy stages as one Ray task per pending shard; crawl stages locally in the driver."""

    name = "ray"

    def __init__(self, config: ProjectConfig) -> None:
        self.config = config
        self.last_requests: dict[str, int] = {}
        self.limiter_names: dict[str, str] = {}
        self._limiters: dict[str, Any] = {}  # handles keep the actors alive for the run
        self._started_cluster = False

    @classmethod
    def from_config(cls, config: ProjectConfig) -> RayStageExecutor:
        """Checks that Ray is installed (the `scale` extra) before any work starts."""
        try:
            import ray  # noqa: F401
        except ImportError:
            raise RSWKError(
                "executor 'ray' needs the ray package: install the `scale` extra "
                "(pip install 'rswk[scale]') or use --executor local"
            ) from None
        return cls(config)

    def splits(self, stage: Stage) -> bool:
        return spreads(stage)

    def _connect(self, workers: int) -> None:
        import ray

        if ray.is_initialized():
            return
        address = self.config.ray.address
        try:
            if address:
                ray.init(address=address, logging_level=logging.WARNING)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING)
        except ConnectionError as exc:
            raise RSWKError(
                f"ray address {address!r}: no Ray cluster answers ({exc}); start one with "
                "`ray start --head` or `ray up cluster.yaml`, or drop --ray-address for a "
                "local one"
            ) from None
        self._started_cluster = True

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
        if not spreads(stage):
            local = LocalStageExecutor(self.config)
            try:
                return local.run(
                    stage, store, shard_ids, workers=workers, force=force, **run_options
                )
            finally:
                self.last_requests = local.last_requests
        stage_store = store.stage(stage.name)
        stage_store.plan(shard_ids)
        report = StageReport(stage=stage.name)
        pending = []
        for shard_id in shard_ids:
            if not force and stage_store.is_done(shard_id):
                report.skipped.append(shard_id)
            else:
                pending.append(shard_id)
        self.last_requests = {}
        if not pending:
            return report
        self._connect(workers)
        self._submit_and_collect(stage, store, pending, force, report)
        return report

    def _submit_and_collect(
        self,
        stage: Stage,
        store: RunStore,
        pending: Sequence[str],
        force: bool,
        report: StageReport,
    ) -> None:
        import ray

        from rswk.core.ray_limiter import actor_name, start_limiters

        limits = dict(self.config.politeness.sources)
        if not self._limiters:
            # Once per executor: Ray ends an actor when its creating handle is dropped, even if
            # a later `get_if_exists` handed out another handle to it.
            self._limiters = start_limiters(limits)
            self.limiter_names = {source: actor_name(source, lim) for source, lim in limits.items()}
        context = TaskContext(limits=limits, limiter_names=self.limiter_names)
        task = ray.remote(run_shard_task).options(
            num_cpus=self.config.ray.cpus_per_task,
            max_retries=self.config.ray.max_retries,
            name=f"rswk-{stage.name}",
        )
        stage_ref = ray.put(stage)
        refs = {task.remote([stage_ref], store, s, force, context): s for s in pending}
        requests: dict[str, int] = {}
        try:
            with shard_progress(stage.name, store, pending) as ticker:
                while refs:
                    done, _ = ray.wait(list(refs), num_returns=1)
                    for ref in done:
                        shard_id = refs.pop(ref)
                        outcome: ShardOutcome = _result(ref)
                        _add_outcome(report, outcome)
                        for source, n in outcome.requests.items():
                            requests[source] = requests.get(source, 0) + n
                        ticker.shard_done(shard_id)
        finally:
            for ref in refs:
                ray.cancel(ref)
            self.last_requests = requests

    def close(self) -> None:
        """Shut down the local cluster this executor started (not one it connected to)."""
        self._limiters = {}
        if self._started_cluster:
            import ray

            ray.shutdown()
            self._started_cluster = False


def _result(ref: Any) -> ShardOutcome:
    """A task's outcome; a task that failed re-raises its own exception (an RSWKError stays
    one), a lost one a clear error."""
    import ray
    from ray.exceptions import RayTaskError, WorkerCrashedError

    try:
        outcome: ShardOutcome = ray.get(ref)
    except RayTaskError as exc:
        # A user error (RSWKError) reaches the command line as its own one-line message,
        # not wrapped in the worker's traceback.
        if isinstance(exc.cause, RSWKError):
            raise exc.cause from None
        raise exc.as_instanceof_cause() from None
    except WorkerCrashedError as exc:
        raise RSWKError(
            f"a Ray worker died on a shard more often than ray.max_retries allows ({exc}); "
            "finished shards are kept, rerun to resume"
        ) from None
    return outcome


def _add_outcome(report: StageReport, outcome: ShardOutcome) -> None:
    if outcome.skipped:
        report.skipped.append(outcome.shard_id)
        return
    report.written.append(outcome.shard_id)
    report.records += outcome.records
    report.rejected += outcome.rejected
