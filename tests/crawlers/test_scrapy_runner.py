"""The reactorless Scrapy runner: shards as they finish, bugs surfaced, early stop, reruns."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from crawlers.batch_job import Batch, BatchJob, Fetched
from crawlers.scrapy_runner import CrawlError, ReactorlessCrawl
from crawlers.settings import scrapy_settings
from rswk.core.config import load_config
from rswk.core.runstore import ShardResult
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as world:
        yield world


class StatsJob(BatchJob):
    """Asks the sample world's /_stats once per shard, plus one follow-up for shard 'BB'."""

    name = "stats"

    def __init__(
        self, url: str, shards: list[str], broken: bool = False, broken_finish: bool = False
    ) -> None:
        super().__init__(shards)
        self.url, self.broken, self.broken_finish = url, broken, broken_finish
        self.answers: dict[str, list[str]] = {s: [] for s in shards}
        self.finished_on: set[str] = set()

    def initial_batches(self) -> list[Batch]:
        return [Batch(f"first:{s}", f"{self.url}?s={s}", (s,)) for s in self.shard_ids]

    def on_fetched(self, fetched: Fetched) -> list[Batch]:
        if self.broken:
            raise ValueError("a bug in the job")
        (shard,) = fetched.batch.shards
        self.answers[shard].append(fetched.batch.key)
        if fetched.batch.key == "first:BB":
            return [Batch("again:BB", f"{self.url}?s=BB&again=1", ("BB",), priority=1)]
        return []

    def finish(self, shard_id: str) -> ShardResult:
        self.finished_on.add(threading.current_thread().name)
        if self.broken_finish:
            raise KeyError("a bug in finish")
        return ShardResult([], [], {"answers": list(self.answers[shard_id])})


def _settings(tmp_path: Path) -> dict[str, object]:
    return scrapy_settings(load_config("sample", workdir=tmp_path))


def test_each_shard_once_with_its_follow_ups_and_again(server: SampleWorld, tmp_path: Path) -> None:
    url = server.urls()["stats"]
    for _ in range(2):  # a second crawl in the same process (no reactor to restart)
        done = {d.shard_id: d.result.stats for d in ReactorlessCrawl(
            StatsJob(url, ["AA", "BB", "CC"]), _settings(tmp_path)
        )}  # fmt: skip
        assert done == {
            "AA": {"answers": ["first:AA"]},
            "BB": {"answers": ["first:BB", "again:BB"]},
            "CC": {"answers": ["first:CC"]},
        }


def test_a_bug_in_a_job_fails_the_crawl(server: SampleWorld, tmp_path: Path) -> None:
    job = StatsJob(server.urls()["stats"], ["AA"], broken=True)
    with pytest.raises(CrawlError, match="a bug in the job"):
        list(ReactorlessCrawl(job, _settings(tmp_path)))


def test_stopping_early_stops_the_crawl(server: SampleWorld, tmp_path: Path) -> None:
    shards = [f"A{chr(65 + i)}" for i in range(20)]
    job = StatsJob(server.urls()["stats"], shards)
    crawl = ReactorlessCrawl(job, _settings(tmp_path)).__iter__()
    assert isinstance(crawl, Generator)
    first = next(crawl)
    crawl.close()  # GeneratorExit: the crawl is stopped and its thread joined
    assert first.shard_id in shards


def test_shards_are_finished_on_the_callers_thread_not_the_crawls(
    server: SampleWorld, tmp_path: Path
) -> None:
    """The crawl thread only sends and digests requests: a slow finish (border checks) must not
    hold back the next request of a serial host."""
    job = StatsJob(server.urls()["stats"], ["AA", "BB", "CC"])
    assert len(list(ReactorlessCrawl(job, _settings(tmp_path)))) == 3
    assert job.finished_on == {threading.current_thread().name}


def test_a_bug_in_finish_fails_the_crawl_naming_the_shard(
    server: SampleWorld, tmp_path: Path
) -> None:
    job = StatsJob(server.urls()["stats"], ["AA", "BB"], broken_finish=True)
    with pytest.raises(CrawlError, match=r"building shard (AA|BB) failed: .*a bug in finish"):
        list(ReactorlessCrawl(job, _settings(tmp_path)))


def test_a_scrapy_stage_imports_its_crawl_s_components_before_the_fork() -> None:
    """Each forked crawl imported Scrapy's middlewares and handlers again (~0.7 s a stage)."""
    code = (
        "import sys\n"
        "from crawlers.scrapy_runner import load_components\n"
        "from crawlers.settings import scrapy_settings\n"
        "from rswk.core.config import load_config\n"
        "wanted = ['scrapy.extensions.memusage', 'crawlers.cache_storage',\n"
        "          'scrapy.downloadermiddlewares.httpcache', 'scrapy.spidermiddlewares.depth']\n"
        "before = [m in sys.modules for m in wanted]\n"
        "loaded = load_components(scrapy_settings(load_config('sample')))\n"
        "print(before, [m in sys.modules for m in wanted], loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("[False, False, False, False] [True, True, True, True]")
    assert int(out.stdout.split()[-1]) > 20
