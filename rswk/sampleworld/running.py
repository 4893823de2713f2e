"""Find a running sample world, or start one in-process for the duration of a `with` block."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from rswk.core.errors import RSWKError
from rswk.sampleworld.routes import ROUTES
from rswk.sampleworld.server import SampleWorld, load_route_modules
from rswk.sampleworld.world import World

ENV_VAR = "RSWK_SAMPLE_WORLD"
logger = logging.getLogger(__name__)
STABLE_PORTS = (20_000, 30_000)


def stable_port(key: str) -> int:
    """A port derived from `key` (a run store's path): the same run store gets the same address
    on every run, so the source URLs in its provenance (and so its files) stay byte-identical."""
    low, high = STABLE_PORTS
    return low + int(hashlib.sha256(key.encode()).hexdigest(), 16) % (high - low)


def urls_for_base(base: str) -> dict[str, str]:
    """The service URLs of a sample world served at `base` (e.g. http://127.0.0.1:8765)."""
    load_route_modules()
    return ROUTES.urls(base.rstrip("/"))


def check_alive(base: str, env_var: str = ENV_VAR) -> None:
    """Raise RSWKError naming `env_var` unless `GET {base}/_stats` answers a stats document."""
    url = f"{base.rstrip('/')}/_stats"
    try:
        response = httpx.get(url, timeout=5.0)
        alive = response.status_code == 200 and "requests" in response.json()
        why = f"HTTP {response.status_code}"
    except (httpx.HTTPError, ValueError) as exc:
        alive, why = False, str(exc) or type(exc).__name__
    if not alive:
        raise RSWKError(
            f"{env_var}={base}: no sample world answers at {url} ({why}); start one with "
            f"`rswk sample-world serve` and set {env_var} to the base URL it prints, or unset "
            f"{env_var} to start one in-process"
        )


@contextmanager
def sample_world_urls_from_env_or_start(
    world: World | None = None,
    env_var: str = ENV_VAR,
    preferred_port: int | None = None,
    **server_options: Any,
) -> Iterator[dict[str, str]]:
    """Yield the service URLs of the sample world to use.

    If `$RSWK_SAMPLE_WORLD` holds a base URL, that server is checked (GET /_stats) and used as
    is; otherwise a `SampleWorld` on `world` (default: the bundled world) is started with
    `server_options` (faults, latency_ms, seed...) on `preferred_port` (any free port when it
    is taken) and stopped when the block ends.
    """
    base = os.environ.get(env_var, "").strip()
    if base:
        check_alive(base, env_var)
        yield urls_for_base(base)
        return
    if world is None:
        from rswk.sampleworld.loader import load_world

        world = load_world("bundled")
    server = SampleWorld(world, port=preferred_port or 0, **server_options)
    try:
        server.start()
    except OSError as exc:
        logger.warning(
            "port %s is taken (%s): the sample world serves on another port, so source URLs "
            "in this run's provenance differ from earlier runs",
            preferred_port,
            exc,
        )
        server = SampleWorld(world, **server_options).start()
    try:
        yield server.urls()
    finally:
        server.stop()
