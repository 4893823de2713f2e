"""Per-source politeness: at most N requests in flight and R started a minute, per source.

Every transport that talks to a limited source (tiles, Sentinel Hub, the climate API) asks
`source_slot(source, limits)` before each attempt. In one process the answer comes from a
process-wide `LocalLimiter`; on Ray every worker installs a limiter backed by one named actor per
source (`rswk.core.ray_limiter`), so the sum over all workers stays within the source's setting.
The slot also counts requests per source, for the end-of-run summary.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from rswk.core.scale_config import SourceLimit, default_source_limits

# What the end-of-run summary calls the Wikimedia APIs (MediaWiki, Wikidata, SPARQL), whether a
# Scrapy crawl or an httpx client sent the request.
WIKIMEDIA_SOURCE = "wikimedia"


class Limiter(Protocol):
    """Hands out request slots per source."""

    def acquire(self, source: str, limit: SourceLimit) -> object:
        """Block until a request to `source` may start; returns a token for `release`."""

    def release(self, source: str, token: object) -> None:
        """The request holding `token` has ended."""


class _SourceGate:
    """A semaphore for concurrency plus a start-time spacing for the per-minute rate."""

    def __init__(self, limit: SourceLimit) -> None:
        self.limit = limit
        self.slots = threading.BoundedSemaphore(limit.concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0

    def wait_for_rate(self) -> None:
        if self.limit.per_minute is None:
            return
        interval = 60.0 / self.limit.per_minute
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + interval
        if start > now:
            time.sleep(start - now)


class LocalLimiter:
    """Limits shared by the threads of one process."""

    def __init__(self) -> None:
        self._gates: dict[str, _SourceGate] = {}
        self._lock = threading.Lock()

    def _gate(self, source: str, limit: SourceLimit) -> _SourceGate:
        with self._lock:
            gate = self._gates.get(source)
            if gate is None or gate.limit != limit:
                # A new setting (another run in this process) gets a fresh gate.
                gate = self._gates[source] = _SourceGate(limit)
            return gate

    def acquire(self, source: str, limit: SourceLimit) -> object:
        gate = self._gate(source, limit)
        gate.slots.acquire()
        gate.wait_for_rate()
        return gate

    def release(self, source: str, token: object) -> None:
        assert isinstance(token, _SourceGate)
        token.slots.release()


_LOCAL = LocalLimiter()
_installed: Limiter | None = None
_configured: dict[str, SourceLimit] | None = None
_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()


def install(limiter: Limiter | None) -> None:
    """Use `limiter` for every source slot of this process (None: back to the local one)."""
    global _installed
    _installed = limiter


def configure_limits(limits: Mapping[str, SourceLimit] | None) -> None:
    """The per-source settings of this process's run, for clients built without a config
    (sentinelhub's download client); set by the executors before a stage runs."""
    global _configured
    _configured = dict(limits) if limits is not None else None


def configured_limits() -> dict[str, SourceLimit]:
    """The settings `configure_limits` set, else the defaults."""
    return dict(_configured) if _configured is not None else default_source_limits()


def current() -> Limiter:
    """The limiter this process asks: an installed (cluster-wide) one, else the local one."""
    return _installed if _installed is not None else _LOCAL


def limit_of(source: str | None, limits: Mapping[str, SourceLimit]) -> SourceLimit | None:
    """The setting of `source`, or None when it has none (then the host rule applies)."""
    return limits.get(source) if source is not None else None


@contextmanager
def source_slot(source: str | None, limits: Mapping[str, SourceLimit]) -> Iterator[None]:
    """Hold one request slot of `source` while the block sends one request.

    A source without a setting is only counted.
    """
    count_request(source)
    limit = limit_of(source, limits)
    if limit is None:
        yield
        return
    limiter = current()
    token = limiter.acquire(source or "", limit)
    try:
        yield
    finally:
        limiter.release(source or "", token)


def count_request(source: str | None) -> None:
    """Count one request sent to `source` (None counts as "other")."""
    with _counts_lock:
        _counts[source or "other"] += 1


def request_counts() -> dict[str, int]:
    """Requests sent by this process per source since it started."""
    with _counts_lock:
        return dict(_counts)


def counts_since(before: Mapping[str, int]) -> dict[str, int]:
    """Requests per source sent since `before` (an earlier `request_counts()`)."""
    now = request_counts()
    return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)}


def source_of(url: str, sources: Mapping[str, str]) -> str | None:
    """The name of the configured source whose base `url` starts with (longest base wins).

    A base may be a template (`.../tile/{z}/{y}/{x}`): only its part before the first `{`
    counts.
    """
    bases = {name: base.split("{", 1)[0].rstrip("/") for name, base in sources.items()}
    for name, base in sorted(bases.items(), key=lambda item: -len(item[1])):
        if base and (url == base or url.startswith((base + "/", base + "?"))):
            return name
    return None


def landmarks_in_flight(
    workers: int, sources: Iterable[str], limits: Mapping[str, SourceLimit]
) -> int:
    """Threads a stage gives a shard's landmarks: enough to keep busy every request slot its
    sources allow (a landmark waits on one request at a time, so the sum of their
    concurrency), plus `workers` more whose CPU work (decoding, stitching, statistics) overlaps
    those requests. The limiter still caps each source."""
    return workers + sum(limits[s].concurrency for s in sources if s in limits)
