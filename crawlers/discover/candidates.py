"""Landmark candidates of a country, from SPARQL result rows or from Wikidata entities.

SPARQL JSON rows of the discovery query (crawlers/discover_query.py) carry `?item` (entity URI),
`?itemLabel` (with `xml:lang`), `?sitelinks`, `?coord` (a WKT literal `Point(lon lat)`, longitude
first), `?classes` (entity URIs joined by spaces) and `?articles` (`lang:title` joined by `|`;
MediaWiki titles cannot contain `|`, but can contain `:`, so only the first colon splits); and
`?country` (the country's item) with `?matching` (how many items the query matched before its
`LIMIT`), the same on every row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from crawlers.wikidata_entity import Entity

ENTITY_PREFIX = "http://www.wikidata.org/entity/"
_QID = re.compile(r"^Q[1-9][0-9]*$")
# An optional globe IRI (non-Earth coordinates carry one) and the point itself.
_WKT_POINT = re.compile(
    r"^\s*(?:<(?P<globe>[^>]*)>\s*)?Point\(\s*(?P<lon>[-+0-9.eE]+)\s+(?P<lat>[-+0-9.eE]+)\s*\)\s*$"
)
EARTH_GLOBE = "http://www.wikidata.org/entity/Q2"


@dataclass(frozen=True)
class Candidate:
    """One item that may become a landmark of the country."""

    qid: str
    label: str
    labels: dict[str, str]
    classes: tuple[str, ...]
    sitelinks: int
    titles: dict[str, str] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    pinned: bool = False
    # Where it came from: "sparql" or "wbgetentities", and the entity revision if known.
    source: str = "sparql"
    source_url: str = ""
    retrieved_at: datetime | None = None
    revision: str | None = None

    def pin(self) -> Candidate:
        return replace(self, pinned=True)


def qid_of(uri: str) -> str | None:
    """`Q243` from `http://www.wikidata.org/entity/Q243`; None for anything else."""
    qid = uri.removeprefix(ENTITY_PREFIX)
    return qid if _QID.match(qid) else None


def parse_wkt_point(text: str) -> tuple[float, float] | None:
    """(lat, lon) from `Point(lon lat)` on Earth; None when malformed, off Earth or out of range."""
    match = _WKT_POINT.match(text)
    if not match or (match.group("globe") or EARTH_GLOBE) != EARTH_GLOBE:
        return None
    lat, lon = float(match.group("lat")), float(match.group("lon"))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _titles(articles: str, languages: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for ref in articles.split("|"):
        lang, sep, title = ref.partition(":")
        if sep and title and lang in languages:
            found.setdefault(lang, title)
    return {lang: found[lang] for lang in languages if lang in found}


def _value(row: dict[str, Any], var: str) -> str:
    cell = row.get(var)
    return str(cell.get("value", "")) if isinstance(cell, dict) else ""


def candidate_from_row(
    row: dict[str, Any], languages: Sequence[str], source_url: str, retrieved_at: datetime
) -> Candidate | None:
    """A candidate from one SPARQL row, or None when the row is not an item with a QID."""
    qid = qid_of(_value(row, "item"))
    sitelinks = _value(row, "sitelinks")
    if qid is None or not sitelinks.isdigit():
        return None
    label = _value(row, "itemLabel") or qid
    label_lang = row.get("itemLabel", {}).get("xml:lang") if "itemLabel" in row else None
    point = parse_wkt_point(_value(row, "coord")) if _value(row, "coord") else None
    classes = [qid_of(uri) for uri in _value(row, "classes").split()]
    return Candidate(
        qid=qid,
        label=label,
        labels={label_lang: label} if label_lang else {},
        classes=tuple(dict.fromkeys(c for c in classes if c)),
        sitelinks=int(sitelinks),
        titles=_titles(_value(row, "articles"), languages),
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        source_url=source_url,
        retrieved_at=retrieved_at,
    )


def candidates_from_sparql(
    body: dict[str, Any], languages: Sequence[str], source_url: str, retrieved_at: datetime
) -> tuple[list[Candidate], int]:
    """The candidates of a SPARQL answer (first row per QID wins) and the count of bad rows."""
    rows = body.get("results", {}).get("bindings", [])
    found: dict[str, Candidate] = {}
    malformed = 0
    for row in rows:
        candidate = (
            candidate_from_row(row, languages, source_url, retrieved_at)
            if isinstance(row, dict)
            else None
        )
        if candidate is None:
            malformed += 1
        else:
            found.setdefault(candidate.qid, candidate)
    return list(found.values()), malformed


@dataclass(frozen=True)
class QueryCount:
    """What the query matched in all, beyond the rows it returned (`?matching`), and the
    country's item (`?country`); both None when the answer has no rows or no count."""

    rows: int
    matching: int | None = None
    country: str | None = None


def query_count(body: dict[str, Any]) -> QueryCount:
    """The count of a discovery answer, read from its first row that carries one."""
    rows = body.get("results", {}).get("bindings", [])
    for row in rows:
        matching = _value(row, "matching") if isinstance(row, dict) else ""
        if matching.isdigit():
            return QueryCount(len(rows), int(matching), qid_of(_value(row, "country")))
    return QueryCount(len(rows))


def candidate_from_entity(
    entity: Entity, languages: Sequence[str], source_url: str, retrieved_at: datetime
) -> Candidate:
    """A (pinned) candidate from its Wikidata entity."""
    lat, lon = entity.coordinate if entity.coordinate else (None, None)
    wanted = list(dict.fromkeys([*languages, "en"]))
    return Candidate(
        qid=entity.qid,
        label=entity.label_in(languages) or entity.qid,
        labels={lang: entity.labels[lang] for lang in wanted if lang in entity.labels},
        classes=entity.classes,
        sitelinks=len(entity.sitelinks),
        titles=entity.titles(languages),
        lat=lat,
        lon=lon,
        pinned=True,
        source="wbgetentities",
        source_url=source_url,
        retrieved_at=retrieved_at,
        revision=str(entity.lastrevid) if entity.lastrevid is not None else None,
    )
