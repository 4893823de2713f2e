"""Where a run store's files live: a local folder, or an fsspec URL (`s3://`, `gs://`, `file://`).

The run store (rswk/core/runstore.py) names its files by paths relative to its root
(`locate/shards/FR.parquet`) and reads and writes them through one of these two backends, so
every stage, `rswk status` and the Ray workers use the same code on either. Both make each write
whole: locally a temp name in the same folder, fsynced, then renamed; on object storage one PUT
(atomic: a reader sees the old object or the new one, never half); on `file://` a temp name then
a move. Credentials and endpoints are never written anywhere: s3fs/gcsfs read them from the
environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, ...), or the
caller passes them as `storage_options`.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol


def is_url(location: str | Path) -> bool:
    """Whether `location` names an fsspec URL (`scheme://...`) rather than a local path."""
    return isinstance(location, str) and "://" in location


class StoreFiles(Protocol):
    """The file operations a run store needs, on paths relative to its root (`a/b.json`)."""

    location: str | Path

    def describe(self, rel: str = "") -> str:
        """The full path or URL of `rel`, for messages."""

    def read(self, rel: str) -> bytes:
        """The file's bytes (FileNotFoundError when missing)."""

    def write(self, rel: str, data: bytes, *, durable: bool = True) -> None:
        """Write the whole file at once (readers never see half of it)."""

    def exists(self, rel: str) -> bool: ...

    def names(self, folder: str) -> list[str]:
        """Names of the files directly in `folder` (none when it does not exist)."""

    def subfolders(self, folder: str) -> list[str]:
        """Names of the folders directly in `folder` ("" for the root)."""

    def remove(self, rel: str) -> None:
        """Remove the file if it exists."""


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


class LocalFiles:
    """A run store in a local folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.location: str | Path = self.root

    def path(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    def describe(self, rel: str = "") -> str:
        return str(self.path(rel))

    def read(self, rel: str) -> bytes:
        return self.path(rel).read_bytes()

    def write(self, rel: str, data: bytes, *, durable: bool = True) -> None:
        atomic_write_bytes(self.path(rel), data, durable=durable)

    def exists(self, rel: str) -> bool:
        return self.path(rel).exists()

    def names(self, folder: str) -> list[str]:
        path = self.path(folder)
        if not path.is_dir():
            return []
        return sorted(p.name for p in path.iterdir() if p.is_file() and not p.name.startswith("."))

    def subfolders(self, folder: str) -> list[str]:
        path = self.path(folder)
        if not path.is_dir():
            return []
        return sorted(p.name for p in path.iterdir() if p.is_dir())

    def remove(self, rel: str) -> None:
        self.path(rel).unlink(missing_ok=True)


class ObjectFiles:
    """A run store under an fsspec URL; `storage_options` go to the file system."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url.rstrip("/")
        self.location: str | Path = self.url
        self.storage_options = dict(storage_options)
        if self.url.split("://", 1)[0] in ("s3", "s3a", "gs", "gcs"):
            # Workers on other machines write too: a cached listing would hide their markers.
            storage_options.setdefault("use_listings_cache", False)
        # A fresh client per store: one cached from another endpoint or environment (fsspec
        # caches file systems by their arguments, not by the AWS_* variables) would be wrong.
        storage_options.setdefault("skip_instance_cache", True)
        self._client_options = storage_options
        self._fs, self._pid = self._connect(), os.getpid()
        self._local = getattr(self._fs, "protocol", None) in ("file", ("file", "local"))

    def _connect(self) -> Any:
        import fsspec

        return fsspec.core.url_to_fs(self.url, **self._client_options)[0]

    @property
    def fs(self) -> Any:
        """The file system client; a new one in a forked child (a stage's process, see
        rswk.core.stage_process), since fsspec's async clients refuse to run after a fork."""
        if self._pid != os.getpid():
            self._fs, self._pid = self._connect(), os.getpid()
        return self._fs

    def describe(self, rel: str = "") -> str:
        return f"{self.url}/{rel}" if rel else self.url

    def read(self, rel: str) -> bytes:
        return bytes(self.fs.cat_file(self.describe(rel)))

    def write(self, rel: str, data: bytes, *, durable: bool = True) -> None:
        path = self.describe(rel)
        if self._local:
            # file:// has renames: a temp name, then a move, as for a local folder.
            tmp = f"{path}.{uuid.uuid4().hex}.tmp"
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, path)
        else:
            self.fs.pipe_file(path, data)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.describe(rel)))

    def _entries(self, folder: str) -> list[dict[str, Any]]:
        try:
            return list(self.fs.ls(self.describe(folder), detail=True))
        except FileNotFoundError:
            return []

    def names(self, folder: str) -> list[str]:
        found = [
            e["name"].rstrip("/").rsplit("/", 1)[-1]
            for e in self._entries(folder)
            if e.get("type") == "file"
        ]
        return sorted(n for n in found if not n.startswith(".") and not n.endswith(".tmp"))

    def subfolders(self, folder: str) -> list[str]:
        return sorted(
            e["name"].rstrip("/").rsplit("/", 1)[-1]
            for e in self._entries(folder)
            if e.get("type") == "directory"
        )

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.describe(rel))


def open_files(location: str | Path, **storage_options: Any) -> StoreFiles:
    """The backend for a run store at a local path or an fsspec URL."""
    if is_url(location):
        return ObjectFiles(str(location), **storage_options)
    return LocalFiles(Path(location))
