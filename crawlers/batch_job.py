"""A crawl as a set of batched API requests serving per-country shards.

One request (a "batch") can serve several shards: the locate stage asks for 50 titles at a time
whatever their country, so requests per landmark stay tiny. A `BatchJob` says which requests to
send, digests each answer (possibly asking for follow-up requests) and builds a shard's result
once nothing it waits on is outstanding. `ShardTracker` does that bookkeeping; `BatchSpider`
(batch_spider.py) is the Scrapy side. Jobs hold no Scrapy code, so they test without a network.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rswk.core.runstore import ShardResult


@dataclass(frozen=True)
class Batch:
    """One API request and the shards waiting for its answer."""

    key: str
    url: str
    shards: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = ()
    # Higher first: requests serving early shards go first, so shards finish one by one.
    priority: int = 0


@dataclass(frozen=True)
class Fetched:
    """A batch's outcome: the parsed JSON body, or why there is none after every retry."""

    batch: Batch
    body: Any
    error: str | None
    # From the response's Date header, so a rerun from the cache stamps the same time.
    retrieved_at: datetime


@dataclass(frozen=True)
class ShardReady:
    """The item the spider yields when nothing a shard waits on is outstanding any more."""

    shard_id: str


@dataclass(frozen=True)
class ShardDone:
    """A complete shard's result, as a crawl hands it to its caller."""

    shard_id: str
    result: ShardResult


class BatchJob(ABC):
    """What to fetch for a set of shards and how to turn the answers into shard results."""

    name: str

    def __init__(self, shard_ids: Sequence[str]) -> None:
        self.shard_ids = list(shard_ids)

    @abstractmethod
    def initial_batches(self) -> list[Batch]:
        """The requests to send first (shards with no request at all finish at once)."""

    @abstractmethod
    def on_fetched(self, fetched: Fetched) -> list[Batch]:
        """Digest one answer; return follow-up requests (they keep their shards open)."""

    @abstractmethod
    def finish(self, shard_id: str) -> ShardResult:
        """The shard's records, rejections and stats, once all its requests are answered.

        It runs on the caller's thread while the crawl goes on answering other shards' requests
        (so a slow finish, e.g. border checks, never holds a request back): it may only read
        what the answers of this shard's own batches stored, never iterate state that
        `on_fetched` is still adding to.
        """


@dataclass
class ShardTracker:
    """Which shards are still waiting on which batches."""

    pending: dict[str, set[str]] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)

    def open(self, shard_ids: Iterable[str]) -> None:
        for shard_id in shard_ids:
            self.pending.setdefault(shard_id, set())

    def add(self, batch: Batch) -> None:
        for shard_id in batch.shards:
            if shard_id in self.finished:
                raise RuntimeError(f"batch {batch.key} added to finished shard {shard_id}")
            self.pending.setdefault(shard_id, set()).add(batch.key)

    def answered(self, batch: Batch) -> None:
        for shard_id in batch.shards:
            self.pending.get(shard_id, set()).discard(batch.key)

    def ready(self) -> list[str]:
        """Shards with nothing outstanding, not yet reported (in the order they were opened)."""
        done = [s for s, keys in self.pending.items() if not keys and s not in self.finished]
        self.finished.update(done)
        return done

    def unfinished(self) -> list[str]:
        return sorted(set(self.pending) - self.finished)
