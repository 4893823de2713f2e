"""Wikidata statements as typed records, so a shard holds them as columns rather than raw JSON.

Wikibase writes a statement as a main snak (property + a datavalue whose shape depends on its
type), a rank and qualifier snaks. RSWK keeps one flat `ClaimSnak` per snak: the value lands in
the field of its type (`qid` for items, `time` + `precision` for dates, `amount` + `unit` for
quantities, `lat` + `lon` for coordinates, `string` (+ `language`) for strings and monolingual
text), every other field null. References are dropped; qualifiers keep their snaks.
`claims_to_wikidata` writes the wbgetentities shape back for readers that parse that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from rswk.core.records.base import Frozen

ENTITY_PREFIX = "http://www.wikidata.org/entity/"
Rank = Literal["preferred", "normal", "deprecated"]
SnakType = Literal["value", "somevalue", "novalue"]


class ClaimSnak(Frozen):
    """One snak (a statement's main value or a qualifier): property, datatype and typed value."""

    property: str
    snaktype: SnakType = "value"
    datatype: str | None = None
    # Wikibase's datavalue type: string, wikibase-entityid, time, quantity, globecoordinate,
    # monolingualtext; the value is in the matching fields below.
    value_type: str | None = None
    string: str | None = None
    language: str | None = None
    qid: str | None = None
    time: str | None = None
    precision: int | None = None
    calendar: str | None = None
    amount: float | None = None
    unit: str | None = None  # unit item id (Q11573), or "1" for a plain number
    lat: float | None = None
    lon: float | None = None


class EntityClaim(Frozen):
    """One statement: its main snak, rank, and qualifier snaks."""

    property: str
    rank: Rank = "normal"
    value: ClaimSnak
    qualifiers: list[ClaimSnak] = Field(default_factory=list)


def snak_from_wikidata(snak: Mapping[str, Any]) -> ClaimSnak:
    """A `ClaimSnak` from a Wikibase snak; an unknown value type keeps only its type name."""
    prop = str(snak.get("property", ""))
    snaktype = snak.get("snaktype", "value")
    datatype = snak.get("datatype")
    base: dict[str, Any] = {
        "property": prop,
        "snaktype": snaktype if snaktype in ("value", "somevalue", "novalue") else "somevalue",
        "datatype": str(datatype) if datatype is not None else None,
    }
    datavalue = snak.get("datavalue")
    if snaktype != "value" or not isinstance(datavalue, Mapping):
        return ClaimSnak(**base)
    kind, value = datavalue.get("type"), datavalue.get("value")
    base["value_type"] = str(kind) if kind is not None else None
    return ClaimSnak(**base, **_typed_value(kind, value))


def _typed_value(kind: Any, value: Any) -> dict[str, Any]:
    if kind == "string" and isinstance(value, str):
        return {"string": value}
    if not isinstance(value, Mapping):
        return {}
    if kind == "wikibase-entityid":
        entity_id = value.get("id") or (
            f"Q{value['numeric-id']}" if value.get("numeric-id") is not None else None
        )
        return {"qid": str(entity_id) if entity_id else None}
    if kind == "time":
        precision = value.get("precision")
        return {
            "time": _str_or_none(value.get("time")),
            "precision": int(precision) if precision is not None else None,
            "calendar": _entity_id(value.get("calendarmodel")),
        }
    if kind == "quantity":
        return {
            "amount": _float_or_none(value.get("amount")),
            "unit": _entity_id(value.get("unit")),
        }
    if kind == "globecoordinate":
        return {
            "lat": _float_or_none(value.get("latitude")),
            "lon": _float_or_none(value.get("longitude")),
        }
    if kind == "monolingualtext":
        return {"string": _str_or_none(value.get("text")), "language": value.get("language")}
    return {}


def claims_from_wikidata(claims: Mapping[str, Iterable[Any]]) -> list[EntityClaim]:
    """Typed statements from wbgetentities' `claims` (property -> statements), in its order."""
    typed = []
    for prop, statements in claims.items():
        for statement in statements:
            if not isinstance(statement, Mapping):
                continue
            mainsnak = {"property": prop, **(statement.get("mainsnak") or {})}
            qualifiers = [
                snak_from_wikidata({"property": qprop, **snak})
                for qprop, snaks in (statement.get("qualifiers") or {}).items()
                for snak in snaks
                if isinstance(snak, Mapping)
            ]
            rank = statement.get("rank", "normal")
            typed.append(
                EntityClaim(
                    property=prop,
                    rank=rank if rank in ("preferred", "normal", "deprecated") else "normal",
                    value=snak_from_wikidata(mainsnak),
                    qualifiers=qualifiers,
                )
            )
    return typed


def snak_to_wikidata(snak: ClaimSnak) -> dict[str, Any]:
    """The Wikibase JSON of a snak (the fields RSWK keeps)."""
    out: dict[str, Any] = {"snaktype": snak.snaktype, "property": snak.property}
    if snak.datatype is not None:
        out["datatype"] = snak.datatype
    value = _datavalue(snak)
    if snak.snaktype == "value" and value is not None:
        out["datavalue"] = {"type": snak.value_type, "value": value}
    return out


def _datavalue(snak: ClaimSnak) -> Any:
    kind = snak.value_type
    if kind == "string":
        return snak.string
    if kind == "wikibase-entityid" and snak.qid is not None:
        numeric = snak.qid[1:]
        entity: dict[str, Any] = {"entity-type": "item", "id": snak.qid}
        if numeric.isdigit():
            entity["numeric-id"] = int(numeric)
        return entity
    if kind == "time":
        time: dict[str, Any] = {"time": snak.time, "precision": snak.precision}
        if snak.calendar is not None:
            time["calendarmodel"] = ENTITY_PREFIX + snak.calendar
        return time
    if kind == "quantity":
        unit = snak.unit or "1"
        amount = None if snak.amount is None else f"{snak.amount:+}"
        return {"amount": amount, "unit": unit if unit == "1" else ENTITY_PREFIX + unit}
    if kind == "globecoordinate":
        return {"latitude": snak.lat, "longitude": snak.lon, "globe": ENTITY_PREFIX + "Q2"}
    if kind == "monolingualtext":
        return {"text": snak.string, "language": snak.language}
    return None


def claims_to_wikidata(claims: Iterable[EntityClaim]) -> dict[str, list[dict[str, Any]]]:
    """wbgetentities' `claims` shape (property -> statements) from typed statements."""
    out: dict[str, list[dict[str, Any]]] = {}
    for claim in claims:
        qualifiers: dict[str, list[dict[str, Any]]] = {}
        for snak in claim.qualifiers:
            qualifiers.setdefault(snak.property, []).append(snak_to_wikidata(snak))
        statement: dict[str, Any] = {
            "mainsnak": snak_to_wikidata(claim.value),
            "type": "statement",
            "rank": claim.rank,
        }
        if qualifiers:
            statement["qualifiers"] = qualifiers
        out.setdefault(claim.property, []).append(statement)
    return out


def _entity_id(url: Any) -> str | None:
    """`Q11573` from `http://www.wikidata.org/entity/Q11573`; "1" stays "1"."""
    if url is None:
        return None
    return str(url).rsplit("/", 1)[-1]


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
