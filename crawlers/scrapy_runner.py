"""Runs a `BatchJob` as a reactorless Scrapy crawl and hands back shards as they finish.

Scrapy 2.19 can run without a Twisted reactor (`TWISTED_REACTOR_ENABLED=False`): the crawl is a
coroutine on an ordinary asyncio loop, so it can run any number of times in one process (a
reactor cannot be restarted) and inside pytest. The crawl runs on its own thread with its own
loop; each shard whose requests are all answered crosses to the caller through a queue, and the
caller's thread builds its result (`BatchJob.finish`: parsing, border checks) and writes it to the
run store while the crawl goes on sending requests; a kill loses only the shards still in flight.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from twisted.python.failure import Failure

from crawlers.batch_job import BatchJob, ShardDone, ShardReady
from crawlers.batch_spider import BatchSpider
from rswk.core.runstore import ShardResult

logger = logging.getLogger(__name__)
_END = object()

# Scrapy warns on every crawl that its asyncio (aiohttp) download handler is experimental; it is
# the only HTTP handler that runs without a reactor, so the warning says nothing actionable.
logging.getLogger("scrapy.core.downloader.handlers._base_streaming").setLevel(logging.ERROR)


# The settings naming Scrapy components by import path: dicts of them, and single classes.
COMPONENT_DICTS = (
    "ADDONS",
    "EXTENSIONS",
    "DOWNLOADER_MIDDLEWARES",
    "SPIDER_MIDDLEWARES",
    "ITEM_PIPELINES",
    "DOWNLOAD_HANDLERS",
)
COMPONENT_CLASSES = (
    "DOWNLOADER",
    "SCHEDULER",
    "SCHEDULER_PRIORITY_QUEUE",
    "SCHEDULER_MEMORY_QUEUE",
    "STATS_CLASS",
    "REQUEST_FINGERPRINTER_CLASS",
    "HTTPCACHE_STORAGE",
    "HTTPCACHE_POLICY",
    "LOG_FORMATTER",
)


def load_components(settings: dict[str, Any]) -> int:
    """Import every component a crawl with `settings` loads when it starts (middlewares,
    extensions, download handlers, scheduler...); returns how many. Scrapy imports them lazily,
    so a process forked after this starts its crawl without importing them again."""
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    resolved = Settings(settings)
    paths: list[Any] = [resolved.get(name) for name in COMPONENT_CLASSES]
    for name in COMPONENT_DICTS:
        paths += [*resolved.getwithbase(name).keys(), *resolved.getwithbase(name).values()]
    loaded = 0
    for path in paths:
        if isinstance(path, str) and "." in path:
            load_object(path)
            loaded += 1
    return loaded


class CrawlError(RuntimeError):
    """The crawl itself broke (a bug in a job, not a failed request): nothing is trusted."""


@dataclass
class _Collector:
    """Receives Scrapy signals. Scrapy keeps weak references to handlers, so this object (held
    by `ReactorlessCrawl` for the whole crawl) owns them; a lambda would vanish silently."""

    items: queue.Queue[Any] = field(default_factory=queue.Queue)
    errors: list[str] = field(default_factory=list)

    def item_scraped(self, item: Any, response: Any, spider: Any) -> None:
        self.items.put(item)

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        self.errors.append(f"{failure.getErrorMessage()} (answering {response})")
        logger.error("crawl %s: %s", spider.name, failure.getTraceback())


class ReactorlessCrawl:
    """One crawl of `job` under `settings`; iterate it to get each `ShardDone` as it finishes."""

    def __init__(self, job: BatchJob, settings: dict[str, Any]) -> None:
        self.job = job
        self.settings = settings
        self.stats: dict[str, Any] = {}
        self._collector = _Collector()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._crawler: Crawler | None = None
        self._failure: BaseException | None = None

    def __iter__(self) -> Iterator[ShardDone]:
        thread = threading.Thread(target=self._thread, name=f"crawl-{self.job.name}", daemon=True)
        thread.start()
        finished = False
        try:
            while (item := self._collector.items.get()) is not _END:
                if isinstance(item, ShardReady):
                    yield ShardDone(item.shard_id, self._finish(item.shard_id))
            finished = True
        finally:
            if not finished:
                self._stop()
            thread.join()
        self._raise_if_broken()

    def _finish(self, shard_id: str) -> ShardResult:
        try:
            return self.job.finish(shard_id)
        except Exception as exc:
            raise CrawlError(
                f"crawl {self.job.name}: building shard {shard_id} failed: {exc}"
            ) from exc

    def _thread(self) -> None:
        try:
            asyncio.run(self._crawl())
        # Anything, even KeyboardInterrupt: it is re-raised on the caller's thread.
        except BaseException as exc:  # noqa: BLE001
            self._failure = exc
        finally:
            self._collector.items.put(_END)

    async def _crawl(self) -> None:
        self._loop = asyncio.get_running_loop()
        runner = AsyncCrawlerRunner(self.settings)
        crawler = runner.create_crawler(BatchSpider)
        crawler.signals.connect(self._collector.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self._collector.spider_error, signal=signals.spider_error)
        self._crawler = crawler
        await runner.crawl(crawler, job=self.job)
        if crawler.stats is not None:
            self.stats = dict(crawler.stats.get_stats())

    def _stop(self) -> None:
        """Ask a running crawl to stop (the caller stopped iterating: error or Ctrl-C)."""
        loop, crawler = self._loop, self._crawler
        if loop is not None and crawler is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(crawler.stop_async(), loop)
        while self._collector.items.get() is not _END:
            pass

    def _raise_if_broken(self) -> None:
        if self._failure is not None:
            raise CrawlError(f"crawl {self.job.name} failed: {self._failure}") from self._failure
        if self._collector.errors:
            raise CrawlError(
                f"crawl {self.job.name} hit {len(self._collector.errors)} error(s) in its "
                f"callbacks, first: {self._collector.errors[0]} (see the log)"
            )


def run_job(job: BatchJob, settings: dict[str, Any]) -> Iterator[ShardDone]:
    """Each shard of `job` as soon as it is complete (see `ReactorlessCrawl`)."""
    yield from ReactorlessCrawl(job, settings)
