"""The Scrapy HTTP cache storage: whole entries, written beside the crawl, all on disk at close."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.cache_storage import AtomicFilesystemCacheStorage


def _spider_and_storage(cache_dir: Path) -> tuple[Spider, AtomicFilesystemCacheStorage]:
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(cache_dir)})
    spider = Spider.from_crawler(crawler, name="wikimedia")
    return spider, AtomicFilesystemCacheStorage(crawler.settings)


def _answer(url: str, n: int) -> TextResponse:
    body = f'{{"query": {{"n": {n}}}}}'.encode()
    return TextResponse(url, body=body, headers={"Content-Type": "application/json"})


def test_entries_read_back_at_once_and_are_whole_on_disk_after_close(tmp_path: Path) -> None:
    spider, storage = _spider_and_storage(tmp_path)
    storage.open_spider(spider)
    requests = [Request(f"http://example.org/w/api.php?titles=T{n}") for n in range(40)]
    for n, request in enumerate(requests):
        storage.store_response(spider, request, _answer(request.url, n))
    # Read straight after the store, while the writer may still be at it: the read waits.
    again = storage.retrieve_response(spider, requests[-1])
    assert again is not None and again.body == b'{"query": {"n": 39}}'
    storage.close_spider(spider)

    entries = [p for p in (tmp_path / "wikimedia").glob("*/*") if p.is_dir()]
    assert len(entries) == 40
    assert not list(tmp_path.rglob("*.tmp")), "a temp folder was left behind"
    spider, fresh = _spider_and_storage(tmp_path)
    fresh.open_spider(spider)
    bodies = [fresh.retrieve_response(spider, r) for r in requests]
    fresh.close_spider(spider)
    assert [b.body if b else None for b in bodies] == [_answer("x", n).body for n in range(40)]


def test_an_entry_that_cannot_be_written_is_reported_and_read_as_a_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "wikimedia").write_text("a file where the spider's cache folder goes")
    spider, storage = _spider_and_storage(tmp_path)
    storage.open_spider(spider)
    request = Request("http://example.org/w/api.php?titles=Paris")
    storage.store_response(spider, request, _answer(request.url, 1))
    assert storage.retrieve_response(spider, request) is None
    with caplog.at_level(logging.WARNING, logger="crawlers.cache_storage"):
        storage.close_spider(spider)
    assert "1 entry could not be written" in caplog.text
    assert "a rerun sends those requests again" in caplog.text
