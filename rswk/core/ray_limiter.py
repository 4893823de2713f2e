"""One limiter per source for a whole Ray cluster: a named actor every worker asks before sending.

The actor holds the source's concurrency as leases and spaces request starts for its per-minute
rate, so N workers together never exceed the setting. It is owned by the driver's job (not
detached): it ends with the run. A lease not given back within `lease_s` (its worker died
mid-request) is taken back, so a killed worker cannot shrink the source's concurrency for good.
Ray is imported inside functions: this module loads without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import time
from collections.abc import Mapping
from typing import Any

from rswk.core.scale_config import SourceLimit
from rswk.core.source_limits import LocalLimiter

NAMESPACE = "rswk"
LEASE_S = 600.0  # far above any request's timeout x retries


class LimiterState:
    """The actor's logic (plain asyncio, testable without Ray)."""

    def __init__(self, concurrency: int, per_minute: float | None, lease_s: float = LEASE_S):
        self.concurrency = concurrency
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.lease_s = lease_s
        self.leases: dict[int, float] = {}
        self.max_in_flight = 0
        self.granted = 0
        self._ids = itertools.count(1)
        self._next_start = 0.0
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # created inside the actor's event loop
            self._changed = asyncio.Condition()
        return self._changed

    def _reclaim_expired(self) -> None:
        now = time.monotonic()
        for lease, since in list(self.leases.items()):
            if now - since > self.lease_s:
                del self.leases[lease]

    async def acquire(self) -> int:
        """Wait for a free slot and the next allowed start time; returns the lease id."""
        changed = self._condition()
        async with changed:
            while len(self.leases) >= self.concurrency:
                self._reclaim_expired()
                if len(self.leases) < self.concurrency:
                    break
                # Wake at least every second to take back leases of dead workers.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=1.0)
            lease = next(self._ids)
            self.leases[lease] = time.monotonic()
            self.max_in_flight = max(self.max_in_flight, len(self.leases))
            self.granted += 1
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
        return lease

    async def release(self, lease: int) -> None:
        """Give a lease back (unknown or expired leases are ignored)."""
        changed = self._condition()
        async with changed:
            self.leases.pop(lease, None)
            changed.notify_all()

    def stats(self) -> dict[str, Any]:
        """Leases granted, in flight now, and the most ever in flight at once."""
        return {
            "granted": self.granted,
            "in_flight": len(self.leases),
            "max_in_flight": self.max_in_flight,
        }


def actor_name(source: str, limit: SourceLimit) -> str:
    """The actor's name: the source and its setting (another setting, another actor)."""
    digest = hashlib.sha256(limit.model_dump_json().encode()).hexdigest()[:8]
    return f"rswk-limit-{source}-{digest}"


def start_limiters(limits: Mapping[str, SourceLimit]) -> dict[str, Any]:
    """Get or create the named limiter actor of every source; returns source -> actor handle.

    The caller keeps the handles for as long as the run lasts: Ray ends an actor (even a named
    one) once no handle to it is left.
    """
    import ray

    actor_class: Any = ray.remote(LimiterState)
    handles = {}
    for source, limit in limits.items():
        # num_cpus=0: limiters never hold the CPUs the shard tasks need.
        handles[source] = actor_class.options(
            name=actor_name(source, limit),
            namespace=NAMESPACE,
            get_if_exists=True,
            num_cpus=0,
            max_concurrency=1000,
        ).remote(limit.concurrency, limit.per_minute)
    return handles


def limiter_stats(names: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Each source's limiter counters (from the driver or a worker)."""
    import ray

    stats: dict[str, dict[str, Any]] = {}
    for source, name in names.items():
        actor: Any = ray.get_actor(name, namespace=NAMESPACE)
        stats[source] = ray.get(actor.stats.remote())
    return stats


class RayLimiter:
    """A worker's view of the cluster's limiters; sources without an actor limit locally."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = dict(names)
        self._actors: dict[str, Any] = {}
        self._local = LocalLimiter()

    def _actor(self, source: str) -> Any:
        if source not in self._actors:
            import ray

            self._actors[source] = ray.get_actor(self.names[source], namespace=NAMESPACE)
        return self._actors[source]

    def acquire(self, source: str, limit: SourceLimit) -> object:
        if source not in self.names:
            return ("local", self._local.acquire(source, limit))
        import ray

        return ("ray", ray.get(self._actor(source).acquire.remote()))

    def release(self, source: str, token: object) -> None:
        assert isinstance(token, tuple)
        kind, inner = token
        if kind == "local":
            self._local.release(source, inner)
        else:
            # Fire and forget: the actor runs this before any later call from this worker.
            self._actor(source).release.remote(inner)
