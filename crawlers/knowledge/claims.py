"""Wikidata claims -> the structured facts RSWK keeps (inception, area, height, heritage, ...).

Only the best statements of a property count: preferred-rank ones if any, else normal-rank
ones; deprecated statements are never used. Parsing is pure (entity JSON in, `EntityFacts` out);
fetching lives in `wikidata_client`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

INCEPTION: Final = "P571"
AREA: Final = "P2046"
HEIGHT: Final = "P2048"
HERITAGE: Final = "P1435"
ARCHITECT: Final = "P84"
STYLE: Final = "P149"
SIGNIFICANT_EVENT: Final = "P793"
POINT_IN_TIME: Final = "P585"
START_TIME: Final = "P580"
ADDRESS: Final = "P6375"
LOCATED_IN: Final = "P131"
INSTANCE_OF: Final = "P31"

# Wikidata unit item -> (factor to the SI unit, symbol shown in text).
AREA_UNITS: Final[dict[str, tuple[float, str]]] = {
    "Q25343": (1.0, "m²"),
    "Q712226": (1e6, "km²"),
    "Q35852": (1e4, "ha"),
    "Q81292": (4046.8564224, "acres"),
    "Q232291": (2_589_988.110336, "sq mi"),
    "Q857027": (0.09290304, "sq ft"),
}
LENGTH_UNITS: Final[dict[str, tuple[float, str]]] = {
    "Q11573": (1.0, "m"),
    "Q828224": (1000.0, "km"),
    "Q174728": (0.01, "cm"),
    "Q3710": (0.3048, "ft"),
    "Q482798": (0.9144, "yd"),
}
_TIME = re.compile(r"^(?P<sign>[+-])(?P<year>\d+)-")
YEAR_PRECISION: Final = 9  # Wikidata time precision: 9 year, 8 decade, 7 century, 6 millennium


@dataclass(frozen=True)
class TimeValue:
    """A Wikidata time reduced to what RSWK uses: a year (negative = BCE) and its precision."""

    year: int
    precision: int


@dataclass(frozen=True)
class Quantity:
    """A Wikidata quantity: the amount as given, its unit item, and the SI value when known."""

    amount: float
    unit_qid: str
    si_value: float | None
    symbol: str | None


@dataclass(frozen=True)
class EventClaim:
    """A P793 significant event and the year of its P585 (or P580) qualifier."""

    qid: str
    year: int | None


@dataclass(frozen=True)
class EntityFacts:
    """The facts of one landmark entity that the knowledge record needs."""

    qid: str
    revision: int | None
    labels: dict[str, str] = field(default_factory=dict)
    inception: TimeValue | None = None
    area: Quantity | None = None
    height: Quantity | None = None
    heritage: tuple[str, ...] = ()
    architects: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    events: tuple[EventClaim, ...] = ()
    address: tuple[str, str] | None = None  # (text, language)
    located_in: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    def referenced_qids(self) -> set[str]:
        """Items whose labels the record needs (architects, styles, places, events, heritage)."""
        refs = {*self.heritage, *self.architects, *self.styles, *self.located_in}
        return refs | {event.qid for event in self.events}


def best_statements(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    """The statements of `prop` that count: preferred rank if any, else normal rank."""
    statements = [s for s in entity.get("claims", {}).get(prop, []) if isinstance(s, dict)]
    preferred = [s for s in statements if s.get("rank") == "preferred"]
    return preferred or [s for s in statements if s.get("rank", "normal") == "normal"]


def _value(snak: dict[str, Any]) -> Any:
    if snak.get("snaktype") != "value":
        return None
    return snak.get("datavalue", {}).get("value")


def parse_time(value: Any) -> TimeValue | None:
    """A Wikidata time value (`{"time": "+1889-03-31T00:00:00Z", "precision": 11}`) -> year."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    match = _TIME.match(value["time"])
    if not match:
        return None
    year = int(match["year"]) * (-1 if match["sign"] == "-" else 1)
    return TimeValue(year=year, precision=int(value.get("precision", YEAR_PRECISION)))


def parse_quantity(value: Any, units: dict[str, tuple[float, str]]) -> Quantity | None:
    """A Wikidata quantity with its unit converted to SI when the unit is one we know."""
    if not isinstance(value, dict) or "amount" not in value:
        return None
    try:
        amount = float(value["amount"])
    except (TypeError, ValueError):
        return None
    unit_qid = str(value.get("unit", "1")).rsplit("/", 1)[-1]
    factor, symbol = units.get(unit_qid, (None, None))
    si_value = amount * factor if factor is not None else None
    return Quantity(amount=amount, unit_qid=unit_qid, si_value=si_value, symbol=symbol)


def _item_ids(entity: dict[str, Any], prop: str) -> tuple[str, ...]:
    ids = []
    for statement in best_statements(entity, prop):
        value = _value(statement.get("mainsnak", {}))
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            ids.append(value["id"])
    return tuple(dict.fromkeys(ids))


def _first(entity: dict[str, Any], prop: str) -> Any:
    for statement in best_statements(entity, prop):
        value = _value(statement.get("mainsnak", {}))
        if value is not None:
            return value
    return None


def _qualifier_year(statement: dict[str, Any]) -> int | None:
    qualifiers = statement.get("qualifiers", {})
    for prop in (POINT_IN_TIME, START_TIME):
        for snak in qualifiers.get(prop, []):
            time = parse_time(_value(snak))
            if time is not None:
                return time.year
    return None


def _events(entity: dict[str, Any]) -> tuple[EventClaim, ...]:
    events = []
    for statement in best_statements(entity, SIGNIFICANT_EVENT):
        value = _value(statement.get("mainsnak", {}))
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            events.append(EventClaim(qid=value["id"], year=_qualifier_year(statement)))
    return tuple(events)


def _address(entity: dict[str, Any]) -> tuple[str, str] | None:
    value = _first(entity, ADDRESS)
    if isinstance(value, dict) and value.get("text"):
        return str(value["text"]), str(value.get("language", "und"))
    if isinstance(value, str) and value:
        return value, "und"
    return None


def labels_of(entity: dict[str, Any]) -> dict[str, str]:
    """`{language: label}` of an entity as wbgetentities sends it."""
    labels = entity.get("labels", {})
    return {
        lang: str(entry["value"])
        for lang, entry in labels.items()
        if isinstance(entry, dict) and entry.get("value")
    }


def parse_entity(qid: str, entity: dict[str, Any]) -> EntityFacts:
    """The facts RSWK keeps from one `wbgetentities` entity (claims + labels)."""
    revision = entity.get("lastrevid")
    return EntityFacts(
        qid=qid,
        revision=int(revision) if revision is not None else None,
        labels=labels_of(entity),
        inception=parse_time(_first(entity, INCEPTION)),
        area=parse_quantity(_first(entity, AREA), AREA_UNITS),
        height=parse_quantity(_first(entity, HEIGHT), LENGTH_UNITS),
        heritage=_item_ids(entity, HERITAGE),
        architects=_item_ids(entity, ARCHITECT),
        styles=_item_ids(entity, STYLE),
        events=_events(entity),
        address=_address(entity),
        located_in=_item_ids(entity, LOCATED_IN),
        classes=_item_ids(entity, INSTANCE_OF),
    )


def format_period(time: TimeValue) -> str:
    """A human reading of an inception: '1889', '1880s', '12th century', '500 BCE'."""
    era = " BCE" if time.year < 0 else ""
    year = abs(time.year)
    if time.precision >= YEAR_PRECISION:
        return f"{year}{era}"
    if time.precision == 8:
        return f"{year - year % 10}s{era}"
    if time.precision == 7:
        return f"{_ordinal((year - 1) // 100 + 1)} century{era}"
    return f"{_ordinal((year - 1) // 1000 + 1)} millennium{era}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_quantity(quantity: Quantity) -> str:
    """'7.5 ha', '324 m'; an unknown unit is named by its item id."""
    amount = f"{quantity.amount:,.6g}" if abs(quantity.amount) < 1e6 else f"{quantity.amount:,.0f}"
    unit = quantity.symbol or f"(unit {quantity.unit_qid})"
    return amount if quantity.unit_qid == "1" else f"{amount} {unit}"
