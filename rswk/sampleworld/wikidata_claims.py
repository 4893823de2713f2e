"""Wikibase JSON for a landmark's claims: snaks, statements, qualifiers, in Wikidata's shapes."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

from rswk.sampleworld.country_qids import country_qid
from rswk.sampleworld.world import SignificantEvent, WorldLandmark

ENTITY = "http://www.wikidata.org/entity/"
GREGORIAN = f"{ENTITY}Q1985727"
EARTH = f"{ENTITY}Q2"
SQUARE_METRE = f"{ENTITY}Q25343"
METRE = f"{ENTITY}Q11573"
YEAR_PRECISION = 9
_CLAIM_NAMESPACE = uuid.UUID("5a3f0c2e-6c1b-4a8e-9a57-5b1f2d6c7e90")


def item_value(qid: str) -> dict[str, Any]:
    """A wikibase-entityid datavalue."""
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


CIRCA = "Q5727902"


def time_value(year: int, precision: int = YEAR_PRECISION) -> dict[str, Any]:
    """A time datavalue: '+1887-00-00T00:00:00Z' (BCE years are negative) at `precision`."""
    sign = "-" if year < 0 else "+"
    return {
        "value": {
            "time": f"{sign}{abs(year):04d}-00-00T00:00:00Z",
            "timezone": 0,
            "before": 0,
            "after": 0,
            "precision": precision,
            "calendarmodel": GREGORIAN,
        },
        "type": "time",
    }


def quantity_value(amount: float, unit: str) -> dict[str, Any]:
    """A quantity datavalue; the amount is a signed decimal string as Wikibase writes it."""
    text = format(Decimal(repr(float(amount))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "" if text.startswith("-") else "+"
    return {"value": {"amount": f"{sign}{text}", "unit": unit}, "type": "quantity"}


def coordinate_value(lat: float, lon: float) -> dict[str, Any]:
    """A globecoordinate datavalue on Earth."""
    return {
        "value": {
            "latitude": lat,
            "longitude": lon,
            "altitude": None,
            "precision": 0.0001,
            "globe": EARTH,
        },
        "type": "globecoordinate",
    }


def string_value(text: str) -> dict[str, Any]:
    """A string datavalue (external ids such as P297)."""
    return {"value": text, "type": "string"}


def monolingual_value(text: str, language: str) -> dict[str, Any]:
    """A monolingualtext datavalue."""
    return {"value": {"text": text, "language": language}, "type": "monolingualtext"}


_DATATYPES = {
    "wikibase-entityid": "wikibase-item",
    "time": "time",
    "quantity": "quantity",
    "globecoordinate": "globe-coordinate",
    "monolingualtext": "monolingualtext",
}


def snak(prop: str, datavalue: dict[str, Any], datatype: str | None = None) -> dict[str, Any]:
    """A value snak with a stable content hash."""
    digest = hashlib.sha1(json.dumps([prop, datavalue], sort_keys=True).encode()).hexdigest()
    return {
        "snaktype": "value",
        "property": prop,
        "hash": digest,
        "datavalue": datavalue,
        "datatype": datatype or _DATATYPES[datavalue["type"]],
    }


def statement(
    subject: str,
    prop: str,
    datavalue: dict[str, Any],
    position: int,
    qualifiers: dict[str, list[dict[str, Any]]] | None = None,
    datatype: str | None = None,
) -> dict[str, Any]:
    """A normal-rank statement with a deterministic GUID `Q…$uuid`."""
    guid = uuid.uuid5(_CLAIM_NAMESPACE, f"{subject}|{prop}|{position}")
    claim: dict[str, Any] = {"mainsnak": snak(prop, datavalue, datatype), "type": "statement"}
    if qualifiers:
        claim["qualifiers"] = qualifiers
        claim["qualifiers-order"] = list(qualifiers)
    return claim | {"id": f"{subject}${str(guid).upper()}", "rank": "normal"}


def _shuffled(qid: str, values: list[str]) -> list[str]:
    """`values` in an order fixed by `qid` but unrelated to how the world lists them: the
    statement order of P31 carries no meaning, and no reader may rely on it."""
    return sorted(values, key=lambda v: hashlib.sha1(f"{qid}|{v}".encode()).hexdigest())


def landmark_claims(landmark: WorldLandmark) -> dict[str, list[dict[str, Any]]]:
    """Every claim the sample world serves for a landmark, keyed by property id."""
    qid = landmark.qid
    values: dict[str, list[dict[str, Any]]] = {
        "P31": [item_value(c) for c in _shuffled(qid, landmark.classes)],
        "P17": [item_value(country_qid(landmark.country))],
        "P84": [item_value(e.qid) for e in landmark.architects],
        "P149": [item_value(e.qid) for e in landmark.styles],
        "P1435": [item_value(e.qid) for e in landmark.heritage],
    }
    if landmark.lat is not None and landmark.lon is not None:
        values["P625"] = [coordinate_value(landmark.lat, landmark.lon)]
    for prop, year in (
        ("P580", landmark.start_year),
        ("P582", landmark.end_year),
        ("P1619", landmark.opening_year),
        ("P576", landmark.dissolved_year),
    ):
        if year is not None:
            values[prop] = [time_value(year)]
    values["P366"] = [item_value(e.qid) for e in landmark.uses]
    values["P466"] = [item_value(e.qid) for e in landmark.occupants]
    if landmark.area_m2 is not None:
        values["P2046"] = [quantity_value(landmark.area_m2, SQUARE_METRE)]
    if landmark.height_m is not None:
        values["P2048"] = [quantity_value(landmark.height_m, METRE)]
    if landmark.located_in is not None:
        values["P131"] = [item_value(landmark.located_in.qid)]
    if landmark.address:
        values["P6375"] = [monolingual_value(landmark.address, _address_language(landmark))]
    claims = {
        prop: [statement(qid, prop, v, i) for i, v in enumerate(vals)]
        for prop, vals in values.items()
        if vals
    }
    if landmark.inception is not None:
        value = time_value(landmark.inception, landmark.inception_precision)
        circa = {"P1480": [snak("P1480", item_value(CIRCA))]} if landmark.inception_circa else None
        claims["P571"] = [statement(qid, "P571", value, 0, circa)]
    if landmark.events:
        claims["P793"] = [
            statement(qid, "P793", item_value(event.qid), i, _event_qualifiers(event))
            for i, event in enumerate(landmark.events)
        ]
    return claims


def _event_qualifiers(event: SignificantEvent) -> dict[str, list[dict[str, Any]]] | None:
    qualifiers: dict[str, list[dict[str, Any]]] = {}
    if event.year is not None:
        qualifiers["P585"] = [snak("P585", time_value(event.year))]
    if event.participants:
        qualifiers["P710"] = [snak("P710", item_value(p.qid)) for p in event.participants]
    return qualifiers or None


def _address_language(landmark: WorldLandmark) -> str:
    """Addresses are written in the local language: the first non-English article's, else en."""
    return next((lang for lang in landmark.articles if lang != "en"), "en")
