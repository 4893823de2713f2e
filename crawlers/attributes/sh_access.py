"""Sentinel Hub access for the attributes stage: credentials, collections, one cached request.

Credentials come only from the environment (`SH_CLIENT_ID`, `SH_CLIENT_SECRET`, as sentinelhub
reads them); they live in the `SHConfig` object in memory and never in `ProjectConfig`, a file or
a log line. The `sample` profile falls back to dummy credentials, which the sample world accepts.

Collections are bound to the configured endpoint with `define_from(..., service_url=...)`, since
sentinelhub's built-in ones pin their own service URL. Responses are saved by sentinelhub itself
(`data_folder`, keyed by a hash of the request), so a rerun reads them and sends nothing - not
even a token request. Requests go through the plain download client, not the Statistical one:
that one re-requests every failed month separately, whereas we keep the good months of the one
answer and record the failed ones as absent (one request per landmark per collection).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    OAuth2Error,
    UnauthorizedClientError,
)
from sentinelhub import DataCollection, SentinelHubDownloadClient, SHConfig
from sentinelhub.download.models import DownloadRequest, DownloadResponse
from sentinelhub.exceptions import DownloadFailedException

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.base import utc_now
from rswk.core.runstore import atomic_write_json

logger = logging.getLogger(__name__)

CLIENT_ID_ENV = "SH_CLIENT_ID"
CLIENT_SECRET_ENV = "SH_CLIENT_SECRET"
# Accepted by the sample world only; real endpoints need a (free) OAuth client.
SAMPLE_CREDENTIALS = ("rswk-sample-client", "rswk-sample-secret")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Key of the cache file that remembers a final refusal in place of an answer; only refusals of
# the request itself are remembered (not 401/403, which a credential fix may cure).
REFUSAL_KEY = "rswk_refused"
REMEMBERED_REFUSALS = frozenset({400, 404, 405, 410, 422})
# oauthlib and requests-oauthlib log token bodies and request data at DEBUG; keep them above it.
CHATTY_AUTH_LOGGERS = ("oauthlib", "requests_oauthlib")


def sh_config(config: ProjectConfig) -> SHConfig:
    """A sentinelhub config for `config`'s endpoints and politeness, with credentials from the
    environment (or from `attributes.sh_profile`, a profile of sentinelhub's own config file)."""
    politeness = config.politeness
    settings: dict[str, Any] = {
        "sh_base_url": config.sources.sentinelhub.rstrip("/"),
        "sh_token_url": config.sources.sentinelhub_token,
        "max_download_attempts": politeness.retries + 1,
        "download_sleep_time": politeness.backoff_s,
        "download_timeout_seconds": politeness.timeout_s,
    }
    _allow_plain_http_on_loopback(config.sources.sentinelhub, config.sources.sentinelhub_token)
    for name in CHATTY_AUTH_LOGGERS:
        chatty = logging.getLogger(name)
        chatty.setLevel(max(chatty.level, logging.INFO))
    if config.attributes.sh_profile is not None:
        # sentinelhub reads its own config.toml (outside the repo), the environment winning.
        return SHConfig(config.attributes.sh_profile, **settings)
    client_id = os.environ.get(CLIENT_ID_ENV, "").strip()
    secret = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if not (client_id and secret):
        if config.profile != "sample":
            raise RSWKError(
                f"Sentinel Hub credentials missing: set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
                f"in the environment (an OAuth client of {config.sources.sentinelhub}; Copernicus "
                "Data Space accounts are free), or attributes.sh_profile to a profile of "
                "sentinelhub's own config file; they are never written to the config or workdir"
            )
        client_id, secret = SAMPLE_CREDENTIALS
    return SHConfig(use_defaults=True, sh_client_id=client_id, sh_client_secret=secret, **settings)


def _allow_plain_http_on_loopback(*urls: str) -> None:
    """oauthlib refuses http://; the sample world on 127.0.0.1 has no TLS, live services do."""
    parts = [urlsplit(url) for url in urls]
    if all(p.scheme == "http" and p.hostname in LOOPBACK_HOSTS for p in parts):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def bound_collection(api_id: str, service_url: str) -> DataCollection:
    """The collection with Statistical API type `api_id`, bound to `service_url`.

    Sentinel-2 L2A and the Copernicus DEM derive from the built-in definitions (bands, DEM
    instance); any other type is defined by its id. A definition can exist once per process under
    one name, and tests run several sample worlds, so the name carries a hash of the URL - the
    same name the imagery stage gives Sentinel-2 L2A - and an equal definition is reused.
    """
    url = service_url.rstrip("/")
    tag = hashlib.sha256(f"{api_id} {url}".encode()).hexdigest()[:10]
    name = f"RSWK_{api_id.upper().replace('-', '_')}_{tag}"
    with _DEFINE_LOCK:
        if name in DataCollection.__members__:
            return DataCollection[name]
        base = _BUILT_IN.get(api_id)
        if base is not None:
            wanted = base.value.derive(service_url=url)
            existing = next((c for c in DataCollection if c.value == wanted), None)
            return existing or base.define_from(name, service_url=url)
        return DataCollection.define(name, api_id=api_id, service_url=url)


_DEFINE_LOCK = threading.Lock()
_BUILT_IN = {
    DataCollection.SENTINEL2_L2A.api_id: DataCollection.SENTINEL2_L2A,
    DataCollection.DEM_COPERNICUS_30.api_id: DataCollection.DEM_COPERNICUS_30,
}


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


class _CheckedClient(SentinelHubDownloadClient):
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
                last = _first_line(exc)
            except _Truncated as exc:
                last = f"{type(exc).__name__}: {_first_line(exc)}"
                if path is not None and cached:
                    # sentinelhub writes its files in place: a kill mid-write leaves half a file.
                    path.unlink(missing_ok=True)
                    cached = False
                    self._count("requests")
            except (requests.RequestException, OAuth2Error, ValueError) as exc:
                last = f"{type(exc).__name__}: {_first_line(exc)}"
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def cache_folder(config: ProjectConfig) -> Path:
    """Where sentinelhub saves Statistical API answers (inside the HTTP cache)."""
    return config.http_cache_dir / "sentinelhub"
