"""Sentinel Hub access for the attributes stage: one cached Statistical API request at a time.

Credentials and collection binding are shared with imagery (`rswk.core.sentinelhub_access`:
environment only, never in a file or a log line). Responses are saved by sentinelhub itself
(`data_folder`, keyed by a hash of the request), so a rerun reads them and sends nothing - not
even a token request. Requests go through the plain download client, not the Statistical one:
that one re-requests every failed month separately, whereas we keep the good months of the one
answer and record the failed ones as absent (one request per landmark per collection).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
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

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.base import utc_now
from rswk.core.runstore import atomic_write_json
from rswk.core.sentinelhub_access import CLIENT_ID_ENV, CLIENT_SECRET_ENV, first_line
from rswk.core.sentinelhub_access import sh_config as shared_sh_config
from rswk.core.sh_limits import LimitedSentinelHubClient

logger = logging.getLogger(__name__)

# Key of the cache file that remembers a final refusal in place of an answer; only refusals of
# the request itself are remembered (not 401/403, which a credential fix may cure).
REFUSAL_KEY = "rswk_refused"
REMEMBERED_REFUSALS = frozenset({400, 404, 405, 410, 422})


def sh_config(config: ProjectConfig) -> SHConfig:
    """The sentinelhub config for attributes (profile from `attributes.sh_profile`)."""
    return shared_sh_config(config, config.attributes.sh_profile, "attributes.sh_profile")


class Refused(Exception):
    """The endpoint answered the request with a final 4xx (an unknown collection, say)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message}


@dataclass(frozen=True)
class Answer:
    """A Statistical API answer and when it was fetched (the saved file's time, so a rerun
    from the cache stamps the same time as the run that fetched it)."""

    json: dict[str, Any]
    retrieved_at: datetime


def _saved_at(path: Path | None) -> datetime:
    if path is None or not path.exists():
        return utc_now()
    return datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)


def _raise_remembered_refusal(path: Path) -> None:
    try:
        saved = json.loads(path.read_text())
    except ValueError:
        return
    if isinstance(saved, dict) and isinstance(saved.get(REFUSAL_KEY), dict):
        refusal = saved[REFUSAL_KEY]
        raise Refused(int(refusal.get("status", 400)), str(refusal.get("message", "")))


class Unreachable(Exception):
    """The request still failed after every retry."""


class _CheckedClient(LimitedSentinelHubClient):
    """The download client, refusing to cache an answer that is not whole JSON."""

    def _process_response(self, request: DownloadRequest, response: DownloadResponse) -> Any:
        try:
            json.loads(response.content)
        except ValueError as exc:
            # Raised before sentinelhub saves the response, so a cut-short body is never cached.
            raise _Truncated(f"{request.url}: body is not whole JSON ({exc})") from exc
        return response


class _Truncated(ValueError):
    """A 200 answer whose JSON body was cut short."""


class StatisticalFetcher:
    """Runs prepared Statistical API requests: cache first, then retries on transient faults.

    Counts what it did (`requests`: answers fetched from the network, `cache_hits`: answers read
    from the data folder) so the stage can report requests per landmark.
    """

    def __init__(self, config: SHConfig, attempts: int, backoff_s: float) -> None:
        self.config = config
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._session_lock = threading.Lock()

    @classmethod
    def for_project(cls, config: ProjectConfig) -> StatisticalFetcher:
        """A fetcher for `config`'s endpoint, with its politeness' retries and backoff."""
        politeness = config.politeness
        return cls(sh_config(config), politeness.retries + 1, politeness.backoff_s)

    def fetch(self, download_list: list[DownloadRequest]) -> Answer:
        """The decoded JSON answer and when it was fetched; raises `Refused` for a final 4xx
        (remembered in the cache like an answer, so a rerun does not ask again) and
        `Unreachable` when every attempt failed."""
        _, response_file = download_list[0].get_storage_paths()
        path = Path(response_file) if response_file is not None else None
        cached = path is not None and path.exists()
        self._count("cache_hits" if cached else "requests")
        if path is not None and cached:
            _raise_remembered_refusal(path)
        last = "no attempt made"
        for attempt in range(self.attempts):
            try:
                client = _CheckedClient(config=self.config)
                if not cached:
                    self._ensure_session(client)
                answer = client.download(download_list, max_threads=1)[0]
            except (InvalidClientError, UnauthorizedClientError) as exc:
                raise RSWKError(
                    f"{self.config.sh_token_url} refused the Sentinel Hub credentials "
                    f"({type(exc).__name__}); check {CLIENT_ID_ENV} / {CLIENT_SECRET_ENV} "
                    "(or attributes.sh_profile)"
                ) from None
            except DownloadFailedException as exc:
                refusal = _refusal(exc)
                if refusal is not None:
                    if path is not None and refusal.status in REMEMBERED_REFUSALS:
                        atomic_write_json(path, {REFUSAL_KEY: refusal.as_json()})
                    raise refusal from None
                last = first_line(exc)
            except _Truncated as exc:
                last = f"{type(exc).__name__}: {first_line(exc)}"
                if path is not None and cached:
                    # sentinelhub writes its files in place: a kill mid-write leaves half a file.
                    path.unlink(missing_ok=True)
                    cached = False
                    self._count("requests")
            except (requests.RequestException, OAuth2Error, ValueError) as exc:
                last = f"{type(exc).__name__}: {first_line(exc)}"
            else:
                if isinstance(answer, dict):
                    return Answer(answer, _saved_at(path))
                last = f"unexpected answer of type {type(answer).__name__}"
            self._count("retries")
            logger.debug("statistical request attempt %d failed: %s", attempt + 1, last)
            time.sleep(min(self.backoff_s * 2**attempt, 5.0))
        raise Unreachable(f"after {self.attempts} attempts: {last}")

    def _ensure_session(self, client: SentinelHubDownloadClient) -> None:
        """Fetch the OAuth token once, before the first download: sentinelhub caches the session
        per client id and endpoint, but threads starting together would each fetch one."""
        with self._session_lock:
            client.get_session()

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1


def _refusal(exc: DownloadFailedException) -> Refused | None:
    """A `Refused` for a final client error (4xx other than 429), else None."""
    cause = exc.request_exception
    response = getattr(cause, "response", None)
    status = getattr(response, "status_code", None)
    if status is None or not 400 <= status < 500 or status == 429:
        return None
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") or error.get("info") if isinstance(error, dict) else None
    return Refused(status, str(message or (response.text[:200] if response is not None else "")))


def cache_folder(config: ProjectConfig) -> Path:
    """Where sentinelhub saves Statistical API answers (inside the HTTP cache)."""
    return config.http_cache_dir / "sentinelhub"
