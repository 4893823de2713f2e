"""Reading `wbgetentities` answers: labels, sitelinks, revision, and the best P625 / P31 values.

Statements are chosen as Wikibase ranks them: preferred statements if there are any, else normal
ones; deprecated statements never count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

EARTH = "http://www.wikidata.org/entity/Q2"


@dataclass(frozen=True)
class Entity:
    """What the crawlers need of one Wikidata item."""

    qid: str
    missing: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    sitelinks: dict[str, str] = field(default_factory=dict)  # "frwiki" -> title
    lastrevid: int | None = None
    coordinate: tuple[float, float] | None = None  # best P625 (lat, lon) on Earth
    classes: tuple[str, ...] = ()  # best P31 values
    claims: dict[str, Any] = field(default_factory=dict)  # as wbgetentities sent them

    def label_in(self, languages: Sequence[str]) -> str | None:
        """The label in the first of `languages` that has one, then English."""
        for lang in [*languages, "en"]:
            if lang in self.labels:
                return self.labels[lang]
        return None

    def titles(self, languages: Sequence[str]) -> dict[str, str]:
        """Wikipedia titles of the item for `languages`, in that order."""
        return {
            lang: self.sitelinks[f"{lang}wiki"]
            for lang in languages
            if f"{lang}wiki" in self.sitelinks
        }


def best_statements(claims: dict[str, Any], pid: str) -> list[dict[str, Any]]:
    """Statements of `pid` at the best rank present (preferred, else normal)."""
    statements = [s for s in claims.get(pid, []) if isinstance(s, dict)]
    preferred = [s for s in statements if s.get("rank") == "preferred"]
    return preferred or [s for s in statements if s.get("rank", "normal") == "normal"]


def _value(statement: dict[str, Any]) -> Any:
    snak = statement.get("mainsnak", {})
    if snak.get("snaktype") != "value":
        return None
    return snak.get("datavalue", {}).get("value")


def best_coordinate(claims: dict[str, Any]) -> tuple[float, float] | None:
    """The first best-ranked P625 on Earth as (lat, lon), or None."""
    for statement in best_statements(claims, "P625"):
        value = _value(statement)
        if not isinstance(value, dict) or value.get("globe", EARTH) != EARTH:
            continue
        lat, lon = value.get("latitude"), value.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return float(lat), float(lon)
    return None


def best_classes(claims: dict[str, Any]) -> tuple[str, ...]:
    """The best-ranked P31 (instance of) item ids, in statement order."""
    return best_item_ids(claims, "P31")


def best_item_ids(claims: dict[str, Any], pid: str) -> tuple[str, ...]:
    """The best-ranked item ids of `pid` (what SPARQL's `wdt:` sees), in statement order."""
    found = []
    for statement in best_statements(claims, pid):
        value = _value(statement)
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            found.append(value["id"])
    return tuple(dict.fromkeys(found))


def parse_entity(qid: str, raw: dict[str, Any]) -> Entity:
    """One entity of a `wbgetentities` answer."""
    if "missing" in raw:
        return Entity(qid=qid, missing=True)
    claims = raw.get("claims") or {}
    return Entity(
        qid=str(raw.get("id", qid)),
        labels={k: v["value"] for k, v in (raw.get("labels") or {}).items() if "value" in v},
        sitelinks={k: v["title"] for k, v in (raw.get("sitelinks") or {}).items() if "title" in v},
        lastrevid=raw.get("lastrevid"),
        coordinate=best_coordinate(claims),
        classes=best_classes(claims),
        claims=claims,
    )


def parse_entities(body: dict[str, Any], asked: Sequence[str]) -> dict[str, Entity]:
    """The entities of an answer keyed by the id that was asked for.

    A merged item comes back under its new id with `redirects: {from, to}`; it is filed under
    the id we asked for too, so the caller finds it.
    """
    entities = body.get("entities") or {}
    parsed: dict[str, Entity] = {}
    for key, raw in entities.items():
        if not isinstance(raw, dict):
            continue
        entity = parse_entity(str(raw.get("id", key)), raw)
        parsed[key] = entity
        redirect = raw.get("redirects")
        if isinstance(redirect, dict) and isinstance(redirect.get("from"), str):
            parsed[redirect["from"]] = entity
    return {qid: parsed.get(qid, Entity(qid=qid, missing=True)) for qid in asked}
