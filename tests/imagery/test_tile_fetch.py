"""Tile fetching: truncated bodies are retried and never cached; shared tiles fetched once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

from crawlers.imagery.tile_fetch import (
    ImageCheckTransport,
    TileFetcher,
    TileTemplate,
    looks_truncated,
)
from rswk.core.config import Politeness
from rswk.core.errors import RSWKError
from rswk.core.http import PoliteTransport
from tests.imagery import images

FAST = Politeness(timeout_s=1.0, backoff_s=0.0, max_backoff_s=0.0, retries=3)


def test_truncation_is_seen_from_the_end_marker() -> None:
    for fmt in ("JPEG", "PNG"):
        whole = images.encode(images.textured(1, 64), fmt)
        assert not looks_truncated(whole)
        assert looks_truncated(whole[: len(whole) // 2])
    assert not looks_truncated(b"GIF89a...")  # other formats are not judged


def test_template_needs_exactly_z_x_y() -> None:
    assert TileTemplate("http://h/t/{z}/{y}/{x}").url(3, 4, 5) == "http://h/t/3/5/4"
    with pytest.raises(RSWKError, match="lacks"):
        TileTemplate("http://h/t/{z}/{x}")
    with pytest.raises(RSWKError, match=r"has \{s\}"):
        TileTemplate("http://{s}.h/t/{z}/{x}/{y}")


def serving(tile: bytes, truncate_first: int, seen: Counter[str]) -> httpx.MockTransport:
    """A tile server answering `tile`, cut in half for the first `truncate_first` requests of
    each URL (with a Content-Length that matches the cut body, as a broken proxy would)."""
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            seen[str(request.url)] += 1
            count = seen[str(request.url)]
        body = tile[: len(tile) // 2] if count <= truncate_first else tile
        return httpx.Response(200, headers={"content-type": "image/jpeg"}, content=body)

    return httpx.MockTransport(handler)


def fetcher(tile: bytes, truncate_first: int, cache: Path, seen: Counter[str]) -> TileFetcher:
    inner = ImageCheckTransport(serving(tile, truncate_first, seen))
    transport = PoliteTransport(FAST, cache_dir=cache, inner=inner)
    return TileFetcher(httpx.Client(transport=transport), TileTemplate("http://t/{z}/{x}/{y}"))


def test_truncated_tile_is_retried_and_the_whole_one_cached(tmp_path: Path) -> None:
    tile = images.encode(images.textured(2, 256), "JPEG")
    seen: Counter[str] = Counter()
    assert fetcher(tile, 2, tmp_path, seen).get(17, 1, 2) == tile
    assert seen["http://t/17/1/2"] == 3
    # A new fetcher (a rerun) reads the disk cache: no request, the whole tile.
    assert fetcher(tile, 2, tmp_path, seen).get(17, 1, 2) == tile
    assert seen["http://t/17/1/2"] == 3


def test_a_tile_wanted_by_many_threads_is_fetched_once(tmp_path: Path) -> None:
    tile = images.encode(images.textured(3, 256), "JPEG")
    seen: Counter[str] = Counter()
    shared = fetcher(tile, 0, tmp_path, seen)
    results: list[bytes | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(shared.get(15, 7, 9))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [tile] * 8
    assert sum(seen.values()) == 1
    assert shared.counts["lookups"] == 8 and shared.counts["memo_hits"] == 7


def test_missing_tile_is_none_and_other_errors_raise(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404 if "/1/" in request.url.path else 403)

    transport = PoliteTransport(FAST, cache_dir=tmp_path, inner=httpx.MockTransport(handler))
    tiles = TileFetcher(httpx.Client(transport=transport), TileTemplate("http://t/{z}/{x}/{y}"))
    assert tiles.get(3, 1, 1) is None
    from rswk.core.http import FetchFailed

    with pytest.raises(FetchFailed, match="HTTP 403"):
        tiles.get(3, 2, 2)


def test_memo_and_tile_times_stay_bounded_over_a_long_run(tmp_path: Path) -> None:
    tile = images.encode(images.textured(4, 256), "JPEG")
    seen: Counter[str] = Counter()
    inner = ImageCheckTransport(serving(tile, 0, seen))
    client = httpx.Client(transport=PoliteTransport(FAST, inner=inner))
    tiles = TileFetcher(
        client, TileTemplate("http://t/{z}/{x}/{y}"), memo_tiles=4, produced_tiles=6
    )
    # A tile wanted again and again stays memoised, with its time, however many others pass.
    for x in range(40):
        tiles.get(17, x, 0)
        assert tiles.get(17, 0, 0) == tile
        assert tiles.produced_at([(17, 0, 0)]) is not None
        assert tiles.memo_size()[0] <= 4 and tiles.memo_size()[1] <= 6
    assert tiles.memo_size() == (4, 6)
    assert seen["http://t/17/0/0"] == 1 and len(seen) == 40
    # The oldest times went with the tiles: nothing grows with the tiles fetched.
    assert tiles.produced_at([(17, 1, 0)]) is None
