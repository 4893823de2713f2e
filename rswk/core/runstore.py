"""The run store: each stage's output as one Parquet shard per country, written crash-safely.

Layout under WORKDIR/<stage>/:
    shards/<ID>.parquet    the records (ID = ISO2, or ISO2-NNNN for a chunk of a big country)
    rejected/<ID>.parquet  the rejections, with reasons
    stats/<ID>.json        counters for the shard
    done/<ID>.json         the done-marker, written last: a shard counts only once it exists;
                           it records the shard's lineage (rswk/core/lineage.py), so a rerun can
                           tell a current shard from a stale one
    failed/<ID>.json       why the shard failed in the last run (it is retried by the next one)
    plan.json              the shard ids the stage was asked to produce (for `rswk status`)

Every file is written to a temp name in the same folder and renamed into place, so a kill at any
instant leaves either no file or a whole one; the done-marker comes after the data it vouches for.
Files that describe the run rather than a shard (plan.json) are rewritten only when their content
changes, so a rerun with nothing to do leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from rswk.core.errors import RSWKError
from rswk.core.lineage import Lineage
from rswk.core.parquet_codec import read_records, records_to_table
from rswk.core.records.base import Rejection, utc_now

M = TypeVar("M", bound=BaseModel)
SHARD_ID = re.compile(r"^[A-Z]{2}(-[0-9]{4})?$")
STAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` via a temp file and rename, so readers never see half a file.

    The temp name is unique per process and thread, so concurrent writers of one path never
    share a temp file. `durable` fsyncs before the rename (shards, markers); caches that can be
    refetched skip it, since a kill -9 cannot lose written pages, only a power cut can.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    tmp.replace(path)


def _json_bytes(payload: Any) -> bytes:
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode()


def atomic_write_json(path: Path, payload: Any) -> None:
    """`atomic_write_bytes` for a JSON document (sorted keys, stable output)."""
    atomic_write_bytes(path, _json_bytes(payload))


def write_json_if_changed(path: Path, payload: Any) -> bool:
    """`atomic_write_json` unless the file already holds exactly this; True if it wrote.

    For files rewritten on every run (plans, the resolved config): an unchanged rerun must leave
    every file of the run store, and its modification time, as it was.
    """
    data = _json_bytes(payload)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write_bytes(path, data)
    return True


def atomic_write_table(path: Path, table: pa.Table) -> str:
    """Write a Parquet file atomically; returns its sha256."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ShardResult:
    """What a stage produced for one shard."""

    records: Sequence[BaseModel]
    rejections: Sequence[Rejection]
    stats: dict[str, Any]


@dataclass(frozen=True)
class ShardFailure:
    """A shard that raised instead of producing a result: the error, in one line."""

    error: str


@dataclass(frozen=True)
class StageSummary:
    """One line of `rswk status`."""

    stage: str
    planned: int
    done: int
    records: int
    rejected: int
    failed: int = 0
    transient: int = 0


class StageStore:
    """The files of one stage in a run store."""

    def __init__(self, root: Path, name: str) -> None:
        if not STAGE_NAME.match(name):
            raise RSWKError(f"stage name {name!r} must be lower-case letters, digits and _")
        self.name = name
        self.root = root / name
        self.shards_dir = self.root / "shards"
        self.rejected_dir = self.root / "rejected"
        self.stats_dir = self.root / "stats"
        self.done_dir = self.root / "done"
        self.failed_dir = self.root / "failed"

    def _check(self, shard_id: str) -> str:
        if not SHARD_ID.match(shard_id):
            raise RSWKError(
                f"shard id {shard_id!r} in stage {self.name!r} must be an ISO2 code "
                "like FR, or FR-0001 for a chunk"
            )
        return shard_id

    def shard_path(self, shard_id: str) -> Path:
        return self.shards_dir / f"{self._check(shard_id)}.parquet"

    def is_done(self, shard_id: str) -> bool:
        return (self.done_dir / f"{self._check(shard_id)}.json").exists()

    def done_shards(self) -> list[str]:
        if not self.done_dir.exists():
            return []
        return sorted(p.stem for p in self.done_dir.glob("*.json") if SHARD_ID.match(p.stem))

    def plan(self, shard_ids: Iterable[str]) -> None:
        """Record which shards this stage is expected to produce (merged with earlier plans)."""
        planned = set(self.planned()) | {self._check(s) for s in shard_ids}
        write_json_if_changed(self.root / "plan.json", {"shards": sorted(planned)})

    def planned(self) -> list[str]:
        path = self.root / "plan.json"
        if not path.exists():
            return []
        return list(json.loads(path.read_text())["shards"])

    def write_shard(
        self,
        shard_id: str,
        model: type[BaseModel],
        result: ShardResult,
        lineage: Lineage | None = None,
    ) -> None:
        """Write records, rejections and stats for a shard, then its done-marker (last).

        The marker records the shard's `lineage` and how many rejections a rerun should retry;
        it holds no clock time, so redoing a shard with the same inputs and answers rewrites
        identical files. A failure recorded for the shard earlier is removed.
        """
        self._check(shard_id)
        records_sha = atomic_write_table(
            self.shard_path(shard_id), records_to_table(result.records, model)
        )
        rejected_sha = atomic_write_table(
            self.rejected_dir / f"{shard_id}.parquet",
            records_to_table(result.rejections, Rejection),
        )
        atomic_write_json(self.stats_dir / f"{shard_id}.json", result.stats)
        marker: dict[str, Any] = {
            "shard": shard_id,
            "records": len(result.records),
            "rejected": len(result.rejections),
            "transient": sum(1 for r in result.rejections if r.reason.transient),
            "sha256": records_sha,
            "rejected_sha256": rejected_sha,
        }
        if lineage is not None:
            marker["lineage"] = lineage.to_json()
        atomic_write_json(self.done_dir / f"{shard_id}.json", marker)
        (self.failed_dir / f"{shard_id}.json").unlink(missing_ok=True)

    def write_failure(self, shard_id: str, error: str, lineage: Lineage | None = None) -> None:
        """Record that the shard failed with `error`; its done-marker goes, so it is redone.

        The old records are not kept as current: they were made from other inputs (a failed
        redo of a stale shard) or could not be confirmed (a failed forced redo).
        """
        self._check(shard_id)
        payload: dict[str, Any] = {
            "shard": shard_id,
            "error": error,
            "failed_at": utc_now().isoformat(),
        }
        if lineage is not None:
            payload["fingerprint"] = lineage.fingerprint
        atomic_write_json(self.failed_dir / f"{shard_id}.json", payload)
        (self.done_dir / f"{shard_id}.json").unlink(missing_ok=True)

    def failures(self) -> dict[str, str]:
        """Shard id -> error of every shard whose last run failed."""
        if not self.failed_dir.exists():
            return {}
        found = {}
        for path in sorted(self.failed_dir.glob("*.json")):
            if SHARD_ID.match(path.stem):
                found[path.stem] = str(json.loads(path.read_text()).get("error", "unknown error"))
        return found

    def marker(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads((self.done_dir / f"{self._check(shard_id)}.json").read_text()))

    def covering_markers(self, shard_id: str) -> list[dict[str, Any]]:
        """The done-markers of the shards holding `shard_id`'s landmarks: here its own.

        A store that splits big countries (rswk.core.subshards) answers a sub-shard with its
        country's marker and a country with its sub-shards' markers; lineage reads it this way.
        """
        return [self.marker(shard_id)]

    def read_shard(self, shard_id: str, model: type[M]) -> list[M]:
        """The records of a finished shard; an unfinished one is an error naming what to run."""
        if not self.is_done(shard_id):
            raise RSWKError(
                f"stage {self.name!r} has no finished shard {shard_id!r} in {self.root} "
                f"(run `rswk {self.name}` for it first)"
            )
        return read_records(self.shard_path(shard_id), model)

    def read_rejections(self, shard_id: str) -> list[Rejection]:
        path = self.rejected_dir / f"{self._check(shard_id)}.parquet"
        if not self.is_done(shard_id) or not path.exists():
            return []
        return read_records(path, Rejection)

    def read_stats(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads((self.stats_dir / f"{self._check(shard_id)}.json").read_text()))

    def summary(self) -> StageSummary:
        done = self.done_shards()
        markers = [self.marker(s) for s in done]
        failed = self.failures()
        return StageSummary(
            stage=self.name,
            planned=len(set(self.planned()) | set(done) | set(failed)),
            done=len(done),
            records=sum(m["records"] for m in markers),
            rejected=sum(m["rejected"] for m in markers),
            failed=len(failed),
            transient=sum(int(m.get("transient", 0)) for m in markers),
        )


class RunStore:
    """A work directory holding every stage's shards."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)

    def stage(self, name: str) -> StageStore:
        return StageStore(self.workdir, name)

    def stages(self) -> list[StageStore]:
        """Stages that have written anything, in pipeline order where known."""
        if not self.workdir.exists():
            return []
        names = [p.name for p in self.workdir.iterdir() if p.is_dir() and STAGE_NAME.match(p.name)]
        return [self.stage(n) for n in sorted(names, key=_pipeline_order)]


PIPELINE_ORDER = (
    "discover",
    "locate",
    "knowledge",
    "imagery",
    "attributes",
    "curate",
    "validate",
    "index",
    "release",
)


def _pipeline_order(name: str) -> tuple[int, str]:
    return (PIPELINE_ORDER.index(name) if name in PIPELINE_ORDER else len(PIPELINE_ORDER), name)
