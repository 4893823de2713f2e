"""Sentinel Hub access for the imagery stage: credentials, the bound collection, one cached request.

Credentials come only from the environment (`SH_CLIENT_ID`, `SH_CLIENT_SECRET`, as sentinelhub
reads them) or from a profile of sentinelhub's own config file outside the repo
(`imagery.sentinelhub.sh_profile`); they live in the `SHConfig` object in memory, never in
`ProjectConfig`, a file under the workdir or a log line. The `sample` profile falls back to dummy
credentials, which the sample world accepts.

The collection is bound to the configured endpoint with `define_from(..., service_url=...)`,
because sentinelhub's built-in collections pin their own service URL; that makes both Copernicus
Data Space and the sample world work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Any
from urllib.parse import urlsplit

from sentinelhub import DataCollection, SHConfig

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError

CLIENT_ID_ENV = "SH_CLIENT_ID"
CLIENT_SECRET_ENV = "SH_CLIENT_SECRET"
# Accepted by the sample world only; real endpoints need a (free) OAuth client.
SAMPLE_CREDENTIALS = ("rswk-sample-client", "rswk-sample-secret")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# oauthlib and requests-oauthlib log request bodies (the client secret) and tokens at DEBUG.
CHATTY_AUTH_LOGGERS = ("oauthlib", "requests_oauthlib")


def sh_config(config: ProjectConfig) -> SHConfig:
    """A sentinelhub config for `config`'s endpoints and politeness, with credentials from the
    environment (or the configured sentinelhub profile)."""
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
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.INFO))
    profile = config.imagery.sentinelhub.sh_profile
    if profile is not None:
        # sentinelhub reads its own config.toml (outside the repo), the environment winning.
        return SHConfig(profile, **settings)
    client_id = os.environ.get(CLIENT_ID_ENV, "").strip()
    secret = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if not (client_id and secret):
        if config.profile != "sample":
            raise RSWKError(
                f"Sentinel Hub credentials missing: set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
                f"in the environment (an OAuth client of {config.sources.sentinelhub}; Copernicus "
                "Data Space accounts are free), or imagery.sentinelhub.sh_profile to a profile of "
                "sentinelhub's own config file; they are never written to the config or workdir"
            )
        client_id, secret = SAMPLE_CREDENTIALS
    return SHConfig(use_defaults=True, sh_client_id=client_id, sh_client_secret=secret, **settings)


def _allow_plain_http_on_loopback(*urls: str) -> None:
    """oauthlib refuses http://; the sample world on 127.0.0.1 has no TLS, live services do."""
    parts = [urlsplit(url) for url in urls]
    if all(p.scheme == "http" and p.hostname in LOOPBACK_HOSTS for p in parts):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def sentinel2_l2a(service_url: str) -> DataCollection:
    """Sentinel-2 L2A bound to `service_url`.

    A collection definition can exist once per process under one name, and the attributes stage
    binds the same one: the name is derived from the URL the same way there (a hash, since tests
    run several sample worlds), and an existing member with this definition is reused.
    """
    url = service_url.rstrip("/")
    api_id = DataCollection.SENTINEL2_L2A.api_id
    tag = hashlib.sha256(f"{api_id} {url}".encode()).hexdigest()[:10]
    name = f"RSWK_{api_id.upper().replace('-', '_')}_{tag}"
    with _DEFINE_LOCK:
        if name in DataCollection.__members__:
            return DataCollection[name]
        wanted = DataCollection.SENTINEL2_L2A.value.derive(service_url=url)
        existing = next((c for c in DataCollection if c.value == wanted), None)
        return existing or DataCollection.SENTINEL2_L2A.define_from(name, service_url=url)


_DEFINE_LOCK = threading.Lock()
