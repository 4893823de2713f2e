"""The sample world's HTTP server: one loopback port, every service under its own path.

    with SampleWorld(load_world("bundled"), faults=FaultConfig(rate=0.1)) as sw:
        sw.urls()   # {"base": ..., "mediawiki": ".../wikipedia/{lang}/w/api.php", ...}
        sw.stats()  # request, status, fault and item counters

Requests go through `Dispatcher`: route lookup, simulated latency, fault injection, the handler,
then the counters. Routes come from `routes.ROUTES` (see routes.py to add a service).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from rswk.sampleworld.faults import FaultConfig, FaultInjector, FaultKind
from rswk.sampleworld.latency import Latency
from rswk.sampleworld.routes import (
    JSON_TYPE,
    ROUTE_MODULES,
    ROUTES,
    Request,
    Response,
    Route,
    RouteRegistry,
    ServerContext,
    json_response,
)
from rswk.sampleworld.stats import Stats
from rswk.sampleworld.world import World

logger = logging.getLogger(__name__)
UNKNOWN_ENDPOINT = "unknown"


def load_route_modules(extra: tuple[str, ...] = ()) -> None:
    """Import every service module so its routes are registered (idempotent)."""
    for name in (*ROUTE_MODULES, *extra):
        importlib.import_module(name)


class Dispatcher:
    """Turns a Request into a Response: routing, latency, faults, counters."""

    def __init__(
        self,
        ctx: ServerContext,
        routes: RouteRegistry,
        faults: FaultConfig | None,
        latency: Latency,
    ) -> None:
        self.ctx = ctx
        self.routes = routes
        self.faults = faults
        self.latency = latency
        latency.check_endpoints(route.endpoint for route in routes.routes())

    def handle(self, request: Request) -> Response:
        """Answer one request (never raises: a handler bug becomes a 500 with its message)."""
        found = self.routes.match(request.path)
        if found is None:
            return self._count(UNKNOWN_ENDPOINT, self._not_found(request.path), None)
        route, path_params = found
        request = dataclasses.replace(request, path_params=path_params)
        if request.method not in route.methods:
            allowed = ", ".join(sorted(route.methods))
            return self._count(route.endpoint, _error(405, f"use {allowed}"), None)
        if not route.counted:
            return self._run(route, request)
        self.ctx.stats.enter(route.endpoint)
        try:
            arrived = time.monotonic()
            kind: FaultKind | None = None
            variant = 0.0
            if self.ctx.faults is not None:
                eligible = route.maxlag and request.has("maxlag")
                kind, variant = self.ctx.faults.decide(
                    request.signature(), eligible, route.payload_faults
                )
            response = self._answer(route, request, kind, variant)
            # The latency is the whole time an answer takes, as a live service's latency holds
            # its own work: the rest is waited out after the answer is made, so a benchmark
            # with live-like latencies measures RSWK, not how fast this server renders a tile.
            rest = self.latency.seconds(route.endpoint) - (time.monotonic() - arrived)
            if rest > 0:
                time.sleep(rest)
            return self._count(route.endpoint, response, kind)
        finally:
            self.ctx.stats.leave(route.endpoint)

    def _answer(
        self, route: Route, request: Request, kind: FaultKind | None, variant: float
    ) -> Response:
        config = self.faults or FaultConfig()
        if kind == "429":
            return _error(
                429, "too many requests", {"Retry-After": str(config.retry_after_seconds)}
            )
        if kind == "5xx":
            return _error(500 if variant < 0.5 else 503, "server error (injected)")
        if kind == "maxlag":
            return _maxlag(config)
        if kind == "slow":
            time.sleep(config.slow_seconds)
        response = self._run(route, request)
        if kind == "truncated":
            response.body = response.body[: len(response.body) // 2]
        if kind in route.payload_faults and route.reshape is not None and response.status == 200:
            response = route.reshape(kind, response)
        return response

    def _run(self, route: Route, request: Request) -> Response:
        try:
            return route.handler(request, self.ctx)
        except Exception as exc:  # a handler bug must reach the client as a 500, not a reset
            logger.exception("sample world handler for %s failed", request.path)
            return _error(500, f"handler error: {type(exc).__name__}: {exc}")

    def _not_found(self, path: str) -> Response:
        keys = ", ".join(sorted(self.routes.urls("")))
        return _error(404, f"no sample-world service at {path} (services: {keys})")

    def _count(self, endpoint: str, response: Response, kind: FaultKind | None) -> Response:
        self.ctx.stats.record(endpoint, response.status, response.items, kind)
        return response


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": str(status), "info": message}}).encode()
    return Response(status, {"Content-Type": JSON_TYPE, **(headers or {})}, body)


def _maxlag(config: FaultConfig) -> Response:
    lag = config.maxlag_seconds
    payload = {
        "error": {
            "code": "maxlag",
            "info": f"Waiting for db1234: {lag} seconds lagged.",
            "host": "db1234",
            "lag": lag,
            "type": "db",
            "*": "See https://www.mediawiki.org/w/api.php for API usage.",
        },
        "servedby": "sampleworld",
    }
    response = json_response(payload)
    response.headers |= {
        "Retry-After": str(config.retry_after_seconds),
        "X-Database-Lag": str(lag),
        "MediaWiki-API-Error": "maxlag",
    }
    return response


def _handler_class(dispatcher: Dispatcher) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "RSWKSampleWorld/1"
        timeout = 60  # idle keep-alive connections close after a minute
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # and delayed ACKs add ~40 ms to every answer on a kept-alive connection.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            response = dispatcher.handle(self._request())
            try:
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (e.g. timed out on a slow fault): nothing left to do.
                self.close_connection = True

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            form: dict[str, list[str]] = {}
            if "x-www-form-urlencoded" in headers.get("content-type", ""):
                form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            query = parse_qs(parts.query, keep_blank_values=True)
            return Request(self.command, unquote(parts.path), query, form, headers, body)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("%s " + format, self.address_string(), *args)

    return Handler


class SampleWorld:
    """A running (or ready-to-run) sample world on 127.0.0.1."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
        latency_ms: float | Latency = 0,
        seed: int = 0,
        route_modules: tuple[str, ...] = (),
        routes: RouteRegistry | None = None,
    ) -> None:
        """`route_modules` are imported in addition to routes.ROUTE_MODULES; `routes` replaces
        the global registry (e.g. `ROUTES.copy()` extended with a test route)."""
        load_route_modules(route_modules)
        self.routes = routes or ROUTES
        self.world = world
        self._stats = Stats()
        injector = FaultInjector(faults, seed) if faults is not None else None
        self.ctx = ServerContext(world, seed, self._stats, injector)
        self._dispatcher = Dispatcher(self.ctx, self.routes, faults, Latency.of(latency_ms))
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SampleWorld:
        """Bind the port and serve in a background daemon thread; returns self."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self._host, self._port), _handler_class(self._dispatcher))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
            name=f"sampleworld:{server.server_address[1]}",
        )  # fmt: skip
        self._thread.start()
        logger.info("sample world '%s' serving at %s", self.world.name, self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError("the sample world is not running: call start() first")
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    def urls(self) -> dict[str, str]:
        """Every service URL: base, mediawiki (with a literal '{lang}'), wikidata, sparql, stats,
        plus whatever extension routes publish."""
        return self.routes.urls(self.base_url)

    def stats(self) -> dict[str, Any]:
        """The counters `GET /_stats` answers."""
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        """Zero the counters."""
        self._stats.reset()

    def __enter__(self) -> SampleWorld:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
