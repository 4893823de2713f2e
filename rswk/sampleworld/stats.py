"""Request counters, and the `/_stats` endpoints that expose and reset them.

`GET /_stats` answers `{"requests": {endpoint: n}, "statuses": {endpoint: {"200": n}},
"faults": {kind: n}, "items": {endpoint: n}, "max_concurrent": {endpoint: n}}`; `items` is the
number of titles / ids / rows a service was asked for, so tests can see batching;
`max_concurrent` the most requests of a route family (endpoint) in flight at once, so tests can
see politeness across workers. Requests to `/_stats` are not counted.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any

from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response


class Stats:
    """Thread-safe per-endpoint counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._faults: Counter[str] = Counter()
        self._items: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._max_concurrent: Counter[str] = Counter()

    def enter(self, endpoint: str) -> None:
        """A request to `endpoint` has arrived (pair with `leave`)."""
        with self._lock:
            self._in_flight[endpoint] += 1
            if self._in_flight[endpoint] > self._max_concurrent[endpoint]:
                self._max_concurrent[endpoint] = self._in_flight[endpoint]

    def leave(self, endpoint: str) -> None:
        """A request to `endpoint` has been answered."""
        with self._lock:
            self._in_flight[endpoint] -= 1

    def record(self, endpoint: str, status: int, items: int, fault: str | None) -> None:
        """Count one answered request."""
        with self._lock:
            self._requests[endpoint] += 1
            self._statuses[endpoint][str(status)] += 1
            if items:
                self._items[endpoint] += items
            if fault:
                self._faults[fault] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of every counter."""
        with self._lock:
            return {
                "requests": dict(self._requests),
                "statuses": {ep: dict(codes) for ep, codes in self._statuses.items()},
                "faults": dict(self._faults),
                "items": dict(self._items),
                "max_concurrent": dict(self._max_concurrent),
            }

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._requests.clear()
            self._statuses.clear()
            self._faults.clear()
            self._items.clear()
            self._max_concurrent.clear()


@ROUTES.route("/_stats", "stats", methods=("GET",), counted=False)
def get_stats(request: Request, ctx: ServerContext) -> Response:
    """The counters as JSON."""
    return json_response(ctx.stats.snapshot())


@ROUTES.route("/_stats/reset", "stats", methods=("POST",), counted=False)
def reset_stats(request: Request, ctx: ServerContext) -> Response:
    """Zero the counters; answers the (empty) counters."""
    ctx.stats.reset()
    return json_response(ctx.stats.snapshot())


ROUTES.add_url("stats", lambda base: f"{base}/_stats")
