"""The discover crawl: one SPARQL query per country, then the pinned items it did not return.

Per country: the discovery query (classes = every Wikidata class of the class table in
rswk/core/landmark_classes.py + the file's extra classes; limit = quota + reserve, x3 when the
country spreads its quota over classes, + excluded + a margin, so dropping excluded items still
leaves quota + reserve; the reserve, `curation.quota_reserve_share` of the quota, lets curation
fill the quota after later stages reject some); pinned QIDs the query missed are fetched with
`wbgetentities`, 50 per request. Excluded items become rejections (reason `excluded`), so the
preview shows what the country file removed.

Stats count every item the quota cuts (`dropped_by_quota`): the candidates the selection leaves
out (the class spread included) plus the items the query matched beyond its `LIMIT`
(`beyond_query_limit`: its `?matching` count less the rows it returned, less pinned items fetched
apart that the query also matches, which are kept). An excluded item ranked beyond the limit is
counted there too: the crawl never sees it to tell."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from crawlers.api_urls import SPARQL_HEADERS, asked_values, sparql_url, wbgetentities_url
from crawlers.batch_job import Batch, BatchJob, Fetched
from crawlers.discover.candidates import (
    Candidate,
    QueryCount,
    candidate_from_entity,
    candidates_from_sparql,
    query_count,
)
from crawlers.discover.records import to_records, to_rejection
from crawlers.discover.selection import select
from crawlers.discover_query import build_discovery_query
from crawlers.landmark_classes import LANDMARK_CLASSES
from crawlers.wikidata_entity import Entity, best_item_ids, parse_entities
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryFile
from rswk.core.records.base import Rejection, RejectReason
from rswk.core.runstore import ShardResult

# Extra rows asked for beyond quota + excluded, so a few unusable rows do not shrink a country.
QUERY_MARGIN = 5


# With the quota spread over classes, the most-linked rows alone may hold too few of a class:
# ask for this many times the quota so rarer classes have candidates to choose from.
CLASS_SPREAD_FACTOR = 3


def with_reserve(quota: int, reserve_share: float) -> int:
    """The quota plus its reserve: `reserve_share` of it, rounded up (0 when the share is 0)."""
    return quota + math.ceil(quota * reserve_share)


def query_limit(country: CountryFile, quota: int) -> int:
    """How many rows the discovery query asks for."""
    spread = country.class_minimum > 0 or country.class_max_share < 1.0
    wanted = quota * CLASS_SPREAD_FACTOR if spread else quota
    return wanted + len(country.excluded) + QUERY_MARGIN


@dataclass
class CountryWork:
    """What the crawl has learnt about one country so far."""

    country: CountryFile
    quota: int
    # What discover keeps: the quota plus the reserve curation may need (rswk.core.config).
    keep: int
    candidates: list[Candidate] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    requests: int = 0
    malformed_rows: int = 0
    failed: bool = False
    classes: frozenset[str] = frozenset()
    count: QueryCount | None = None
    # Pinned items fetched apart that the query matches too (ranked beyond its LIMIT).
    pinned_beyond_limit: int = 0

    def beyond_query_limit(self) -> int:
        """Items the query matched but did not return, other than pinned ones fetched apart."""
        if self.count is None or self.count.matching is None:
            return 0
        return max(0, self.count.matching - self.count.rows - self.pinned_beyond_limit)

    def matched_by_query(self, entity: Entity) -> bool:
        """Would the discovery query match this (pinned) entity: its country and a class?"""
        country = self.count.country if self.count is not None else None
        return (
            country is not None
            and country in best_item_ids(entity.claims, "P17")
            and bool(self.classes & set(entity.classes))
        )


class DiscoverJob(BatchJob):
    """Discovery for a set of countries under one config."""

    name = "discover"

    def __init__(
        self, config: ProjectConfig, countries: Sequence[CountryFile], limit: int | None = None
    ) -> None:
        super().__init__([c.iso2 for c in countries])
        self.config = config
        # A preview (`limit`) lists exactly what it asks for; a run keeps a reserve.
        share = 0.0 if limit else config.curation.quota_reserve_share
        self.work = {}
        for c in countries:
            quota = min(c.quota, limit) if limit else c.quota
            self.work[c.iso2] = CountryWork(c, quota, with_reserve(quota, share))

    def initial_batches(self) -> list[Batch]:
        batches = []
        for i, (iso2, work) in enumerate(self.work.items()):
            country = work.country
            classes = list(dict.fromkeys([*LANDMARK_CLASSES, *country.extra_classes]))
            work.classes = frozenset(classes)
            query = build_discovery_query(
                iso2, classes, country.languages, query_limit(country, work.keep)
            )
            url = sparql_url(self.config.sources, query)
            batches.append(Batch(f"sparql:{iso2}", url, (iso2,), SPARQL_HEADERS, priority=-i))
        return batches

    def on_fetched(self, fetched: Fetched) -> list[Batch]:
        (iso2,) = fetched.batch.shards
        work = self.work[iso2]
        work.requests += 1
        if fetched.batch.key.startswith("sparql:"):
            return self._on_sparql(work, fetched)
        self._on_pinned(work, fetched)
        return []

    def _on_sparql(self, work: CountryWork, fetched: Fetched) -> list[Batch]:
        iso2, url = work.country.iso2, fetched.batch.url
        if fetched.error is not None:
            work.failed = True
            work.rejections.append(
                _rejection(None, iso2, RejectReason.FETCH_FAILED, fetched, fetched.error)
            )
            return []
        found, work.malformed_rows = candidates_from_sparql(
            fetched.body, work.country.languages, url, fetched.retrieved_at
        )
        work.candidates.extend(found)
        work.count = query_count(fetched.body)
        have = {c.qid for c in found}
        missing = [q for q in work.country.pinned if q not in have]
        size = self.config.politeness.batch_size
        return [
            Batch(
                f"pinned:{iso2}:{n}",
                wbgetentities_url(
                    self.config.sources, missing[start : start + size], work.country.languages
                ),
                (iso2,),
                priority=1,
            )
            for n, start in enumerate(range(0, len(missing), size))
        ]

    def _on_pinned(self, work: CountryWork, fetched: Fetched) -> None:
        iso2 = work.country.iso2
        asked = asked_values(fetched.batch.url, "ids")
        if fetched.error is not None:
            for qid in asked:
                detail = f"pinned item could not be fetched: {fetched.error}"
                work.rejections.append(
                    _rejection(qid, iso2, RejectReason.FETCH_FAILED, fetched, detail)
                )
            return
        for qid, entity in parse_entities(fetched.body, asked).items():
            if entity.missing:
                detail = (
                    f"pinned in countries/{iso2}.yaml but Wikidata has no item {qid} "
                    "(check the QID)"
                )
                work.rejections.append(
                    _rejection(qid, iso2, RejectReason.MISSING_PAGE, fetched, detail)
                )
                continue
            if work.matched_by_query(entity):
                work.pinned_beyond_limit += 1
            work.candidates.append(
                candidate_from_entity(
                    entity, work.country.languages, fetched.batch.url, fetched.retrieved_at
                )
            )

    def finish(self, shard_id: str) -> ShardResult:
        work = self.work[shard_id]
        country = work.country
        chosen = select(
            work.candidates,
            quota=work.keep,
            pinned=country.pinned,
            excluded=country.excluded,
            class_minimum=country.class_minimum,
            class_max_share=country.class_max_share,
        )
        records, invalid = to_records(chosen.kept, shard_id)
        rejections = [
            *work.rejections,
            *(to_rejection(c, country) for c in chosen.excluded),
            *invalid,
        ]
        stats = {
            "quota": work.quota,
            "reserve": work.keep - work.quota,
            "candidates": len(work.candidates),
            "kept": len(chosen.kept),
            "excluded": len(chosen.excluded),
            "matching": work.count.matching if work.count is not None else None,
            "beyond_query_limit": work.beyond_query_limit(),
            "dropped_by_quota": chosen.dropped_by_quota + work.beyond_query_limit(),
            "pinned": sum(1 for c in chosen.kept if c.pinned),
            "malformed_rows": work.malformed_rows,
            "requests": work.requests,
            "fetch_failed": work.failed,
        }
        return ShardResult(
            records=records,
            rejections=sorted(rejections, key=lambda r: (r.qid or "", r.reason)),
            stats=stats,
        )


def _rejection(
    qid: str | None, iso2: str, reason: RejectReason, fetched: Fetched, detail: str
) -> Rejection:
    return Rejection(
        qid=qid,
        country=iso2,
        stage="discover",
        reason=reason,
        detail=detail,
        source_url=fetched.batch.url,
        rejected_at=fetched.retrieved_at,
    )
