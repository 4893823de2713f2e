"""Batched `wbgetentities` calls (50 ids per request) through the polite, cached transport.

Each landmark entity is parsed into `EntityFacts` as soon as its batch arrives, so only small
records stay in memory; referenced items (architects, events, places, people) come in further
batched passes with their labels and claims (`ItemFacts`: P31 says who is a person, P131 leads
up the administrative chain), and linked article titles are resolved to items with
`sites`/`titles` (one edition per request, as the API wants).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from crawlers.knowledge.claims import EntityFacts, ItemFacts, labels_of, parse_entity, parse_item
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
    items: dict[str, ItemFacts] = field(default_factory=dict)
    # (edition, title) -> item, for titles resolved with `sites`/`titles`.
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
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

    def items(self, qids: Iterable[str], languages: Sequence[str]) -> EntityBatch:
        """Labels, classes and P131 of referenced items (people, places, events)."""
        result = EntityBatch()
        for batch in self._batches(qids):
            self._fetch_into(result, batch, "labels|claims", languages, parse=False, items=True)
        return result

    def titled(self, language: str, titles: Iterable[str], languages: Sequence[str]) -> EntityBatch:
        """The items of `language`-edition article titles (`sites`/`titles`), as `items`."""
        result = EntityBatch()
        ordered = sorted(set(titles))
        for start in range(0, len(ordered), self.batch_size):
            batch = ordered[start : start + self.batch_size]
            params = {
                "action": "wbgetentities",
                "sites": f"{language}wiki",
                "titles": "|".join(batch),
                "props": "labels|claims|sitelinks",
                "sitefilter": f"{language}wiki",
                "languages": "|".join(sorted(set(languages))),
                "format": "json",
            }
            result.requests += 1
            try:
                entities, when = self._get(params)
            except FetchFailed as exc:
                logger.warning("wbgetentities failed for %d titles: %s", len(batch), exc.why)
                result.failed.update({t: f"wbgetentities: {exc.why}" for t in batch})
                continue
            for entity in entities.values():
                if not isinstance(entity, dict) or "missing" in entity or "id" not in entity:
                    continue
                link = entity.get("sitelinks", {}).get(f"{language}wiki", {})
                title = link.get("title") if isinstance(link, dict) else None
                qid = str(entity["id"])
                result.items[qid] = parse_item(qid, entity)
                result.retrieved_at[qid] = when
                if title:
                    result.titles[(language, str(title))] = qid
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
        items: bool = False,
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
            if items:
                result.items[qid] = parse_item(qid, entity)

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
