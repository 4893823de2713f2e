"""One landmark's locate result: its articles, its coordinate and the country check, or why not.

Articles: each title from discovery resolves to an article or a problem; an article whose page
says it is about another Wikidata item is not this landmark's. A landmark left with no usable
article is rejected with the problem of its most preferred edition. Coordinates: Wikidata P625
(best rank) first, else the first article's primary coordinate; both present, their distance is
recorded and flagged over 1 km. Then the coordinate must pass the country rules
(rswk.core.country_rules: territories, coast and sea tolerance, sign errors, disputed places).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from crawlers.locate.geo import CountryCheck, haversine_m
from crawlers.locate.pages import Outcome, PageFound, PageProblem
from crawlers.wikidata_entity import Entity
from rswk.core.records import DiscoveredLandmark, LocatedLandmark, Provenance, RejectReason
from rswk.core.records.claims import claims_from_wikidata
from rswk.core.records.location import ENTITY_PROPERTIES, ArticleRef

DISAGREEMENT_M = 1000.0
WIKIDATA_LICENCE, WIKIDATA_ATTRIBUTION = "CC0-1.0", "Wikidata"
WIKIPEDIA_LICENCE = "CC-BY-SA-4.0"


@dataclass(frozen=True)
class Source:
    """A fetched answer's URL (per item or per title) and its time."""

    url: str
    retrieved_at: datetime


@dataclass(frozen=True)
class ArticleAnswer:
    """What one requested title turned into, in one edition."""

    language: str
    requested: str
    outcome: Outcome
    source: Source


@dataclass(frozen=True)
class Problem:
    """A landmark locate cannot complete."""

    reason: RejectReason
    detail: str
    source_url: str | None


def usable_articles(
    qid: str, answers: Sequence[ArticleAnswer]
) -> tuple[list[ArticleAnswer], Problem | None]:
    """The answers that are this landmark's articles, and the problem if there is none."""
    usable, first_problem = [], None
    for answer in answers:
        outcome = answer.outcome
        if isinstance(outcome, PageFound) and outcome.wikibase_item not in (None, qid):
            outcome = PageProblem(
                RejectReason.NO_ARTICLE,
                f"{answer.language}:{outcome.title} is about {outcome.wikibase_item}, not {qid}",
            )
        if isinstance(outcome, PageFound):
            usable.append(answer)
        elif first_problem is None:
            first_problem = Problem(outcome.reason, outcome.detail, answer.source.url)
    if usable:
        return usable, None
    return [], first_problem or Problem(
        RejectReason.NO_ARTICLE, "no Wikipedia article in the country's editions", None
    )


def fetch_problem(answers: Sequence[ArticleAnswer]) -> Problem | None:
    """A failed fetch of any of the landmark's titles (kept whole rather than half-known)."""
    for answer in answers:
        if isinstance(answer.outcome, PageProblem) and (
            answer.outcome.reason is RejectReason.FETCH_FAILED
        ):
            return Problem(RejectReason.FETCH_FAILED, answer.outcome.detail, answer.source.url)
    return None


def article_ref(answer: ArticleAnswer) -> ArticleRef:
    found = answer.outcome
    assert isinstance(found, PageFound)
    return ArticleRef(
        language=answer.language,
        title=found.title,
        pageid=found.pageid,
        revid=found.revid,
        requested_title=answer.requested,
        lat=found.lat,
        lon=found.lon,
        length=found.length,
    )


def article_provenance(answer: ArticleAnswer) -> Provenance:
    found = answer.outcome
    assert isinstance(found, PageFound)
    return Provenance(
        source_url=answer.source.url,
        revision=str(found.revid),
        retrieved_at=answer.source.retrieved_at,
        licence=WIKIPEDIA_LICENCE,
        attribution=f"Wikipedia ({answer.language}) contributors",
        detail=f"{answer.language}:{found.title}",
    )


@dataclass(frozen=True)
class Coordinate:
    lat: float
    lon: float
    source: Literal["wikidata:P625", "wikipedia:coordinates"]
    disagree_m: float | None


def choose_coordinate(entity: Entity, articles: Sequence[ArticleAnswer]) -> Coordinate | None:
    """P625 first, else the first article's primary coordinate; the distance when both exist."""
    article_point = next(
        (
            (a.outcome.lat, a.outcome.lon)
            for a in articles
            if isinstance(a.outcome, PageFound)
            and a.outcome.lat is not None
            and a.outcome.lon is not None
        ),
        None,
    )
    if entity.coordinate is not None:
        lat, lon = entity.coordinate
        disagree = haversine_m(lat, lon, *article_point) if article_point else None
        return Coordinate(lat, lon, "wikidata:P625", disagree)
    if article_point is not None:
        return Coordinate(*article_point, "wikipedia:coordinates", None)
    return None


def located(
    landmark: DiscoveredLandmark,
    entity: Entity,
    entity_source: Source,
    articles: Sequence[ArticleAnswer],
    coordinate: Coordinate,
    check: CountryCheck,
    label_languages: Sequence[str],
) -> LocatedLandmark:
    """The record for a landmark that passed every check."""
    return LocatedLandmark(
        qid=landmark.qid,
        country=landmark.country,
        label=entity.label_in(label_languages) or landmark.label,
        lat=coordinate.lat,
        lon=coordinate.lon,
        coordinate_source=coordinate.source,
        sources_disagree_m=coordinate.disagree_m,
        disagreement_over_1km=(coordinate.disagree_m or 0.0) > DISAGREEMENT_M,
        distance_to_country_m=check.distance_m,
        country_flags=list(check.flags),
        articles=[article_ref(a) for a in articles],
        entity_revision=entity.lastrevid or 0,
        entity_claims=claims_from_wikidata(
            {p: entity.claims[p] for p in ENTITY_PROPERTIES if p in entity.claims}
        ),
        entity_labels=dict(entity.labels),
        provenance=Provenance(
            source_url=entity_source.url,
            revision=str(entity.lastrevid) if entity.lastrevid is not None else None,
            retrieved_at=entity_source.retrieved_at,
            licence=WIKIDATA_LICENCE,
            attribution=WIKIDATA_ATTRIBUTION,
            detail="P625" if coordinate.source == "wikidata:P625" else "sitelinks",
        ),
        article_provenance=[article_provenance(a) for a in articles],
    )
