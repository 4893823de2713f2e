"""Cache keys that name the source, not the host it was served from.

The sample world starts on a new port each time it runs in-process, so a cache keyed by the full
URL would make every rerun a full re-fetch. Here the configured base URL of a source is replaced
by the source's name before hashing: the same question to the same source is the same entry,
whatever port answered it. Different worlds need different workdirs (each has its own cache),
which is the default. Used for the climate API (through the polite transport's disk cache) and
for Sentinel Hub answers (through sentinelhub's own data folder).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from rswk.core.http import DiskCache


def source_relative(url: str, sources: Mapping[str, str]) -> str:
    """`url` with the longest matching configured base replaced by `<name>`."""
    for name, base in sorted(sources.items(), key=lambda item: -len(item[1])):
        base = base.rstrip("/")
        if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
            return f"<{name}>{url[len(base) :]}"
    return url


class SourceKeyedDiskCache(DiskCache):
    """The polite transport's disk cache, keyed by source-relative URL."""

    def __init__(self, root: Path, sources: Mapping[str, str]) -> None:
        super().__init__(root)
        self.sources = dict(sources)

    def key(self, request: httpx.Request) -> str:  # type: ignore[override]
        params = sorted(request.url.params.multi_items())
        base = source_relative(str(request.url.copy_with(query=None)), self.sources)
        digest = hashlib.sha256(f"{request.method} {base} {params}".encode())
        digest.update(request.content)
        return digest.hexdigest()


def sentinelhub_filename(url: str, payload: Any, sources: Mapping[str, str]) -> str:
    """Where sentinelhub saves the answer to `payload` at `url`, relative to its data folder."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"POST {source_relative(url, sources)} {text}".encode()).hexdigest()
    return str(Path(digest[:2]) / digest / "response.json")
