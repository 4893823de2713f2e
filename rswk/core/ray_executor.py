"""The Ray executor: each pending shard of a heavy stage is one Ray task that runs the stage's
`setup()`/`process()` on a worker and writes the shard into the run store from there.

The run store is the same (the workdir every worker can reach), done-markers are written last by
the worker exactly as the local executor writes them, so a run can start locally and finish on
Ray or the reverse. A task first checks the shard's done-marker, so a task retried after its
worker died once the marker was written does nothing twice. Stages that run as one job over many
shards (the Wikimedia crawl) stay in the driver process (`stage_executors.spreads`).

Each worker process keeps the stage of the current run set up between its tasks (one HTTP
session, one loaded model) until the next stage's first task arrives or the worker exits, and
asks the cluster's per-source limiters before every request.

Lineage is decided in the driver, as `run_stage` does it (`plan_stage`): which shards are stale
and why, and each shard's lineage from the run store as it stands before the stage runs. The
lineage travels with the task and goes into the done-marker the worker writes. A shard whose
`process` raises becomes a `ShardFailure` written by the worker (`failed/<ID>.json`), a shard
whose worker died more often than `ray.max_retries` allows one written by the driver: the other
shards finish either way. Ray is imported inside functions, so RSWK runs without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError, is_disk_full
from rswk.core.lineage import Lineage, recorded_lineage
from rswk.core.progress import shard_progress
from rswk.core.runstore import RunStore, ShardFailure, StageStore
from rswk.core.scale_config import SourceLimit
from rswk.core.source_limits import configure_limits, counts_since, install, request_counts
from rswk.core.stage import Stage, StageReport, disk_full, guarded, plan_stage, write_shard
from rswk.core.stage_executors import LocalStageExecutor, spreads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardOutcome:
    """What a shard task did, sent back to the driver (counts only; the data is in the store).

    `skipped`: an earlier attempt of the task had written the shard; `failed`: the error the
    shard's `process` raised (recorded in `failed/<ID>.json`).
    """

    shard_id: str
    skipped: bool = False  # written by an earlier attempt: counted as written, once
    failed: str | None = None
    records: int = 0
    rejected: int = 0
    transient: int = 0
    first_transient: str | None = None
    requests: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ShardTask:
    """One shard to (re)do: its lineage as the driver computed it and the done-marker the driver
    saw when it decided to redo the shard (None: there was none)."""

    shard_id: str
    lineage: Lineage
    seen_marker: dict[str, Any] | None


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


def written_since_planned(stage_store: StageStore, task: ShardTask) -> bool:
    """Whether the shard was written, with the task's lineage, after the driver planned it: an
    earlier attempt of this task got as far as the done-marker before its worker died."""
    if not stage_store.is_done(task.shard_id):
        return False
    marker = stage_store.marker(task.shard_id)
    if marker == task.seen_marker:
        return False  # still the marker the driver decided to redo (stale, or --force)
    recorded = recorded_lineage(marker)
    return recorded is not None and recorded.fingerprint == task.lineage.fingerprint


def process_and_write(stage: Stage, store: RunStore, task: ShardTask) -> ShardOutcome:
    """Do one shard and write it into the run store (records, rejections, stats, marker last),
    or its failure; does nothing when an earlier attempt already wrote it."""
    stage_store = store.stage(stage.name)
    shard_id = task.shard_id
    if written_since_planned(stage_store, task):
        marker = stage_store.marker(shard_id)
        return ShardOutcome(
            shard_id,
            skipped=True,
            records=int(marker["records"]),
            rejected=int(marker["rejected"]),
            transient=int(marker.get("transient", 0)),
        )
    before = request_counts()
    outcome = guarded(stage.process)(shard_id)
    if isinstance(outcome, ShardFailure):
        stage_store.write_failure(shard_id, outcome.error, task.lineage)
        return ShardOutcome(shard_id, failed=outcome.error, requests=counts_since(before))
    write_shard(stage, stage_store, shard_id, outcome, task.lineage)
    transient = [r for r in outcome.rejections if r.reason.transient]
    return ShardOutcome(
        shard_id,
        records=len(outcome.records),
        rejected=len(outcome.rejections),
        transient=len(transient),
        first_transient=transient[0].detail if transient else None,
        requests=counts_since(before),
    )


def run_shard_task(
    boxed_ref: list[Any], store: RunStore, task: ShardTask, context: TaskContext
) -> ShardOutcome:
    """One shard on a Ray worker: `process_and_write` with the worker's set-up stage.

    `boxed_ref` is `[ObjectRef of the stage]`; boxed so Ray hands the reference over
    unresolved and the worker deserialises the stage once, not once per shard.
    """
    stage = _stage_on_worker(boxed_ref, context)
    return process_and_write(stage, store, task)


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
            local = LocalStageExecutor(self.config, in_process=True)
            try:
                return local.run(
                    stage, store, shard_ids, workers=workers, force=force, **run_options
                )
            finally:
                self.last_requests = local.last_requests
        upstream = run_options.get("upstream")
        before_work = run_options.get("before_work")
        planned = plan_stage(stage, store, shard_ids, force=force, upstream=upstream)
        report = planned.report
        self.last_requests = {}
        if not planned.pending:
            return report
        if before_work is not None:
            before_work()
        stage_store = store.stage(stage.name)
        tasks = [
            ShardTask(
                shard_id,
                planned.lineages[shard_id],
                stage_store.marker(shard_id) if stage_store.is_done(shard_id) else None,
            )
            for shard_id in planned.pending
        ]
        self._connect(workers)
        self._submit_and_collect(stage, store, tasks, report)
        return report

    def _submit_and_collect(
        self,
        stage: Stage,
        store: RunStore,
        tasks: Sequence[ShardTask],
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
        remote = ray.remote(run_shard_task).options(
            num_cpus=self.config.ray.cpus_per_task,
            max_retries=self.config.ray.max_retries,
            name=f"rswk-{stage.name}",
        )
        stage_ref = ray.put(stage)
        by_ref = {remote.remote([stage_ref], store, task, context): task for task in tasks}
        requests: dict[str, int] = {}
        stage_store = store.stage(stage.name)
        try:
            with shard_progress(stage.name, store, [t.shard_id for t in tasks]) as ticker:
                while by_ref:
                    done, _ = ray.wait(list(by_ref), num_returns=1)
                    for ref in done:
                        task = by_ref.pop(ref)
                        outcome = _result(ref, task.shard_id, self.config.ray.max_retries)
                        if isinstance(outcome, ShardFailure):
                            # The worker died on every try: nobody else records the failure.
                            stage_store.write_failure(task.shard_id, outcome.error, task.lineage)
                            report.failed[task.shard_id] = outcome.error
                        else:
                            _add_outcome(report, outcome)
                            for source, n in outcome.requests.items():
                                requests[source] = requests.get(source, 0) + n
                        ticker.shard_done(task.shard_id)
        except OSError as exc:
            if is_disk_full(exc):
                # The tasks still running would fail the same way: cancelled in `finally`.
                raise disk_full(stage.name, store, exc, written=len(report.written)) from exc
            raise
        finally:
            for ref in by_ref:
                ray.cancel(ref)
            self.last_requests = requests

    def close(self) -> None:
        """Shut down the local cluster this executor started (not one it connected to)."""
        self._limiters = {}
        if self._started_cluster:
            import ray

            ray.shutdown()
            self._started_cluster = False


def _result(ref: Any, shard_id: str, retries: int) -> ShardOutcome | ShardFailure:
    """A task's outcome; a worker lost on every try is the shard's failure. An exception outside
    `process` (a stage's `setup` refusing, the run store unwritable) stops the run as it does
    locally: re-raised as itself, a user error (RSWKError) as its own one-line message, a full
    disk as the OSError that `_submit_and_collect` turns into the local run's `DiskFull`."""
    import ray
    from ray.exceptions import RayTaskError, WorkerCrashedError

    try:
        outcome: ShardOutcome = ray.get(ref)
    except RayTaskError as exc:
        if isinstance(exc.cause, RSWKError) or is_disk_full(exc.cause):
            raise exc.cause from None
        raise exc.as_instanceof_cause() from None
    except WorkerCrashedError as exc:
        logger.error("shard %s: its Ray worker died %d time(s)", shard_id, retries + 1)
        return ShardFailure(
            f"its Ray worker died on every one of {retries + 1} tries ({first_line(exc)}); "
            "rerun to retry, or raise ray.max_retries"
        )
    return outcome


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _add_outcome(report: StageReport, outcome: ShardOutcome) -> None:
    if outcome.failed is not None:
        report.failed[outcome.shard_id] = outcome.failed
        return
    report.written.append(outcome.shard_id)
    report.records += outcome.records
    report.rejected += outcome.rejected
    report.transient += outcome.transient
    if outcome.first_transient and report.first_transient is None:
        report.first_transient = outcome.first_transient
