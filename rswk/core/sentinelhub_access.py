"""Sentinel Hub access shared by the imagery and attributes stages: credentials and collections.

Credentials come only from the environment (`SH_CLIENT_ID`, `SH_CLIENT_SECRET`, as sentinelhub
reads them) or from a profile of sentinelhub's own config file outside the repo; they live in the
`SHConfig` object in memory, never in `ProjectConfig`, a file under the workdir or a log line. The
`sample` profile falls back to dummy credentials, which the sample world accepts.

Plain http:// for the OAuth token exchange is allowed only where the config says so
(`sources.allow_insecure_http`, which the sample profile sets for its loopback server).

Collections are bound to the configured endpoint with `define_from(..., service_url=...)`,
because sentinelhub's built-in ones pin their own service URL; that makes both Copernicus Data
Space and the sample world work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Any
from urllib.parse import urlsplit

from sentinelhub import DataCollection, SHConfig
from sentinelhub.data_collections import DataCollectionDefinition

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError

CLIENT_ID_ENV = "SH_CLIENT_ID"
CLIENT_SECRET_ENV = "SH_CLIENT_SECRET"
# Accepted by the sample world only; real endpoints need a (free) OAuth client.
SAMPLE_CREDENTIALS = ("rswk-sample-client", "rswk-sample-secret")
# oauthlib and requests-oauthlib log request bodies (the client secret) and tokens at DEBUG.
CHATTY_AUTH_LOGGERS = ("oauthlib", "requests_oauthlib")


def sh_config(config: ProjectConfig, sh_profile: str | None, profile_setting: str) -> SHConfig:
    """A sentinelhub config for `config`'s endpoints and politeness.

    Credentials come from the environment, or from `sh_profile` (a profile of sentinelhub's own
    config file; `profile_setting` names the config key that set it, for the error message).
    """
    politeness = config.politeness
    settings: dict[str, Any] = {
        "sh_base_url": config.sources.sentinelhub.rstrip("/"),
        "sh_token_url": config.sources.sentinelhub_token,
        # One attempt per call: `rswk.core.sentinelhub_requests` is the one retry loop (capped
        # backoff, truncated bodies, remembered refusals); sentinelhub's own would multiply it.
        "max_download_attempts": 1,
        "download_sleep_time": politeness.backoff_s,
        "download_timeout_seconds": politeness.timeout_s,
        # 429s are waited out by sentinelhub's rate limiter, at most this many times.
        "max_retries": politeness.retries + 1,
    }
    if config.sources.allow_insecure_http:
        _allow_plain_http(config.sources.sentinelhub, config.sources.sentinelhub_token)
    for name in CHATTY_AUTH_LOGGERS:
        chatty = logging.getLogger(name)
        chatty.setLevel(max(chatty.level, logging.INFO))
    if sh_profile is not None:
        # sentinelhub reads its own config.toml (outside the repo), the environment winning.
        return SHConfig(sh_profile, **settings)
    client_id = os.environ.get(CLIENT_ID_ENV, "").strip()
    secret = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if not (client_id and secret):
        if config.profile != "sample":
            raise RSWKError(
                f"Sentinel Hub credentials missing: set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
                f"in the environment (an OAuth client of {config.sources.sentinelhub}; Copernicus "
                f"Data Space accounts are free), or {profile_setting} to a profile of "
                "sentinelhub's own config file; they are never written to the config or workdir"
            )
        client_id, secret = SAMPLE_CREDENTIALS
    return SHConfig(use_defaults=True, sh_client_id=client_id, sh_client_secret=secret, **settings)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (sentinelhub's run to many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _allow_plain_http(*urls: str) -> None:
    """oauthlib refuses http:// token exchanges unless told otherwise (process-wide)."""
    if any(urlsplit(url).scheme == "http" for url in urls):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def bound_collection(api_id: str, service_url: str) -> DataCollection:
    """The collection with API type `api_id`, bound to `service_url`.

    Sentinel-2 L2A and the Copernicus DEM derive from the built-in definitions (bands, DEM
    instance); any other type is defined by its id. A definition can exist once per process under
    one name, and tests run several sample worlds, so the name carries a hash of the URL and an
    equal definition, under whatever name, is reused.
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
        # A definition is unique per process: reuse an equal one defined under another name (by
        # the caller's own code, or for a sample world that got the same port before).
        same = DataCollection._value2member_map_.get(
            DataCollectionDefinition(api_id=api_id, service_url=url)
        )
        if isinstance(same, DataCollection):
            return same
        return DataCollection.define(name, api_id=api_id, service_url=url)


_DEFINE_LOCK = threading.Lock()
_BUILT_IN = {
    DataCollection.SENTINEL2_L2A.api_id: DataCollection.SENTINEL2_L2A,
    DataCollection.DEM_COPERNICUS_30.api_id: DataCollection.DEM_COPERNICUS_30,
}
