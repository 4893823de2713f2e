"""Fetching XYZ tiles once: the polite cached HTTP client, a truncation check, and an in-memory
memo shared by landmarks whose windows overlap.

Tiles are requested through `rswk.core.http.PoliteTransport` (retries with Retry-After, per-host
serialisation, disk cache: a rerun sends nothing). Underneath it, `ImageCheckTransport` turns an
image body cut short (a dropped connection the server still reported as complete) into a
retryable 502, so a broken tile is retried and never cached. Above it, `TileFetcher` fetches each
tile once per run even when several threads want it at the same time, and remembers when the
server produced it (its `Date`, cached with it) for the image's provenance.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

import httpx

from rswk.core.cache_policy import CachePolicy
from rswk.core.config import Politeness
from rswk.core.errors import RSWKError
from rswk.core.http import FetchFailed, PoliteTransport, date_header_time

JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"
PNG_START, PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"
TRUNCATED_HEADER = "x-rswk-truncated"


def looks_truncated(body: bytes) -> bool:
    """Whether a JPEG or PNG body lacks its end marker (other formats are not checked)."""
    tail = body.rstrip(b"\x00")
    if body.startswith(JPEG_START):
        return not tail.endswith(JPEG_END)
    if body.startswith(PNG_START):
        return not tail.endswith(PNG_END)
    return False


class ImageCheckTransport(httpx.BaseTransport):
    """Answers a truncated image body with a 502, which the polite layer retries."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code != 200:
            return response
        body = response.read()
        if not looks_truncated(body):
            return response
        response.close()
        return httpx.Response(
            502,
            headers={"content-type": "text/plain", TRUNCATED_HEADER: "1"},
            content=b"image body truncated",
            request=request,
        )

    def close(self) -> None:
        self.inner.close()


class TileTemplate:
    """An XYZ URL template with literal `{z}`, `{x}` and `{y}` (in any order)."""

    def __init__(self, template: str) -> None:
        missing = [key for key in ("{z}", "{x}", "{y}") if key not in template]
        others = set(re.findall(r"\{[^}]*\}", template)) - {"{z}", "{x}", "{y}"}
        if missing or others:
            problem = (
                f"lacks {', '.join(missing)}" if missing else f"has {', '.join(sorted(others))}"
            )
            raise RSWKError(
                f"tile template {template!r} (sources.tiles) {problem}: it must hold exactly "
                "{z}, {x} and {y}, e.g. https://host/tile/{z}/{y}/{x}"
            )
        self.template = template

    def url(self, z: int, x: int, y: int) -> str:
        """The URL of one tile."""
        return self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def tile_client(
    politeness: Politeness, cache_dir: Path, template: str, cache_policy: CachePolicy | None = None
) -> tuple[httpx.Client, PoliteTransport]:
    """An httpx client with the polite, cached transport over the truncation check.

    Cache keys name the tile source rather than its host:port, so a sample world restarted on
    another port still answers a rerun from the cache.
    """
    transport = PoliteTransport(
        politeness,
        cache_dir=cache_dir,
        inner=ImageCheckTransport(),
        sources={"tiles": template},
        cache_policy=cache_policy,
    )
    return httpx.Client(transport=transport, timeout=politeness.timeout_s), transport


class TileSource(Protocol):
    """Tile bytes by (z, x, y); None where the service has no tile."""

    def get(self, z: int, x: int, y: int) -> bytes | None: ...

    def produced_at(self, keys: Iterable[tuple[int, int, int]]) -> datetime | None:
        """When the newest of these tiles was produced by the server (None: unknown)."""
        ...


K = TypeVar("K")
V = TypeVar("V")


def remember(lru: OrderedDict[K, V], key: K, value: V, capacity: int) -> None:
    """Put `key` in `lru` as its newest entry, dropping the oldest beyond `capacity`."""
    lru[key] = value
    lru.move_to_end(key)
    while len(lru) > capacity:
        lru.popitem(last=False)


class TileFetcher:
    """Tile bytes by (z, x, y), fetched at most once at a time and memoised in memory.

    `get` answers None when the server has no tile there (404); other failures raise
    `FetchFailed`. `counts` holds lookups and memo hits.
    """

    def __init__(
        self,
        client: httpx.Client,
        template: TileTemplate,
        memo_tiles: int = 512,
        produced_tiles: int = 4096,
    ) -> None:
        self.client = client
        self.template = template
        self.memo_tiles = memo_tiles
        self.produced_tiles = max(produced_tiles, memo_tiles)
        self.counts: Counter[str] = Counter()
        self._memo: OrderedDict[tuple[int, int, int], bytes | None] = OrderedDict()
        # When the server produced each tile (its Date header), read for a window just after its
        # tiles were fetched. Far smaller than a tile, so kept for many more tiles than the memo
        # (a window's times outlive its tiles' eviction), but bounded too: a run's memory must
        # not grow with the landmarks it has done.
        self._produced: OrderedDict[tuple[int, int, int], datetime] = OrderedDict()
        self._key_locks: dict[tuple[int, int, int], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None where the server has none."""
        key = (z, x, y)
        with self._lock:
            self.counts["lookups"] += 1
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._memo:
                    self.counts["memo_hits"] += 1
                    self._memo.move_to_end(key)
                    # Touched with the memo, so a memoised tile always has its time too.
                    self._produced.move_to_end(key)
                    return self._memo[key]
            try:
                data, produced = self._download(self.template.url(z, x, y))
            except BaseException:
                with self._lock:
                    self._key_locks.pop(key, None)  # a failed tile leaves no lock behind
                raise
            with self._lock:
                remember(self._memo, key, data, self.memo_tiles)
                remember(self._produced, key, produced, self.produced_tiles)
                self._key_locks.pop(key, None)
            return data

    def memo_size(self) -> tuple[int, int]:
        """How many tiles the memo holds, and how many tiles' times (both bounded)."""
        with self._lock:
            return len(self._memo), len(self._produced)

    def produced_at(self, keys: Iterable[tuple[int, int, int]]) -> datetime | None:
        """When the newest of these tiles was produced by the server (its `Date` header)."""
        with self._lock:
            times = [self._produced[k] for k in keys if k in self._produced]
        return max(times, default=None)

    def _download(self, url: str) -> tuple[bytes | None, datetime]:
        response = self.client.get(url)
        produced = date_header_time(response.headers.get("date"))
        if response.status_code == 404:
            return None, produced
        if response.status_code != 200:
            raise FetchFailed(url, f"HTTP {response.status_code}")
        return response.content, produced
