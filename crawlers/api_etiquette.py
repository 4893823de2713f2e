"""Downloader middleware applying the Wikimedia API etiquette to every Scrapy request.

`MaxlagParameterMiddleware` adds `maxlag=N` to MediaWiki/Wikibase `api.php` calls.
`ApiEtiquetteMiddleware` sits between the HTTP cache and the network and:
- retries MediaWiki's maxlag refusal (a JSON error with HTTP 200, which Scrapy's retry cannot
  see) after the Retry-After it carries, and JSON bodies cut short in transfer;
- pauses a whole host when it answers 429/503 with Retry-After (or any retryable status, with
  exponential backoff), so retries and other queued requests to it wait too.
It returns retries before the cache middleware sees the bad response, so those are never cached.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response, TextResponse

logger = logging.getLogger(__name__)


def is_api_php(url: str) -> bool:
    """MediaWiki and Wikibase Action API endpoints, where `maxlag` applies."""
    return urlsplit(url).path.endswith("/api.php")


def with_maxlag(url: str, maxlag_s: int) -> str:
    """`url` with `maxlag` added to its query, unless it already has one."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "maxlag" for key, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("maxlag", str(maxlag_s))])))


def response_json(response: Response) -> Any:
    """The body parsed as JSON (ValueError when it does not parse), parsed once per response:
    a text response caches it, so this middleware and the spider's callback share one parse (a
    50-title MediaWiki answer took ~10 ms to parse on the crawl's thread, three times over)."""
    if isinstance(response, TextResponse):
        return response.json()
    return json.loads(response.body)


def maxlag_delay(response: Response) -> float | None:
    """Seconds to wait when `response` is MediaWiki's maxlag refusal, else None."""
    body = _json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") == "maxlag":
        delay = _retry_after(response)
        return 5.0 if delay is None else delay
    return None


def truncated_json(response: Response) -> bool:
    """True when the response says it is JSON but its body does not parse."""
    if not _is_json(response):
        return False
    try:
        response_json(response)
    except ValueError:
        return True
    return False


def _is_json(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return b"json" in content_type.lower()


def _json_or_none(response: Response) -> Any:
    if not _is_json(response):
        return None
    try:
        return response_json(response)
    except ValueError:
        return None


def _retry_after(response: Response) -> float | None:
    raw = response.headers.get(b"Retry-After")
    if raw is None:
        return None
    try:
        return max(float(raw.decode().strip()), 0.0)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


class MaxlagParameterMiddleware:
    """Adds `maxlag` to `api.php` requests (the reissued request goes through the scheduler)."""

    def __init__(self, maxlag_s: int) -> None:
        self.maxlag_s = maxlag_s

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MaxlagParameterMiddleware:
        return cls(crawler.settings.getint("MAXLAG_S", 5))

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if not is_api_php(request.url):
            return None
        url = with_maxlag(request.url, self.maxlag_s)
        return None if url == request.url else request.replace(url=url)


class ApiEtiquetteMiddleware:
    """Retries maxlag refusals and truncated JSON; pauses a host that asks us to slow down."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.backoff_s = settings.getfloat("BACKOFF_S", 1.0)
        self.max_backoff_s = settings.getfloat("MAX_BACKOFF_S", 60.0)
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ApiEtiquetteMiddleware:
        return cls(crawler)

    async def process_request(
        self, request: Request, spider: Spider | None = None
    ) -> Request | None:
        """Wait while the request's host is paused (cache hits never get here)."""
        host = urlsplit(request.url).netloc
        while (wait := self._paused_until.get(host, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if "cached" in response.flags:
            return response
        if response.status in self.retry_codes:
            self._pause(request, _retry_after(response))
            return response  # Scrapy's RetryMiddleware reissues it; the cache skips it
        if (delay := maxlag_delay(response)) is not None:
            self._pause(request, delay)
            return self._retry(request, response, "maxlag")
        if truncated_json(response):
            return self._retry(request, response, "truncated_json")
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        """Back off the host on timeouts and dropped connections (RetryMiddleware retries)."""
        self._pause(request, None)

    def _retry(self, request: Request, response: Response, reason: str) -> Request | Response:
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason=reason)
        if retry is not None:
            return retry
        # Out of retries: hand the bad body to the spider (which records the failure), uncached.
        request.meta["dont_cache"] = True
        return response

    def _pause(self, request: Request, delay: float | None) -> None:
        """Pause the host for `delay` seconds, or for exponential backoff when None."""
        attempt = int(request.meta.get("retry_times", 0))
        backoff = self.backoff_s * 2**attempt
        wait = min(delay if delay is not None else backoff, self.max_backoff_s)
        host = urlsplit(request.url).netloc
        until = time.monotonic() + wait
        if until > self._paused_until.get(host, 0.0):
            self._paused_until[host] = until
            logger.debug("pausing %s for %.2fs (%s)", host, wait, request.url)
