"""The run store on an fsspec URL (`s3://bucket/run`, `gs://...`, `file:///...`), so workers on
other machines can share it.

Same layout, same code and same rules as a local run store (`rswk.core.runstore`): the only
difference is the file backend (`rswk.core.store_files.ObjectFiles`), where each file is one
whole-object write. Records, rejections and stats go first, the done-marker last, so a crash
between a shard and its marker leaves the shard pending, to be redone by the next run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rswk.core.runstore import RunStore
from rswk.core.store_files import ObjectFiles, is_url

__all__ = ["ObjectRunStore", "is_url", "open_run_store"]


class ObjectRunStore(RunStore):
    """A run store under an fsspec URL; `storage_options` go to the file system (endpoint,
    credentials - never written anywhere by RSWK)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        super().__init__(ObjectFiles(url, **storage_options))
        self.url = url.rstrip("/")

    @property
    def fs(self) -> Any:
        assert isinstance(self.files, ObjectFiles)
        return self.files.fs


def open_run_store(location: str | Path, **storage_options: Any) -> RunStore:
    """A run store at a local path, or at an fsspec URL (`s3://bucket/run`, `file:///...`)."""
    if is_url(location):
        return ObjectRunStore(str(location), **storage_options)
    return RunStore(Path(location))
