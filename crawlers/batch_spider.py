"""The Scrapy spider that runs any `BatchJob`: it sends the job's batches and yields `ShardReady`.

Retries, politeness and the cache live in middleware (settings.py, api_etiquette.py); the spider
only turns each answer, or the failure left after every retry, into a `Fetched` for the job, then
yields the shards that nothing is waiting on any more (`ShardReady`; the caller finishes them).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.api_etiquette import response_json
from crawlers.batch_job import Batch, BatchJob, Fetched, ShardReady, ShardTracker
from rswk.core.http import date_header_time
from rswk.core.records.base import utc_now

logger = logging.getLogger(__name__)


def response_date(response: Response) -> datetime:
    """The response's Date header as UTC (second precision), or now when it has none."""
    return date_header_time(response.headers.get(b"Date"))


def parse_body(response: Response) -> tuple[Any, str | None]:
    """The JSON body, or (None, why not) for an HTTP error, a cut-short body or an API error."""
    if response.status != 200:
        return None, f"HTTP {response.status} after retries"
    try:
        body = response_json(response)  # the middleware's parse, when it made one
    except ValueError:
        return None, "response is not valid JSON (cut short?) after retries"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return None, f"API error {error.get('code')}: {error.get('info', '')}".strip()
    return body, None


class BatchSpider(scrapy.Spider):
    """Runs one `BatchJob`; its name (the job's) names its folder in the HTTP cache."""

    name = "batch"

    def __init__(self, job: BatchJob, **kwargs: Any) -> None:
        super().__init__(name=job.name, **kwargs)
        self.job = job
        self.tracker = ShardTracker()
        self.batches: dict[str, Batch] = {}

    async def start(self) -> AsyncIterator[Any]:
        self.tracker.open(self.job.shard_ids)
        for request in self._requests(self.job.initial_batches()):
            yield request
        for item in self._ready():
            yield item

    def _requests(self, batches: list[Batch]) -> list[scrapy.Request]:
        requests = []
        for batch in batches:
            if batch.key in self.batches:
                raise RuntimeError(f"job {self.job.name} issued batch {batch.key} twice")
            self.batches[batch.key] = batch
            self.tracker.add(batch)
            requests.append(
                scrapy.Request(
                    batch.url,
                    headers=dict(batch.headers),
                    callback=self.on_response,
                    errback=self.on_failure,
                    meta={"batch": batch.key, "handle_httpstatus_all": True},
                    priority=batch.priority,
                    # Two batches never share a URL by construction; a filtered one would
                    # leave its shards waiting forever.
                    dont_filter=True,
                )
            )
        return requests

    def _ready(self) -> list[ShardReady]:
        # The caller finishes each shard on its own thread (`ReactorlessCrawl`), so the crawl
        # sends the next request at once instead of waiting on the shard's decisions.
        return [ShardReady(s) for s in self.tracker.ready()]

    def _answered(self, fetched: Fetched) -> list[Any]:
        follow_ups = self._requests(self.job.on_fetched(fetched))
        self.tracker.answered(fetched.batch)
        return [*follow_ups, *self._ready()]

    def on_response(self, response: Response) -> list[Any]:
        batch = self.batches[response.meta["batch"]]
        body, error = parse_body(response)
        if error:
            logger.warning("%s: %s", batch.url, error)
        return self._answered(Fetched(batch, body, error, response_date(response)))

    def on_failure(self, failure: Failure) -> list[Any]:
        request = failure.request  # type: ignore[attr-defined]
        batch = self.batches[request.meta["batch"]]
        error = f"{failure.type.__name__ if failure.type else 'error'}: {failure.value}"
        logger.warning("%s: fetch failed after retries: %s", batch.url, error)
        return self._answered(Fetched(batch, None, f"fetch failed: {error}", utc_now()))
