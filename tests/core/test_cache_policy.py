"""One cache policy for every HTTP cache: never-expiring for the sample profile, an age limit for
the world profile, and answers whose time is the server's, not the reader's."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from crawlers.settings import scrapy_settings
from rswk.core.cache_policy import CachePolicy
from rswk.core.config import Politeness, load_config
from rswk.core.http import DiskCache, PoliteTransport, date_header_time

FAST = Politeness(timeout_s=0.5, backoff_s=0.0, max_backoff_s=0.0, retries=1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_policy_ages() -> None:
    forever = CachePolicy()
    assert forever.is_fresh(NOW - timedelta(days=10_000), now=NOW)
    half_year = CachePolicy(max_age_days=180)
    assert half_year.is_fresh(NOW - timedelta(days=179), now=NOW)
    assert not half_year.is_fresh(NOW - timedelta(days=181), now=NOW)
    assert forever.scrapy_expiration_secs == 0  # Scrapy's "never"
    assert half_year.scrapy_expiration_secs == 180 * 86_400


def test_profiles_choose_their_expiry_and_scrapy_follows(tmp_path: Path) -> None:
    sample, world = load_config("sample", workdir=tmp_path), load_config("world", workdir=tmp_path)
    assert sample.cache.max_age_days is None
    assert world.cache.max_age_days == 180
    config_file = tmp_path / "rswk.toml"
    config_file.write_text("[cache]\nmax_age_days = 30\n")
    custom = load_config("world", config_file, workdir=tmp_path)
    assert custom.cache.max_age_days == 30
    assert scrapy_settings(custom)["HTTPCACHE_EXPIRATION_SECS"] == 30 * 86_400
    assert scrapy_settings(sample)["HTTPCACHE_EXPIRATION_SECS"] == 0


def _counting_transport(calls: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        # No Date header: the polite layer stamps one on arrival, before caching.
        return httpx.Response(200, json={"n": len(calls)})

    return httpx.MockTransport(answer)


def test_expired_entries_are_fetched_again_and_fresh_ones_are_not(tmp_path: Path) -> None:
    calls: list[str] = []
    policy = CachePolicy(max_age_days=180)
    transport = PoliteTransport(
        FAST, cache_dir=tmp_path, inner=_counting_transport(calls), cache_policy=policy
    )
    with httpx.Client(transport=transport) as client:
        first = client.get("https://example.org/a")
        again = client.get("https://example.org/a")
    assert len(calls) == 1 and again.json() == first.json()
    # The entry is stamped when it was stored; age it past the limit.
    entry = next(tmp_path.rglob("*.http"))
    header, _, body = entry.read_bytes().partition(b"\n")
    meta = json.loads(header)
    meta["stored_at"] = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    entry.write_bytes(json.dumps(meta).encode() + b"\n" + body)
    transport = PoliteTransport(
        FAST, cache_dir=tmp_path, inner=_counting_transport(calls), cache_policy=policy
    )
    with httpx.Client(transport=transport) as client:
        refetched = client.get("https://example.org/a")
    assert len(calls) == 2 and refetched.json() == {"n": 2}
    # A never-expiring cache keeps answering the old entry.
    forever = DiskCache(tmp_path)
    os.utime(entry, (0, 0))
    assert forever.get(httpx.Request("GET", "https://example.org/a")) is not None


def test_an_answer_without_a_date_gets_one_on_arrival_that_the_cache_keeps(tmp_path: Path) -> None:
    calls: list[str] = []
    transport = PoliteTransport(FAST, cache_dir=tmp_path, inner=_counting_transport(calls))
    with httpx.Client(transport=transport) as client:
        fetched = client.get("https://example.org/b")
        cached = client.get("https://example.org/b")
    assert len(calls) == 1
    assert fetched.headers["date"] == cached.headers["date"]
    stamped = date_header_time(cached.headers["date"])
    assert abs((stamped - datetime.now(UTC)).total_seconds()) < 3600
