"""The sample world's route registry: path patterns -> handlers, plus the URL keys they publish.

A service module registers its handlers at import time:

    from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response

    @ROUTES.route("/tiles/{z}/{x}/{y}.png", endpoint="tiles")
    def tile(request: Request, ctx: ServerContext) -> Response: ...

    ROUTES.add_url("tiles", lambda base: f"{base}/tiles/{{z}}/{{x}}/{{y}}.png")

and adds its module path to `ROUTE_MODULES` (the server imports them all when it starts). The
`endpoint` name is what counters and faults are keyed by in `/_stats`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from rswk.sampleworld.world import World

if TYPE_CHECKING:
    from rswk.sampleworld.faults import FaultInjector
    from rswk.sampleworld.stats import Stats

# Service modules imported when a server starts; each registers its routes on ROUTES.
ROUTE_MODULES: list[str] = [
    "rswk.sampleworld.stats",
    "rswk.sampleworld.mediawiki",
    "rswk.sampleworld.wikidata",
    "rswk.sampleworld.sparql",
    "rswk.sampleworld.tiles",
    "rswk.sampleworld.climate",
    "rswk.sampleworld.sentinelhub",
    "rswk.sampleworld.truth",
]

JSON_TYPE = "application/json; charset=utf-8"
T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One HTTP request as handlers see it.

    `query` and `form` keep every value of a repeated key; `param()` reads the first value from
    the query string, then from the form body (MediaWiki accepts either).
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    form: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""
    path_params: Mapping[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of `name` in the query string or form body, else `default`."""
        for source in (self.query, self.form):
            values = source.get(name)
            if values:
                return values[0]
        return default

    def has(self, name: str) -> bool:
        """Whether `name` is present at all (MediaWiki boolean flags are presence-only)."""
        return name in self.query or name in self.form

    def multi(self, name: str) -> list[str]:
        """A MediaWiki multi-value parameter split on '|' (or on U+001F when it starts with it)."""
        raw = self.param(name)
        if not raw:
            return []
        if raw.startswith("\x1f"):
            return [v for v in raw[1:].split("\x1f") if v]
        return [v for v in raw.split("|") if v]

    def signature(self) -> str:
        """Method, path, sorted parameters and body: what makes two requests 'the same'."""
        params = sorted(
            (k, v) for source in (self.query, self.form) for k, vs in source.items() for v in vs
        )
        body = self.body if not self.form else b""
        return f"{self.method} {self.path} {params!r} {body!r}"


@dataclass
class Response:
    """What a handler answers. `items` counts the titles/ids the request asked for (stats)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    items: int = 0


def json_response(
    payload: Any, status: int = 200, *, items: int = 0, content_type: str = JSON_TYPE
) -> Response:
    """A JSON response with the given status; `items` feeds the per-endpoint item counter."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status=status, headers={"Content-Type": content_type}, body=body, items=items)


class ServerContext:
    """What handlers share for one server: the world, its seed and lazily built indexes."""

    def __init__(self, world: World, seed: int, stats: Stats, faults: FaultInjector | None) -> None:
        self.world = world
        self.seed = seed
        self.stats = stats
        self.faults = faults
        self._memo: dict[str, Any] = {}
        self._lock = threading.Lock()

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """Build a per-server value once (an index over the world, a tile cache...) and reuse it."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]


Handler = Callable[[Request, ServerContext], Response]


@dataclass(frozen=True)
class Route:
    """A path pattern ('{name}' matches one segment) bound to a handler and a counter name.

    `counted=False` hides the route from counters and faults (the stats endpoint itself);
    `maxlag=True` marks a MediaWiki/Wikibase API that may answer a `maxlag` refusal;
    `reshape` turns a good answer into a faulty one of a payload fault kind (a Statistical API
    answer with `status: FAILED`...), for the kinds named in `payload_faults`.
    """

    pattern: str
    endpoint: str
    handler: Handler
    methods: frozenset[str] = frozenset({"GET", "POST"})
    counted: bool = True
    maxlag: bool = False
    payload_faults: tuple[str, ...] = ()
    reshape: Callable[[str, Response], Response] | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = re.split(r"(\{[a-zA-Z_]+\})", self.pattern)
        source = "".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
        )
        object.__setattr__(self, "regex", re.compile(f"^{source}$"))


class RouteRegistry:
    """Routes and URL keys, in registration order. First matching route wins."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._urls: dict[str, Callable[[str], str]] = {}

    def route(
        self,
        pattern: str,
        endpoint: str,
        *,
        methods: tuple[str, ...] = ("GET", "POST"),
        counted: bool = True,
        maxlag: bool = False,
        payload_faults: tuple[str, ...] = (),
        reshape: Callable[[str, Response], Response] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Decorator registering `handler` for `pattern` (re-registering a pattern replaces it)."""

        def register(handler: Handler) -> Handler:
            new = Route(
                pattern, endpoint, handler, frozenset(methods), counted, maxlag,
                payload_faults, reshape,
            )  # fmt: skip
            self._routes = [r for r in self._routes if r.pattern != pattern] + [new]
            return handler

        return register

    def add_url(self, key: str, build: Callable[[str], str]) -> None:
        """Publish a URL key in `SampleWorld.urls()`; `build` gets the base URL."""
        self._urls[key] = build

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for `path` and its path parameters, or None."""
        for route in self._routes:
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None

    def urls(self, base: str) -> dict[str, str]:
        """Every published URL key for a server at `base`."""
        return {"base": base} | {key: build(base) for key, build in self._urls.items()}

    def routes(self) -> list[Route]:
        """The registered routes, in match order."""
        return list(self._routes)

    def copy(self) -> RouteRegistry:
        """An independent registry with the same routes and URL keys (to extend in tests)."""
        twin = RouteRegistry()
        twin._routes = list(self._routes)
        twin._urls = dict(self._urls)
        return twin


ROUTES = RouteRegistry()
