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
END_TIME: Final = "P582"
OFFICIAL_OPENING: Final = "P1619"
DISSOLVED: Final = "P576"
HAS_USE: Final = "P366"
OCCUPANT: Final = "P466"
PARTICIPANT: Final = "P710"
SOURCING_CIRCUMSTANCES: Final = "P1480"
CIRCA: Final = "Q5727902"
ADDRESS: Final = "P6375"
LOCATED_IN: Final = "P131"
INSTANCE_OF: Final = "P31"
COUNTRY: Final = "P17"
HUMAN: Final = "Q5"

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
    circa: bool = False


@dataclass(frozen=True)
class Quantity:
    """A Wikidata quantity: the amount as given, its unit item, and the SI value when known."""

    amount: float
    unit_qid: str
    si_value: float | None
    symbol: str | None


@dataclass(frozen=True)
class EventClaim:
    """A P793 significant event, the year of its P585 (or P580) qualifier, its P710 participants."""

    qid: str
    year: int | None
    participants: tuple[str, ...] = ()


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
    countries: tuple[str, ...] = ()
    start: TimeValue | None = None
    end: TimeValue | None = None
    opening: TimeValue | None = None
    dissolved: TimeValue | None = None
    uses: tuple[str, ...] = ()
    occupants: tuple[str, ...] = ()

    def referenced_qids(self) -> set[str]:
        """Items whose labels the record needs (architects, styles, places, events, people...)."""
        refs = {*self.heritage, *self.architects, *self.styles, *self.located_in}
        refs |= {*self.uses, *self.occupants}
        for event in self.events:
            refs |= {event.qid, *event.participants}
        return refs


@dataclass(frozen=True)
class ItemFacts:
    """A referenced item: its labels, classes (P31) and where it lies (P131), for chains."""

    qid: str
    labels: dict[str, str] = field(default_factory=dict)
    classes: tuple[str, ...] = ()
    located_in: tuple[str, ...] = ()

    @property
    def is_human(self) -> bool:
        """True for people (P31 = Q5)."""
        return HUMAN in self.classes


def best_statements(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    """The statements of `prop` that count: preferred rank if any, else normal rank."""
    statements = [s for s in entity.get("claims", {}).get(prop, []) if isinstance(s, dict)]
    preferred = [s for s in statements if s.get("rank") == "preferred"]
    return preferred or [s for s in statements if s.get("rank", "normal") == "normal"]


def _value(snak: dict[str, Any]) -> Any:
    if snak.get("snaktype") != "value":
        return None
    return snak.get("datavalue", {}).get("value")


def parse_time(value: Any, circa: bool = False) -> TimeValue | None:
    """A Wikidata time value (`{"time": "+1889-03-31T00:00:00Z", "precision": 11}`) -> year."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    match = _TIME.match(value["time"])
    if not match or int(match["year"]) == 0:
        return None
    year = int(match["year"]) * (-1 if match["sign"] == "-" else 1)
    precision = int(value.get("precision", YEAR_PRECISION))
    return TimeValue(year=year, precision=precision, circa=circa)


def _is_circa(statement: dict[str, Any]) -> bool:
    """A statement qualified 'sourcing circumstances: circa' (how Wikidata writes 'c. 2560 BC')."""
    for qualifier in statement.get("qualifiers", {}).get(SOURCING_CIRCUMSTANCES, []):
        value = _value(qualifier)
        if isinstance(value, dict) and value.get("id") == CIRCA:
            return True
    return False


def _time(entity: dict[str, Any], prop: str) -> TimeValue | None:
    """The first best statement of a time property, with its precision and circa flag."""
    for statement in best_statements(entity, prop):
        time = parse_time(_value(statement.get("mainsnak", {})), _is_circa(statement))
        if time is not None:
            return time
    return None


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


def _qualifier_items(statement: dict[str, Any], prop: str) -> tuple[str, ...]:
    ids = []
    for snak in statement.get("qualifiers", {}).get(prop, []):
        value = _value(snak)
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            ids.append(value["id"])
    return tuple(dict.fromkeys(ids))


def _events(entity: dict[str, Any]) -> tuple[EventClaim, ...]:
    events = []
    for statement in best_statements(entity, SIGNIFICANT_EVENT):
        value = _value(statement.get("mainsnak", {}))
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            events.append(
                EventClaim(
                    qid=value["id"],
                    year=_qualifier_year(statement),
                    participants=_qualifier_items(statement, PARTICIPANT),
                )
            )
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
        inception=_time(entity, INCEPTION),
        area=parse_quantity(_first(entity, AREA), AREA_UNITS),
        height=parse_quantity(_first(entity, HEIGHT), LENGTH_UNITS),
        heritage=_item_ids(entity, HERITAGE),
        architects=_item_ids(entity, ARCHITECT),
        styles=_item_ids(entity, STYLE),
        events=_events(entity),
        address=_address(entity),
        located_in=_item_ids(entity, LOCATED_IN),
        classes=_item_ids(entity, INSTANCE_OF),
        countries=_item_ids(entity, COUNTRY),
        start=_time(entity, START_TIME),
        end=_time(entity, END_TIME),
        opening=_time(entity, OFFICIAL_OPENING),
        dissolved=_time(entity, DISSOLVED),
        uses=_item_ids(entity, HAS_USE),
        occupants=_item_ids(entity, OCCUPANT),
    )


def parse_item(qid: str, entity: dict[str, Any]) -> ItemFacts:
    """Labels, classes and P131 of a referenced item (a place, a person, an event)."""
    return ItemFacts(
        qid=qid,
        labels=labels_of(entity),
        classes=_item_ids(entity, INSTANCE_OF),
        located_in=_item_ids(entity, LOCATED_IN),
    )


def format_quantity(quantity: Quantity) -> str:
    """'7.5 ha', '324 m'; an unknown unit is named by its item id."""
    amount = f"{quantity.amount:,.6g}" if abs(quantity.amount) < 1e6 else f"{quantity.amount:,.0f}"
    unit = quantity.symbol or f"(unit {quantity.unit_qid})"
    return amount if quantity.unit_qid == "1" else f"{amount} {unit}"
