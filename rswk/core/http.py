"""The shared polite HTTP layer for clients built on httpx (Wikipedia-API, the climate API).

One transport does what every source needs: a descriptive User-Agent, `maxlag` on MediaWiki and
Wikidata API calls (its refusal is a JSON error, not an HTTP status, so it is retried here),
retries with backoff that honour Retry-After on 429/5xx, timeouts and truncated bodies, at most
`requests_per_host` requests in flight per host, and a disk cache so that a rerun with nothing
changed sends no request at all (entries expire per the run's `CachePolicy`). Every answer keeps
the `Date` it was served with (stamped on arrival when the server sent none), which is what
provenance records, so a rerun from the cache writes the same times. Scrapy crawlers get the
same behaviour from Scrapy's own middleware (HTTPCACHE, RETRY) configured from the same
`Politeness`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx

from rswk.core.cache_policy import CachePolicy
from rswk.core.config import Politeness
from rswk.core.records.base import utc_now
from rswk.core.runstore import atomic_write_bytes
from rswk.core.scale_config import DEFAULT_RETRY_STATUSES, RetryPolicy
from rswk.core.source_limits import limit_of, source_of, source_slot

logger = logging.getLogger(__name__)
RETRY_STATUSES = frozenset(DEFAULT_RETRY_STATUSES)  # per source: `SourceLimit.retry_statuses`
CACHEABLE_STATUSES = frozenset({200, 404})
UrlRewrite = Callable[[httpx.URL], httpx.URL]


class FetchFailed(Exception):
    """A request still failed after every retry; callers turn it into a rejection."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"{url}: {why}")
        self.url = url
        self.why = why


def source_relative(url: str, sources: Mapping[str, str]) -> str:
    """`url` with the longest matching configured base replaced by `<name>`.

    A base may be a template (`.../tiles/{z}/{y}/{x}`): only its part before the first `{`
    counts. The sample world gets a new port on every in-process start, so keys that name the
    source instead of host:port keep the cache valid across runs.
    """
    bases = {name: base.split("{", 1)[0].rstrip("/") for name, base in sources.items()}
    for name, base in sorted(bases.items(), key=lambda item: -len(item[1])):
        if base and (url == base or url.startswith((base + "/", base + "?"))):
            return f"<{name}>{url[len(base) :]}"
    return url


# Bodies of these types shrink several-fold under zlib (ten years of daily climate series: JSON
# numbers and dates); images and archives are compressed already and are stored as they came.
COMPRESSIBLE_TYPES = ("json", "text/", "xml", "csv")
MIN_COMPRESSED_BYTES = 1024


def _compressible(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").lower()
    return len(response.content) >= MIN_COMPRESSED_BYTES and any(
        t in kind for t in COMPRESSIBLE_TYPES
    )


class DiskCache:
    """Responses on disk, one file per request, keyed by method + source-relative URL + body.

    A file is one JSON header line (status, headers, URL, when it was stored, `body: zlib` for a
    compressed body) and then the body: text and JSON compressed (`zlib`), images raw (no hex or
    base64 round trip). A read gives back the bytes the server sent either way. An entry older
    than `policy` allows is ignored (fetched again and replaced).
    """

    def __init__(
        self,
        root: Path,
        sources: Mapping[str, str] | None = None,
        policy: CachePolicy | None = None,
    ) -> None:
        self.root = Path(root)
        self.sources = dict(sources or {})
        self.policy = policy or CachePolicy()

    def key(self, request: httpx.Request) -> str:
        params = sorted(request.url.params.multi_items())
        base = source_relative(str(request.url.copy_with(query=None)), self.sources)
        digest = hashlib.sha256(f"{request.method} {base} {params}".encode())
        digest.update(request.content)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.http"

    def get(self, request: httpx.Request) -> httpx.Response | None:
        path = self._path(self.key(request))
        try:
            header, _, body = path.read_bytes().partition(b"\n")
            entry = json.loads(header)
        except (FileNotFoundError, ValueError):
            return None  # absent, or cut short by a power loss: fetch again
        stored_at = _stored_at(entry, path)
        if not self.policy.is_fresh(stored_at):
            return None
        if entry.get("body") == "zlib":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                return None  # cut short by a power loss: fetch again
        return httpx.Response(
            entry["status"], headers=entry["headers"], content=body, request=request
        )

    def put(self, request: httpx.Request, response: httpx.Response) -> None:
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-encoding"}
        entry = {
            "url": str(request.url),
            "status": response.status_code,
            "headers": headers,
            "stored_at": utc_now().isoformat(),
        }
        body = response.content
        if _compressible(response):
            entry["body"] = "zlib"
            body = zlib.compress(body, 6)
        data = json.dumps(entry).encode() + b"\n" + body
        atomic_write_bytes(self._path(self.key(request)), data, durable=False)

    def forget(self, url: str) -> bool:
        """Drop the cached GET of `url` (a tile once its image is written); True if it was there."""
        path = self._path(self.key(httpx.Request("GET", url)))
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True


def _stored_at(entry: Mapping[str, object], path: Path) -> datetime:
    """When a cache entry was stored: its own record, else (older entries) the file's time."""
    stored = entry.get("stored_at")
    if isinstance(stored, str):
        try:
            return datetime.fromisoformat(stored)
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def stamp_date(response: httpx.Response) -> None:
    """Give a response without a `Date` header one (when it arrived), before it is cached.

    Provenance reads its time from the `Date` header; stamping it once, on arrival, means every
    later run answered from the cache writes that same time.
    """
    if "date" not in response.headers:
        response.headers["date"] = format_datetime(utc_now(), usegmt=True)


def date_header_time(value: str | bytes | None) -> datetime:
    """When a server produced a response, from its `Date` header (UTC, whole seconds).

    Provenance is stamped with it rather than the clock, so a rerun answered from the cache
    writes the same time as the run that fetched it (`PoliteTransport` stamps a missing header
    on arrival, before caching). No or a bad header: now.
    """
    if value:
        text = value.decode() if isinstance(value, bytes) else value
        try:
            return parsedate_to_datetime(text).astimezone(UTC).replace(microsecond=0)
        except (TypeError, ValueError):
            logger.debug("unparseable Date header %r", text)
    return utc_now()


def is_api_php(url: httpx.URL) -> bool:
    """MediaWiki and Wikibase Action API endpoints, where `maxlag` applies."""
    return url.path.endswith("/api.php")


def _maxlag_delay(response: httpx.Response) -> float | None:
    """Seconds to wait when the body is MediaWiki's maxlag refusal, else None."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") == "maxlag":
        return float(response.headers.get("retry-after", 5))
    return None


def _truncated_json(response: httpx.Response) -> bool:
    if "json" not in response.headers.get("content-type", ""):
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


class PoliteTransport(httpx.BaseTransport):
    """An httpx transport adding politeness, retries and a disk cache to every request."""

    def __init__(
        self,
        politeness: Politeness,
        cache_dir: Path | None = None,
        rewrite: UrlRewrite | None = None,
        inner: httpx.BaseTransport | None = None,
        sources: Mapping[str, str] | None = None,
        cache_policy: CachePolicy | None = None,
        source_name: str | None = None,
    ) -> None:
        """`sources` name base URLs (cache keys and per-source limits use the name);
        `source_name` names every other request, for a transport that talks to one service
        under several hosts (the Wikimedia APIs): without it such a request is counted by host.
        """
        self.politeness = politeness
        self.source_name = source_name
        self.cache = DiskCache(cache_dir, sources, cache_policy) if cache_dir is not None else None
        self.rewrite = rewrite
        self.inner = inner or httpx.HTTPTransport()
        self.sources = dict(sources or {})
        self.counts: Counter[str] = Counter()
        self._host_slots: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()

    def _slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            if host not in self._host_slots:
                self._host_slots[host] = threading.Semaphore(self.politeness.requests_per_host)
            return self._host_slots[host]

    def _prepare(self, request: httpx.Request) -> httpx.Request:
        url = self.rewrite(request.url) if self.rewrite else request.url
        if is_api_php(url) and "maxlag" not in url.params:
            url = url.copy_add_param("maxlag", str(self.politeness.maxlag_s))
        headers = dict(request.headers)
        headers["user-agent"] = self.politeness.full_user_agent
        return httpx.Request(
            request.method,
            url,
            headers=headers,
            content=request.content,
            extensions=request.extensions,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Keyed by the request as the client asked it (before the rewrite to a configured host),
        # so a cache filled against one sample-world port answers the next run on another.
        asked = request
        if self.cache is not None and (cached := self.cache.get(asked)) is not None:
            self.counts["cache_hits"] += 1
            return cached
        request = self._prepare(request)
        # A source with its own politeness setting (tiles, Sentinel Hub, climate) is limited per
        # attempt across every worker of the run (rswk.core.source_limits); others per host.
        source = source_of(str(asked.url), self.sources) or self.source_name or request.url.host
        if limit_of(source, self.politeness.sources) is not None:
            response = self._send_with_retries(request, source)
        else:
            with self._slot(request.url.host):
                response = self._send_with_retries(request, source)
        stamp_date(response)
        if self.cache is not None and response.status_code in CACHEABLE_STATUSES:
            self.cache.put(asked, response)
        return response

    def _send_with_retries(
        self, request: httpx.Request, source: str | None = None
    ) -> httpx.Response:
        last_problem = "no attempt made"
        policy = self.politeness.retry_for(source)
        for attempt in range(policy.retries + 1):
            if attempt:
                self.counts["retries"] += 1
            self.counts["requests"] += 1
            try:
                with source_slot(source, self.politeness.sources):
                    response = self.inner.handle_request(request)
                    response.read()
            except httpx.TimeoutException:
                last_problem = f"timed out after {self.politeness.timeout_s}s"
                if attempt < policy.retries:
                    self._sleep(policy, attempt, None)
                continue
            except httpx.TransportError as exc:
                last_problem = f"transport error: {exc}"
                if attempt < policy.retries:
                    self._sleep(policy, attempt, None)
                continue
            delay = self._retry_delay(response, policy)
            if delay is None:
                return response
            last_problem = f"HTTP {response.status_code}"
            if attempt < policy.retries:
                self._sleep(policy, attempt, delay)
        raise FetchFailed(str(request.url), f"{last_problem} after {policy.retries} retries")

    def _retry_delay(self, response: httpx.Response, policy: RetryPolicy) -> float | None:
        """How long to wait before retrying this response, or None when it is final."""
        if response.status_code in policy.statuses:
            self.counts[f"status_{response.status_code}"] += 1
            retry_after = response.headers.get("retry-after")
            return float(retry_after) if retry_after and retry_after.isdigit() else -1.0
        if (lag := _maxlag_delay(response)) is not None:
            self.counts["maxlag"] += 1
            return lag
        if _truncated_json(response):
            self.counts["truncated"] += 1
            return -1.0
        return None

    @staticmethod
    def _sleep(policy: RetryPolicy, attempt: int, delay: float | None) -> None:
        """Wait `delay` seconds when the server said so (>= 0), else the source's backoff;
        never longer than its `max_backoff_s`."""
        wait = delay if delay is not None and delay >= 0 else policy.backoff(attempt)
        time.sleep(min(wait, max(policy.max_backoff_s, 0.0)) if wait > 0 else 0)


def polite_client(
    politeness: Politeness,
    cache_dir: Path | None = None,
    rewrite: UrlRewrite | None = None,
    sources: Mapping[str, str] | None = None,
    cache_policy: CachePolicy | None = None,
) -> httpx.Client:
    """An httpx client going through `PoliteTransport` (cache keys relative to `sources`)."""
    transport = PoliteTransport(
        politeness, cache_dir=cache_dir, rewrite=rewrite, sources=sources, cache_policy=cache_policy
    )
    return httpx.Client(transport=transport, timeout=politeness.timeout_s)
