"""Per-source politeness: settings, the in-process limiter, the cluster limiter's logic, and the
sample world's concurrency counter."""

from __future__ import annotations

import asyncio
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from rswk.core import source_limits
from rswk.core.config import Politeness, load_config
from rswk.core.errors import ConfigError
from rswk.core.http import FetchFailed, PoliteTransport
from rswk.core.ray_limiter import LimiterState
from rswk.core.scale_config import SourceLimit, default_source_limits, world_source_limits
from rswk.core.source_limits import LocalLimiter, source_of, source_slot
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld


def test_world_defaults_per_source_and_partial_overrides(tmp_path: Path) -> None:
    world = load_config("world")
    assert world.politeness.sources == world_source_limits()
    assert world.politeness.sources["sentinelhub"].per_minute == 300
    assert world.politeness.requests_per_host == 1  # Wikimedia stays serial
    config = tmp_path / "c.toml"
    config.write_text("[politeness.sources.sentinelhub]\nper_minute = 100\nretries = 2\n")
    changed = load_config("world", config).politeness.sources
    assert changed["sentinelhub"] == world_source_limits()["sentinelhub"].model_copy(
        update={"per_minute": 100, "retries": 2}
    )
    assert changed["tiles"] == world_source_limits()["tiles"]
    config.write_text("[politeness.sources.tiles]\nconcurency = 3\n")
    with pytest.raises(ConfigError, match="concurency"):
        load_config("world", config)
    # The sample world has no quota: the sample profile keeps concurrency, drops per-minute caps.
    sample = load_config("sample").politeness.sources
    assert all(limit.per_minute is None for limit in sample.values())


def test_source_of_names_the_longest_matching_base() -> None:
    sources = {"tiles": "http://h:1/tiles/{z}/{y}/{x}", "climate": "http://h:1/climate/v1/archive"}
    assert source_of("http://h:1/tiles/17/5/6", sources) == "tiles"
    assert source_of("http://h:1/climate/v1/archive?lat=1", sources) == "climate"
    assert source_of("http://h:1/wikipedia/en/w/api.php", sources) is None


def test_local_limiter_holds_concurrency_across_threads() -> None:
    limiter = LocalLimiter()
    limit = SourceLimit(concurrency=3)
    lock = threading.Lock()
    in_flight, most = 0, 0

    def one(_: int) -> None:
        nonlocal in_flight, most
        token = limiter.acquire("tiles", limit)
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        with lock:
            in_flight -= 1
        limiter.release("tiles", token)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(one, range(60)))
    assert 1 <= most <= 3


def test_rate_spaces_request_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": 1000.0}
    starts: list[float] = []
    monkeypatch.setattr(source_limits.time, "monotonic", lambda: clock["now"])

    def fake_sleep(seconds: float) -> None:
        clock["now"] += seconds

    monkeypatch.setattr(source_limits.time, "sleep", fake_sleep)
    limiter = LocalLimiter()
    limit = SourceLimit(concurrency=5, per_minute=120)  # one start every 0.5 s
    for _ in range(4):
        token = limiter.acquire("sentinelhub", limit)
        starts.append(clock["now"])
        limiter.release("sentinelhub", token)
    assert [round(b - a, 6) for a, b in itertools.pairwise(starts)] == [0.5] * 3


def test_cluster_limiter_state_grants_at_most_its_concurrency() -> None:
    async def scenario() -> dict[str, int]:
        state = LimiterState(concurrency=2, per_minute=None)
        in_flight, most = 0, 0

        async def one() -> None:
            nonlocal in_flight, most
            lease = await state.acquire()
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0)
            in_flight -= 1
            await state.release(lease)

        await asyncio.gather(*(one() for _ in range(20)))
        stats = state.stats()
        return {"most": most, **stats}

    result = asyncio.run(scenario())
    assert result["granted"] == 20 and result["in_flight"] == 0
    assert result["most"] <= 2 and result["max_in_flight"] <= 2


def test_cluster_limiter_takes_back_a_dead_worker_s_lease() -> None:
    async def scenario() -> int:
        state = LimiterState(concurrency=1, per_minute=None, lease_s=0.05)
        await state.acquire()  # never released: its worker died
        return await asyncio.wait_for(state.acquire(), timeout=10)

    assert asyncio.run(scenario()) == 2


def test_transport_limits_a_configured_source_and_the_server_counts_it(tmp_path: Path) -> None:
    with SampleWorld(load_world("bundled"), latency_ms=30) as server:
        tiles = server.urls()["tiles"]
        politeness = load_config("sample").politeness.model_copy(
            update={"sources": {"tiles": SourceLimit(concurrency=2)}}
        )
        transport = PoliteTransport(politeness, sources={"tiles": tiles})
        urls = [tiles.format(z=17, x=66370 + i, y=45090) for i in range(24)]
        before = source_limits.request_counts().get("tiles", 0)
        with (
            httpx.Client(transport=transport) as client,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            statuses = list(pool.map(lambda u: client.get(u).status_code, urls))
        assert statuses == [200] * 24
        stats = server.stats()
        assert stats["requests"]["tiles"] == 24
        assert 1 <= stats["max_concurrent"]["tiles"] <= 2
        assert source_limits.request_counts()["tiles"] - before == 24
        # Unlimited, the same eight threads do overlap at the server (the counter sees it).
        server.reset_stats()
        with (
            httpx.Client() as plain,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            list(pool.map(lambda u: plain.get(u).status_code, urls))
        assert server.stats()["max_concurrent"]["tiles"] > 2


def test_source_slot_without_a_setting_only_counts() -> None:
    before = source_limits.request_counts().get("example.org", 0)
    with source_slot("example.org", default_source_limits()):
        pass
    assert source_limits.request_counts()["example.org"] == before + 1


def test_a_stage_keeps_enough_landmarks_in_flight_for_its_sources_allowed_slots() -> None:
    from rswk.core.scale_config import default_source_limits
    from rswk.core.source_limits import landmarks_in_flight

    limits = default_source_limits()  # tiles 4, sentinelhub 2, climate 1
    # The allowed slots, plus `workers` landmarks doing CPU work meanwhile.
    assert landmarks_in_flight(2, ["tiles"], limits) == 6
    assert landmarks_in_flight(2, ["sentinelhub", "climate"], limits) == 5
    assert landmarks_in_flight(2, ["unknown"], limits) == 2


def test_a_source_s_retry_settings_are_honoured_against_the_sample_world_s_faults() -> None:
    # Every tile request answers 5xx until two in a row have failed, then the tile.
    faults = FaultConfig(rate_5xx=1.0, max_consecutive=2)
    with SampleWorld(load_world("bundled"), faults=faults) as server:
        template = server.urls()["tiles"]
        politeness = load_config("sample").politeness  # 6 retries run-wide

        def fetch(x: int, **setting: object) -> int | str:
            limit = SourceLimit(concurrency=2, backoff_s=0, **setting)
            quick = politeness.model_copy(update={"sources": {"tiles": limit}})
            transport = PoliteTransport(quick, sources={"tiles": template})
            with httpx.Client(transport=transport) as client:
                try:
                    return client.get(template.format(z=17, x=x, y=45090)).status_code
                except FetchFailed as exc:
                    return exc.why

        # One retry: both attempts meet the fault; the server saw exactly two requests.
        assert fetch(66370, retries=1).startswith("HTTP 50")  # type: ignore[union-attr]
        assert server.stats()["requests"]["tiles"] == 2
        # Two retries reach the answer on the third attempt.
        server.reset_stats()
        assert fetch(66371, retries=2) == 200
        assert server.stats()["requests"]["tiles"] == 3
        # A source that retries only 429 takes the 5xx as final: one request.
        server.reset_stats()
        assert fetch(66372, retries=5, retry_statuses=(429,)) in (500, 503)
        assert server.stats()["requests"]["tiles"] == 1


def test_retry_settings_fall_back_to_the_run_wide_ones() -> None:
    world = load_config("world").politeness
    assert world.retry_for("tiles").retries == 3
    assert (
        world.retry_for("climate").backoff(0) == 5 and world.retry_for("climate").backoff(9) == 60
    )
    # The Wikimedia APIs have no source setting: the run-wide politeness applies.
    assert world.retry_for("www.wikidata.org").retries == world.retries
    sample = load_config("sample").politeness
    assert sample.retry_for("tiles").retries == sample.retries == 6
    # A Politeness built in code has no per-source retry settings: its own apply everywhere.
    assert Politeness(retries=2).retry_for("sentinelhub").retries == 2
    with pytest.raises(ValueError, match="retry_statuses"):
        SourceLimit(retry_statuses=(200,))
