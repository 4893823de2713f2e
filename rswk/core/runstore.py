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

WORKDIR is a local folder or an fsspec URL (`s3://bucket/run`): files are read and written through
a backend (`rswk.core.store_files`), the same code either way. Every file is written whole (a
temp name in the same folder renamed into place; one PUT on object storage), so a kill at any
instant leaves either no file or a whole one; the done-marker comes after the data it vouches for.
Files that describe the run rather than a shard (plan.json) are rewritten only when their content
changes, so a rerun with nothing to do leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from rswk.core.errors import RSWKError
from rswk.core.lineage import Lineage
from rswk.core.parquet_codec import arrow_schema, records_to_table, table_to_records
from rswk.core.records.base import Rejection, utc_now
from rswk.core.store_files import LocalFiles, StoreFiles, open_files
from rswk.core.store_files import atomic_write_bytes as atomic_write_bytes  # re-exported

M = TypeVar("M", bound=BaseModel)
SHARD_ID = re.compile(r"^[A-Z]{2}(-[0-9]{4})?$")
STAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def json_bytes(payload: Any) -> bytes:
    """A JSON document as the run store writes it (indented, sorted keys, stable)."""
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode()


def atomic_write_json(path: Path, payload: Any) -> None:
    """`atomic_write_bytes` for a JSON document (sorted keys, stable output)."""
    atomic_write_bytes(path, json_bytes(payload))


def write_json_if_changed(path: Path | StoreFiles, payload: Any, rel: str = "") -> bool:
    """`atomic_write_json` unless the file already holds exactly this; True if it wrote.

    `path` is a local file, or a run store's files with `rel` the file's path in it. For files
    rewritten on every run (plans, the resolved config): an unchanged rerun must leave every
    file of the run store, and its modification time, as it was.
    """
    files = LocalFiles(path.parent) if isinstance(path, Path) else path
    rel = path.name if isinstance(path, Path) else rel
    data = json_bytes(payload)
    try:
        if files.read(rel) == data:
            return False
    except OSError:
        pass
    files.write(rel, data)
    return True


# Rows per Parquet row group: a reader can stream a shard a group at a time (validate reads a
# country of 2,000 landmarks, images included, in pieces instead of all at once).
ROW_GROUP_ROWS = 256


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a zstd Parquet file (deterministic for the same table)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    return bytes(sink.getvalue().to_pybytes())


def records_parquet_bytes(records: Sequence[BaseModel], model: type[BaseModel]) -> bytes:
    """`parquet_bytes(records_to_table(records, model))`, the same bytes, built a row group at a
    time: the shard's Arrow table never exists whole beside its records."""
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, arrow_schema(model), compression="zstd") as writer:
        for start in range(0, len(records), ROW_GROUP_ROWS) or [0]:
            group = records[start : start + ROW_GROUP_ROWS]
            writer.write_table(records_to_table(group, model), row_group_size=ROW_GROUP_ROWS)
    return bytes(sink.getvalue().to_pybytes())


def atomic_write_table(path: Path, table: pa.Table) -> str:
    """Write a Parquet file atomically; returns its sha256."""
    data = parquet_bytes(table)
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
    """The files of one stage in a run store (a local folder or an fsspec URL: `files`)."""

    def __init__(self, files: StoreFiles | Path, name: str) -> None:
        if not STAGE_NAME.match(name):
            raise RSWKError(f"stage name {name!r} must be lower-case letters, digits and _")
        self.name = name
        self.files: StoreFiles = files if not isinstance(files, Path) else LocalFiles(files)
        # Local paths, for code and tests that look at a local run store's folders directly.
        base = self.files.root if isinstance(self.files, LocalFiles) else Path("/nonexistent")
        self.root = base / name
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

    def rel(self, folder: str, shard_id: str, suffix: str) -> str:
        """The path of a shard's file relative to the run store's root."""
        return f"{self.name}/{folder}/{self._check(shard_id)}{suffix}"

    def shard_path(self, shard_id: str) -> Path:
        return self.shards_dir / f"{self._check(shard_id)}.parquet"

    def shard_location(self, shard_id: str) -> str:
        """Where a shard's records are (a path or a URL), for messages."""
        return self.files.describe(self.rel("shards", shard_id, ".parquet"))

    def read_file(self, name: str) -> bytes:
        """A run-wide file of the stage (`coverage.csv`), beside its folders."""
        return self.files.read(f"{self.name}/{name}")

    def write_file(self, name: str, data: bytes) -> None:
        """Write a run-wide file of the stage whole (`coverage.csv`, `pass.json`)."""
        self.files.write(f"{self.name}/{name}", data)

    def has_file(self, name: str) -> bool:
        return self.files.exists(f"{self.name}/{name}")

    def is_done(self, shard_id: str) -> bool:
        return self.files.exists(self.rel("done", shard_id, ".json"))

    def _shard_ids(self, folder: str, suffix: str) -> list[str]:
        names = self.files.names(f"{self.name}/{folder}")
        stems = [n[: -len(suffix)] for n in names if n.endswith(suffix)]
        return sorted(s for s in stems if SHARD_ID.match(s))

    def done_shards(self) -> list[str]:
        return self._shard_ids("done", ".json")

    def plan(self, shard_ids: Iterable[str]) -> None:
        """Record which shards this stage is expected to produce (merged with earlier plans)."""
        planned = set(self.planned()) | {self._check(s) for s in shard_ids}
        write_json_if_changed(self.files, {"shards": sorted(planned)}, f"{self.name}/plan.json")

    def planned(self) -> list[str]:
        try:
            return list(json.loads(self.files.read(f"{self.name}/plan.json"))["shards"])
        except FileNotFoundError:
            return []

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
        records = records_parquet_bytes(result.records, model)
        self.files.write(self.rel("shards", shard_id, ".parquet"), records)
        rejected = records_parquet_bytes(result.rejections, Rejection)
        self.files.write(self.rel("rejected", shard_id, ".parquet"), rejected)
        self.files.write(self.rel("stats", shard_id, ".json"), json_bytes(result.stats))
        marker: dict[str, Any] = {
            "shard": shard_id,
            "records": len(result.records),
            "rejected": len(result.rejections),
            "transient": sum(1 for r in result.rejections if r.reason.transient),
            "sha256": hashlib.sha256(records).hexdigest(),
            "rejected_sha256": hashlib.sha256(rejected).hexdigest(),
        }
        if lineage is not None:
            marker["lineage"] = lineage.to_json()
        self.files.write(self.rel("done", shard_id, ".json"), json_bytes(marker))
        self.files.remove(self.rel("failed", shard_id, ".json"))

    def write_failure(self, shard_id: str, error: str, lineage: Lineage | None = None) -> None:
        """Record that the shard failed with `error`; its done-marker goes, so it is redone.

        The old records are not kept as current: they were made from other inputs (a failed
        redo of a stale shard) or could not be confirmed (a failed forced redo).
        """
        payload: dict[str, Any] = {
            "shard": shard_id,
            "error": error,
            "failed_at": utc_now().isoformat(),
        }
        if lineage is not None:
            payload["fingerprint"] = lineage.fingerprint
        self.files.write(self.rel("failed", shard_id, ".json"), json_bytes(payload))
        self.files.remove(self.rel("done", shard_id, ".json"))

    def failures(self) -> dict[str, str]:
        """Shard id -> error of every shard whose last run failed."""
        found = {}
        for shard_id in self._shard_ids("failed", ".json"):
            payload = json.loads(self.files.read(self.rel("failed", shard_id, ".json")))
            found[shard_id] = str(payload.get("error", "unknown error"))
        return found

    def marker(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads(self.files.read(self.rel("done", shard_id, ".json"))))

    def covering_markers(self, shard_id: str) -> list[dict[str, Any]]:
        """The done-markers of the shards holding `shard_id`'s landmarks: here its own.

        A store that splits big countries (rswk.core.subshards) answers a sub-shard with its
        country's marker and a country with its sub-shards' markers; lineage reads it this way.
        """
        return [self.marker(shard_id)]

    def _parquet_source(self, rel: str) -> Path | io.BytesIO:
        """What pyarrow opens: the local file itself, or a remote file's bytes."""
        if isinstance(self.files, LocalFiles):
            return self.files.path(rel)
        return io.BytesIO(self.files.read(rel))

    def _read_table(self, rel: str, columns: Sequence[str] | None = None) -> pa.Table:
        return pq.read_table(self._parquet_source(rel), columns=columns)

    def read_column(self, shard_id: str, column: str) -> list[Any]:
        """One column of a shard's records, done or not (progress counts QIDs this way)."""
        table = self._read_table(self.rel("shards", shard_id, ".parquet"), [column])
        return list(table.column(column).to_pylist())

    def read_columns(self, shard_id: str, columns: Sequence[str]) -> pa.Table:
        """Some columns of a finished shard's records, as Arrow (no record objects: for readers
        of many shards that need only a few fields)."""
        self._require_done(shard_id)
        return self._read_table(self.rel("shards", shard_id, ".parquet"), list(columns))

    def _require_done(self, shard_id: str) -> None:
        if not self.is_done(shard_id):
            raise RSWKError(
                f"stage {self.name!r} has no finished shard {shard_id!r} in "
                f"{self.files.describe(self.name)} (run `rswk {self.name}` for it first)"
            )

    def read_shard(self, shard_id: str, model: type[M]) -> list[M]:
        """The records of a finished shard; an unfinished one is an error naming what to run."""
        self._require_done(shard_id)
        rel = self.rel("shards", shard_id, ".parquet")
        return table_to_records(self._read_table(rel), model, self.files.describe(rel))

    def iter_shard(self, shard_id: str, model: type[M]) -> Iterator[list[M]]:
        """The records of a finished shard, a row group (`ROW_GROUP_ROWS`) at a time: for a
        reader that needs each record once, so memory holds one group's, not the shard's."""
        self._require_done(shard_id)
        rel = self.rel("shards", shard_id, ".parquet")
        parquet = pq.ParquetFile(self._parquet_source(rel))
        for group in range(parquet.num_row_groups):
            # A group's table keeps the file's schema metadata (the record schema version).
            yield table_to_records(parquet.read_row_group(group), model, self.files.describe(rel))

    def read_rejections(self, shard_id: str) -> list[Rejection]:
        rel = self.rel("rejected", shard_id, ".parquet")
        if not self.is_done(shard_id) or not self.files.exists(rel):
            return []
        return table_to_records(self._read_table(rel), Rejection, self.files.describe(rel))

    def read_stats(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads(self.files.read(self.rel("stats", shard_id, ".json"))))

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
    """A run's stages: a local work directory, or an fsspec URL (`s3://bucket/run`) whose
    `storage_options` (endpoint, credentials) go to the file system, never into a file."""

    def __init__(self, location: str | Path | StoreFiles, **storage_options: Any) -> None:
        if isinstance(location, (str, Path)):
            self.files = open_files(location, **storage_options)
        else:
            self.files = location
        self.location: str | Path = self.files.location
        # The local folder (a URL store has none: messages use `location`).
        self.workdir = (
            self.files.root if isinstance(self.files, LocalFiles) else Path("/nonexistent")
        )

    @property
    def is_remote(self) -> bool:
        return not isinstance(self.files, LocalFiles)

    def __str__(self) -> str:
        return str(self.location)

    def stage(self, name: str) -> StageStore:
        return StageStore(self.files, name)

    def write_json_if_changed(self, rel: str, payload: Any) -> bool:
        """A run-wide JSON file (`config.resolved.json`), rewritten only when it changed."""
        return write_json_if_changed(self.files, payload, rel)

    def upload_folder(self, local: Path, rel: str, last: str | None = None) -> None:
        """Copy a folder built on this machine (Data Docs, index files) into the store at
        `rel`, each file one whole write, the file named `last` (a manifest) after the others.
        Nothing to do when the store is local and `local` already is that folder."""
        if isinstance(self.files, LocalFiles) and self.files.path(rel).resolve() == local.resolve():
            return
        paths = sorted(p for p in local.rglob("*") if p.is_file())
        paths.sort(key=lambda p: p.relative_to(local).as_posix() == last)
        for path in paths:
            self.files.write(f"{rel}/{path.relative_to(local).as_posix()}", path.read_bytes())

    def download_folder(self, rel: str, local: Path) -> None:
        """Replace `local` with a copy of the store's folder `rel` (files directly in it and
        below), for code that needs local paths; nothing when `local` is that folder."""
        if isinstance(self.files, LocalFiles) and self.files.path(rel).resolve() == local.resolve():
            return
        shutil.rmtree(local, ignore_errors=True)
        for name in self.files.names(rel):
            atomic_write_bytes(local / name, self.files.read(f"{rel}/{name}"), durable=False)
        for sub in self.files.subfolders(rel):
            self.download_folder(f"{rel}/{sub}", local / sub)

    def stages(self) -> list[StageStore]:
        """Stages that have written anything, in pipeline order where known."""
        names = [n for n in self.files.subfolders("") if STAGE_NAME.match(n)]
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
