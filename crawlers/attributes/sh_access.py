"""Sentinel Hub access for the attributes stage: Statistical API answers through the one loop.

Credentials and collection binding are shared with imagery (`rswk.core.sentinelhub_access`:
environment only, never in a file or a log line); retries, the cache and remembered refusals are
the shared loop's (`rswk.core.sentinelhub_requests`). What is specific here is how to read the
Statistical API's answer as the service writes it: an answer whose `status` is `FAILED`, that
carries a top-level `error`, or whose `data` is null is a failure (retried, never cached, and in
the end `Unreachable`), never "no acquisition"; only `data: [...]` is an answer. Requests go
through the plain download client, not the Statistical one: that one re-requests every failed
month separately, whereas we keep the good months of the one answer and record the failed ones
as absent (one request per landmark per collection).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sentinelhub import SHConfig
from sentinelhub.download.models import DownloadRequest

from rswk.core.config import ProjectConfig
from rswk.core.sentinelhub_access import sh_config as shared_sh_config
from rswk.core.sentinelhub_requests import (
    REFUSAL_KEY,
    Refused,
    SentinelHubRequests,
    Unreachable,
)

__all__ = ["Answer", "Refused", "StatisticalFetcher", "Unreachable", "statistical_failure"]


def sh_config(config: ProjectConfig) -> SHConfig:
    """The sentinelhub config for attributes (profile from `attributes.sh_profile`)."""
    return shared_sh_config(config, config.attributes.sh_profile, "attributes.sh_profile")


def statistical_failure(body: bytes) -> str | None:
    """Why a Statistical API body is not a usable answer, or None when it is one."""
    try:
        answer = json.loads(body)
    except ValueError as exc:
        return f"body is not whole JSON ({exc})"
    if not isinstance(answer, dict):
        return f"answer is a JSON {type(answer).__name__}, not an object"
    if REFUSAL_KEY in answer:
        return None  # a refusal remembered in place of the answer (the loop raises it)
    if answer.get("error") is not None:
        return f"Statistical API error: {_describe(answer['error'])}"
    if str(answer.get("status", "")).upper() == "FAILED":
        return "Statistical API status FAILED"
    if answer.get("data") is None:
        return "Statistical API answer has no data (data: null)"
    if not isinstance(answer["data"], list):
        return f"Statistical API data is a {type(answer['data']).__name__}, not a list"
    return None


def _describe(error: Any) -> str:
    if isinstance(error, dict):
        kind = error.get("type") or error.get("code") or "error"
        message = error.get("message") or error.get("info")
        return f"{kind}: {message}" if message else str(kind)
    return str(error)


@dataclass(frozen=True)
class Answer:
    """A Statistical API answer and when the service produced it."""

    json: dict[str, Any]
    retrieved_at: datetime


class StatisticalFetcher:
    """Runs prepared Statistical API requests through the shared loop.

    `counts` (`requests`, `cache_hits`, `retries`) let the stage report requests per landmark.
    """

    def __init__(self, requests: SentinelHubRequests) -> None:
        self.requests = requests
        self.config = requests.config
        self.counts = requests.counts

    @classmethod
    def for_project(cls, config: ProjectConfig) -> StatisticalFetcher:
        """A fetcher for `config`'s endpoint, politeness and cache policy."""
        return cls(
            SentinelHubRequests(
                config=sh_config(config),
                politeness=config.politeness,
                check_body=statistical_failure,
                cache=config.cache.policy,
                credentials_setting="attributes.sh_profile",
            )
        )

    def fetch(self, download_list: list[DownloadRequest]) -> Answer:
        """The decoded answer and its time; raises `Refused` for a final 4xx (remembered, so a
        rerun does not ask again) and `Unreachable` when every attempt failed."""
        answer = self.requests.fetch(download_list)
        return Answer(json.loads(answer.content), answer.retrieved_at)


def cache_folder(config: ProjectConfig) -> Path:
    """Where sentinelhub saves Statistical API answers (inside the HTTP cache)."""
    return config.http_cache_dir / "sentinelhub"
