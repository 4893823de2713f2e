"""Batched `wbgetentities` calls (50 ids per request) through the polite, cached transport.

Each landmark entity is parsed into `EntityFacts` as soon as its batch arrives, so only small
records stay in memory; labels of referenced items (architects, events, places) come in a second
batched pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from crawlers.knowledge.claims import EntityFacts, labels_of, parse_entity
from rswk.core.config import ProjectConfig
from rswk.core.http import FetchFailed, date_header_time

logger = logging.getLogger(__name__)


def response_time(response: httpx.Response) -> datetime:
    """When the server produced `response` (its Date header), so cached reruns stamp the same."""
    return date_header_time(response.headers.get("date"))


@dataclass
class EntityBatch:
    """What a run of batched calls returned, keyed by requested QID."""

    facts: dict[str, EntityFacts] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    retrieved_at: dict[str, datetime] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # qid -> why
    requests: int = 0


class WikidataClient:
    """wbgetentities in batches of `politeness.batch_size`, ids sorted for stable cache keys."""

    def __init__(self, config: ProjectConfig, transport: httpx.BaseTransport) -> None:
        self.api = config.sources.wikidata
        self.batch_size = config.politeness.batch_size
        self.client = httpx.Client(transport=transport, timeout=config.politeness.timeout_s)

    def entities(self, qids: Iterable[str], languages: Sequence[str]) -> EntityBatch:
        """Claims and labels of the landmark entities `qids`."""
        result = EntityBatch()
        for batch in self._batches(qids):
            self._fetch_into(result, batch, "info|claims|labels", languages, parse=True)
        return result

    def labels(self, qids: Iterable[str], languages: Sequence[str]) -> EntityBatch:
        """Labels only, for items a record refers to."""
        result = EntityBatch()
        for batch in self._batches(qids):
            self._fetch_into(result, batch, "labels", languages, parse=False)
        return result

    def _batches(self, qids: Iterable[str]) -> list[list[str]]:
        ordered = sorted(set(qids), key=lambda q: int(q[1:]))
        return [ordered[i : i + self.batch_size] for i in range(0, len(ordered), self.batch_size)]

    def _fetch_into(
        self,
        result: EntityBatch,
        batch: list[str],
        props: str,
        languages: Sequence[str],
        *,
        parse: bool,
    ) -> None:
        params = {
            "action": "wbgetentities",
            "ids": "|".join(batch),
            "props": props,
            "languages": "|".join(sorted(set(languages))),
            "format": "json",
        }
        result.requests += 1
        try:
            entities, when = self._get(params)
        except FetchFailed as exc:
            logger.warning("wbgetentities failed for %d ids: %s", len(batch), exc.why)
            result.failed.update(dict.fromkeys(batch, f"wbgetentities: {exc.why}"))
            return
        for qid in batch:
            entity = entities.get(qid)
            if entity is None or "missing" in entity:
                result.missing.add(qid)
                continue
            result.retrieved_at[qid] = when
            result.labels[qid] = labels_of(entity)
            if parse:
                result.facts[qid] = parse_entity(qid, entity)

    def _get(self, params: dict[str, str]) -> tuple[dict[str, Any], datetime]:
        """The `entities` of one call, keyed by requested id (redirected ones included)."""
        response = self.client.get(self.api, params=params)
        if response.status_code != 200:
            raise FetchFailed(str(response.url), f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise FetchFailed(str(response.url), "response is not JSON") from None
        if "error" in body:
            error = body["error"]
            raise FetchFailed(str(response.url), f"API error {error.get('code')}: {error}")
        entities: dict[str, Any] = {}
        for key, entity in body.get("entities", {}).items():
            entities[key] = entity
            redirect = entity.get("redirects", {}) if isinstance(entity, dict) else {}
            if redirect.get("from"):
                entities[redirect["from"]] = entity
        return entities, response_time(response)
