"""The one Sentinel Hub request loop, shared by the imagery (Process API) and attributes
(Statistical API) stages.

Per request: the cached answer when sentinelhub's data folder holds a fresh one (the cache
policy decides), else up to `retries + 1` attempts with exponential backoff capped at
`politeness.max_backoff_s`. A body the caller's check finds unusable (an image cut short, JSON
cut short, a Statistical API answer that says it failed) is never saved and is retried; one left
in the cache by a killed run is deleted and fetched anew. A final refusal (4xx other than 429)
ends the loop at once; those the policy names (400, 404, ...) are remembered in place of the
answer, so a rerun does not ask again. Credentials the token endpoint refuses stop the run
with one line saying what to fix.

The answer's time is when the service produced it (its `Date` header, which sentinelhub saves
beside the answer), else when the answer was saved: never the clock of the run reading it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from oauthlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    OAuth2Error,
    UnauthorizedClientError,
)
from sentinelhub import SentinelHubDownloadClient, SHConfig
from sentinelhub.download.models import DownloadRequest, DownloadResponse
from sentinelhub.exceptions import DownloadFailedException

from rswk.core.cache_policy import CachePolicy
from rswk.core.config import Politeness
from rswk.core.errors import RSWKError
from rswk.core.http import FetchFailed, date_header_time
from rswk.core.runstore import atomic_write_json
from rswk.core.sentinelhub_access import CLIENT_ID_ENV, CLIENT_SECRET_ENV, first_line
from rswk.core.sh_limits import SOURCE, LimitedSentinelHubClient

logger = logging.getLogger(__name__)

# Key of the cache file that remembers a final refusal in place of an answer.
REFUSAL_KEY = "rswk_refused"
# Says why a body cannot be used (it is then retried and never cached), or None when it can.
BodyCheck = Callable[[bytes], str | None]


@dataclass(frozen=True)
class RefusalPolicy:
    """What counts as final: a 4xx other than 429 ends the loop; `remembered` ones are saved in
    place of the answer (not 401/403, which a credential fix may cure)."""

    remembered: frozenset[int] = frozenset({400, 404, 405, 410, 422})

    @staticmethod
    def is_final(status: int) -> bool:
        return 400 <= status < 500 and status != 429


class Refused(Exception):
    """The endpoint answered the request with a final 4xx (an unknown collection, say)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message}


class Unreachable(FetchFailed):
    """The request still failed after every attempt (transient: a later run may succeed)."""


@dataclass(frozen=True)
class ShAnswer:
    """An answer's bytes, when the service produced it, and whether it came from the cache."""

    content: bytes
    retrieved_at: datetime
    from_cache: bool


class _BadBody(ValueError):
    """A 200 answer whose body the caller's check refused."""


class _CheckedClient(LimitedSentinelHubClient):
    """The download client, refusing to save (or return) a body the check refuses; each network
    attempt holds a slot of the `sentinelhub` source (its per-source politeness, over every
    worker of the run)."""

    def __init__(self, check: BodyCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def _process_response(self, request: DownloadRequest, response: DownloadResponse) -> Any:
        why = self.check(response.content)
        if why is not None:
            # Raised before sentinelhub saves the response, so a bad body is never cached.
            raise _BadBody(f"{request.url}: {why}")
        return response


@dataclass
class SentinelHubRequests:
    """Runs prepared Sentinel Hub requests through the one loop; thread-safe.

    `counts`: `requests` (answers asked of the network), `cache_hits`, `retries`.
    """

    config: SHConfig
    politeness: Politeness
    check_body: BodyCheck
    cache: CachePolicy = field(default_factory=CachePolicy)
    refusals: RefusalPolicy = field(default_factory=RefusalPolicy)
    credentials_setting: str = "an sh_profile setting"
    counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _session_lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self, download_list: list[DownloadRequest]) -> ShAnswer:
        """The answer to the first request of `download_list`; raises `Refused` for a final 4xx
        and `Unreachable` when every attempt failed."""
        request = download_list[0]
        _, response_file = request.get_storage_paths()
        path = Path(response_file) if response_file is not None else None
        cached = path is not None and self.cache.file_is_fresh(path)
        self._count("cache_hits" if cached else "requests")
        if path is not None and cached:
            _raise_remembered_refusal(path)
        last = "no attempt made"
        policy = self.politeness.retry_for(SOURCE)
        attempts = policy.retries + 1
        for attempt in range(attempts):
            try:
                client = _CheckedClient(
                    self.check_body,
                    limits=self.politeness.sources,
                    config=self.config,
                    redownload=not cached,
                )
                if not cached:
                    self._ensure_session(client)
                response = client.download([request], max_threads=1, decode_data=False)[0]
            except (InvalidClientError, UnauthorizedClientError) as exc:
                raise RSWKError(
                    f"{self.config.sh_token_url} refused the Sentinel Hub credentials "
                    f"({type(exc).__name__}); check {CLIENT_ID_ENV} / {CLIENT_SECRET_ENV} "
                    f"(or {self.credentials_setting})"
                ) from None
            except DownloadFailedException as exc:
                refusal = _refusal(exc, self.refusals)
                if refusal is not None:
                    if path is not None and refusal.status in self.refusals.remembered:
                        atomic_write_json(path, {REFUSAL_KEY: refusal.as_json()})
                    raise refusal from None
                last = first_line(exc)
                status = _status(exc)
                if status is not None and status not in policy.statuses:
                    # Not a status this source's settings retry: final, but not remembered.
                    raise Unreachable(str(request.url), f"HTTP {status}: {last}") from None
            except _BadBody as exc:
                last = first_line(exc)
                if path is not None and cached:
                    # sentinelhub writes its files in place: a kill mid-write leaves half a file.
                    path.unlink(missing_ok=True)
                    cached = False
                    self._count("requests")
            except (requests.RequestException, OAuth2Error, ValueError) as exc:
                last = f"{type(exc).__name__}: {first_line(exc)}"
            else:
                when = _answer_time(response, path)
                if path is not None and not cached and path.exists():
                    # The answer file carries the service's time, so a rerun reading it (where
                    # sentinelhub kept no headers) stamps the same time.
                    os.utime(path, (when.timestamp(), when.timestamp()))
                return ShAnswer(bytes(response.content), when, cached)
            self._count("retries")
            logger.debug("Sentinel Hub attempt %d failed: %s", attempt + 1, last)
            if attempt + 1 < attempts:
                time.sleep(policy.backoff(attempt))
        raise Unreachable(str(request.url), f"after {attempts} attempts: {last}")

    def _ensure_session(self, client: SentinelHubDownloadClient) -> None:
        """Fetch the OAuth token once, before the first download: sentinelhub caches the session
        per client id and endpoint, but threads starting together would each fetch one."""
        with self._session_lock:
            client.get_session()

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1


def _answer_time(response: DownloadResponse, path: Path | None) -> datetime:
    """The service's `Date` for the answer (sentinelhub saves it beside hashed-name answers),
    else the answer file's time (set to that `Date` when it was fetched)."""
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    if headers.get("date"):
        return date_header_time(headers["date"])
    if path is not None and path.exists():
        return datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)
    return date_header_time(None)


def _raise_remembered_refusal(path: Path) -> None:
    try:
        saved = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return  # an answer, not a remembered refusal
    if isinstance(saved, dict) and isinstance(saved.get(REFUSAL_KEY), dict):
        refusal = saved[REFUSAL_KEY]
        raise Refused(int(refusal.get("status", 400)), str(refusal.get("message", "")))


def _status(exc: DownloadFailedException) -> int | None:
    response = getattr(exc.request_exception, "response", None)
    status = getattr(response, "status_code", None)
    return int(status) if status is not None else None


def _refusal(exc: DownloadFailedException, policy: RefusalPolicy) -> Refused | None:
    """A `Refused` for a final client error, else None."""
    response = getattr(exc.request_exception, "response", None)
    status = getattr(response, "status_code", None)
    if status is None or not policy.is_final(status):
        return None
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") or error.get("info") if isinstance(error, dict) else None
    return Refused(status, str(message or (response.text[:200] if response is not None else "")))
