"""The run store on an fsspec URL (`s3://bucket/run`, `gs://...`, `file:///...`), so workers on
other machines can share it.

Same layout and rules as `rswk.core.runstore`: records, rejections and stats first, the
done-marker last. Each file is one whole-object write: on object storage a PUT is atomic (a
reader sees the old object or the new one, never half), and on `file://` the bytes go to a temp
name and are moved into place. A crash between a shard and its marker leaves the shard pending,
to be redone by the next run.

Scope today: the run store of stages (what `StageStore` offers). The HTTP cache, the resolved
config and sentinelhub's data folder still need a local directory; `open_run_store` is not yet
wired to `--workdir`.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from rswk.core.lineage import Lineage
from rswk.core.parquet_codec import records_to_table, table_to_records
from rswk.core.records.base import Rejection, utc_now
from rswk.core.runstore import (
    SHARD_ID,
    STAGE_NAME,
    RunStore,
    ShardResult,
    StageStore,
    _pipeline_order,
)

M = TypeVar("M", bound=BaseModel)


def is_url(location: str | Path) -> bool:
    """Whether `location` names an fsspec URL (`scheme://...`) rather than a local path."""
    return isinstance(location, str) and "://" in location


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


class ObjectStageStore(StageStore):
    """One stage's files under an fsspec URL."""

    def __init__(self, fs: Any, root: str, name: str) -> None:
        # The local folders of the parent point nowhere here; every file goes through `fs`.
        super().__init__(Path("/nonexistent-object-store"), name)
        self.fs = fs
        self.url = f"{root.rstrip('/')}/{name}"

    def _file(self, folder: str, shard_id: str, suffix: str) -> str:
        return f"{self.url}/{folder}/{self._check(shard_id)}{suffix}"

    def _put(self, path: str, data: bytes) -> None:
        """One whole-object write (a temp name and a move where the file system has renames)."""
        if getattr(self.fs, "protocol", None) in ("file", ("file", "local")):
            tmp = f"{path}.{uuid.uuid4().hex}.tmp"
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, path)
        else:
            self.fs.pipe_file(path, data)

    def _put_json(self, path: str, payload: Any) -> None:
        text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        self._put(path, (text + "\n").encode())

    def shard_url(self, shard_id: str) -> str:
        """The URL of a shard's records."""
        return self._file("shards", shard_id, ".parquet")

    def is_done(self, shard_id: str) -> bool:
        return bool(self.fs.exists(self._file("done", shard_id, ".json")))

    def done_shards(self) -> list[str]:
        folder = f"{self.url}/done"
        if not self.fs.exists(folder):
            return []
        names = [p.rsplit("/", 1)[-1] for p in self.fs.ls(folder, detail=False)]
        stems = [n[: -len(".json")] for n in names if n.endswith(".json")]
        return sorted(s for s in stems if SHARD_ID.match(s))

    def plan(self, shard_ids: Iterable[str]) -> None:
        planned = set(self.planned()) | {self._check(s) for s in shard_ids}
        self._put_json(f"{self.url}/plan.json", {"shards": sorted(planned)})

    def planned(self) -> list[str]:
        path = f"{self.url}/plan.json"
        if not self.fs.exists(path):
            return []
        return list(json.loads(self.fs.cat_file(path))["shards"])

    def write_shard(
        self,
        shard_id: str,
        model: type[BaseModel],
        result: ShardResult,
        lineage: Lineage | None = None,
    ) -> None:
        """Records, rejections and stats, then the done-marker (last), as `StageStore` writes
        them: the same marker (lineage, content hashes, no clock time); a recorded failure goes."""
        records = _parquet_bytes(records_to_table(result.records, model))
        self._put(self.shard_url(shard_id), records)
        rejected = _parquet_bytes(records_to_table(result.rejections, Rejection))
        self._put(self._file("rejected", shard_id, ".parquet"), rejected)
        self._put_json(self._file("stats", shard_id, ".json"), result.stats)
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
        self._put_json(self._file("done", shard_id, ".json"), marker)
        self._remove(self._file("failed", shard_id, ".json"))

    def write_failure(self, shard_id: str, error: str, lineage: Lineage | None = None) -> None:
        """Record that the shard failed with `error`; its done-marker goes, so it is redone."""
        payload: dict[str, Any] = {
            "shard": shard_id,
            "error": error,
            "failed_at": utc_now().isoformat(),
        }
        if lineage is not None:
            payload["fingerprint"] = lineage.fingerprint
        self._put_json(self._file("failed", shard_id, ".json"), payload)
        self._remove(self._file("done", shard_id, ".json"))

    def failures(self) -> dict[str, str]:
        """Shard id -> error of every shard whose last run failed."""
        folder = f"{self.url}/failed"
        if not self.fs.exists(folder):
            return {}
        found = {}
        for path in sorted(self.fs.ls(folder, detail=False)):
            stem = path.rsplit("/", 1)[-1].removesuffix(".json")
            if path.endswith(".json") and SHARD_ID.match(stem):
                found[stem] = str(json.loads(self.fs.cat_file(path)).get("error", "unknown error"))
        return found

    def _remove(self, path: str) -> None:
        if self.fs.exists(path):
            self.fs.rm_file(path)

    def marker(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads(self.fs.cat_file(self._file("done", shard_id, ".json"))))

    def _table(self, path: str) -> pa.Table:
        return pq.read_table(io.BytesIO(self.fs.cat_file(path)))

    def read_shard(self, shard_id: str, model: type[M]) -> list[M]:
        if not self.is_done(shard_id):
            return super().read_shard(shard_id, model)  # raises, naming what to run
        return table_to_records(self._table(self.shard_url(shard_id)), model)

    def read_rejections(self, shard_id: str) -> list[Rejection]:
        path = self._file("rejected", shard_id, ".parquet")
        if not self.is_done(shard_id) or not self.fs.exists(path):
            return []
        return table_to_records(self._table(path), Rejection)

    def read_stats(self, shard_id: str) -> dict[str, Any]:
        return dict(json.loads(self.fs.cat_file(self._file("stats", shard_id, ".json"))))


class ObjectRunStore(RunStore):
    """A run store under an fsspec URL; `storage_options` go to the file system (endpoint,
    credentials - never written anywhere by RSWK)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        import fsspec

        super().__init__(Path("/nonexistent-object-store"))
        self.url = url.rstrip("/")
        if self.url.split("://", 1)[0] in ("s3", "gs", "gcs"):
            # Workers on other machines write too: a cached listing would hide their markers.
            storage_options.setdefault("use_listings_cache", False)
        self.fs, _ = fsspec.core.url_to_fs(self.url, **storage_options)

    def stage(self, name: str) -> ObjectStageStore:
        return ObjectStageStore(self.fs, self.url, name)

    def stages(self) -> list[StageStore]:
        if not self.fs.exists(self.url):
            return []
        names = [
            p.rstrip("/").rsplit("/", 1)[-1]
            for p in self.fs.ls(self.url, detail=False)
            if self.fs.isdir(p)
        ]
        known = [n for n in names if STAGE_NAME.match(n)]
        return [self.stage(n) for n in sorted(known, key=_pipeline_order)]


def open_run_store(location: str | Path, **storage_options: Any) -> RunStore:
    """A run store at a local path, or at an fsspec URL (`s3://bucket/run`, `file:///...`)."""
    if is_url(location):
        return ObjectRunStore(str(location), **storage_options)
    return RunStore(Path(location))
