"""The construction period of a landmark, from its Wikidata time claims and their precisions.

Start: P580 (start time), else P571 (inception). End: P582 (end time), else P1619 (official
opening), when later than the start. P576 (dissolved, abolished or demolished) is added as
"demolished …" since it ends the landmark, not its construction. Each value is read at its own
precision: "1887–1889", "1880s", "12th–14th century", "3rd millennium BCE", and a statement
qualified "circa" (P1480 = Q5727902) reads "c. 2560 BCE".

`construction_start_year` / `construction_end_year` bound the period as signed years (negative =
BCE): a century-precision start is the century's first year, a century-precision end its last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from crawlers.knowledge.claims import (
    DISSOLVED,
    END_TIME,
    INCEPTION,
    OFFICIAL_OPENING,
    START_TIME,
    YEAR_PRECISION,
    EntityFacts,
    TimeValue,
)

DECADE: Final = 8
CENTURY: Final = 7
MILLENNIUM: Final = 6
_SPAN: Final = {DECADE: 10, CENTURY: 100, MILLENNIUM: 1000}


@dataclass(frozen=True)
class Period:
    """A formatted period, its signed bounds, and the properties it was built from."""

    text: str
    start_year: int | None
    end_year: int | None
    properties: tuple[str, ...]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unit(time: TimeValue) -> tuple[str, str]:
    """(number part, unit word) of a time at its precision: ('1880s', ''), ('12th', 'century')."""
    year = abs(time.year)
    if time.precision >= YEAR_PRECISION:
        return str(year), ""
    if time.precision == DECADE:
        return f"{year - year % 10}s", ""
    if time.precision == CENTURY:
        return _ordinal((year - 1) // 100 + 1), "century"
    return _ordinal((year - 1) // 1000 + 1), "millennium"


def _era(time: TimeValue) -> str:
    return " BCE" if time.year < 0 else ""


def format_time(time: TimeValue) -> str:
    """One time at its precision: '1889', '1880s', '12th century', 'c. 2560 BCE'."""
    number, unit = _unit(time)
    text = f"{number} {unit}".rstrip() + _era(time)
    return f"c. {text}" if time.circa else text


def format_range(start: TimeValue, end: TimeValue) -> str:
    """'1887–1889', '12th–14th century', '2589–2560 BCE', '27 BCE–14'; one value when equal."""
    first, second = format_time(start), format_time(end)
    if first == second:
        return first
    (n1, u1), (n2, u2) = _unit(start), _unit(end)
    circa = "c. " if start.circa or end.circa else ""
    if u1 == u2 and _era(start) == _era(end):
        tail = f" {u1}".rstrip() + _era(end)
        return f"{circa}{n1}–{n2}{tail}"
    return f"{circa}{format_time(start).removeprefix('c. ')}–{format_time(end).removeprefix('c. ')}"


def _lower(time: TimeValue) -> int:
    """The first year a time of this precision can mean (signed)."""
    span = _SPAN.get(time.precision)
    if span is None or time.precision >= YEAR_PRECISION:
        return time.year
    if span == 10:
        return time.year - time.year % 10 if time.year > 0 else time.year
    magnitude = abs(time.year)
    first = (magnitude - 1) // span * span + 1
    return first if time.year > 0 else -((magnitude - 1) // span * span + span)


def _upper(time: TimeValue) -> int:
    """The last year a time of this precision can mean (signed)."""
    span = _SPAN.get(time.precision)
    if span is None or time.precision >= YEAR_PRECISION:
        return time.year
    if span == 10:
        return time.year - time.year % 10 + 9 if time.year > 0 else time.year
    magnitude = abs(time.year)
    last = (magnitude - 1) // span * span + span
    return last if time.year > 0 else -((magnitude - 1) // span * span + 1)


def construction_period(facts: EntityFacts) -> Period | None:
    """The period the claims give, or None when the item has no time claim at all."""
    start_prop, start = (START_TIME, facts.start) if facts.start else (INCEPTION, facts.inception)
    end_prop, end = (END_TIME, facts.end) if facts.end else (OFFICIAL_OPENING, facts.opening)
    if start is None and end is None:
        return _demolished_only(facts)
    props: list[str] = []
    bounds: tuple[int | None, int | None]
    if start is not None and end is not None and end.year >= start.year:
        text = format_range(start, end)
        bounds = (_lower(start), _upper(end))
        props = [start_prop, end_prop]
    elif start is not None:
        text, bounds, props = format_time(start), (_lower(start), _upper(start)), [start_prop]
    else:
        assert end is not None
        text, bounds, props = f"completed {format_time(end)}", (None, _upper(end)), [end_prop]
    if facts.dissolved is not None:
        text += f"; demolished {format_time(facts.dissolved)}"
        props.append(DISSOLVED)
    start_year, end_year = bounds
    end_year_known: int | None = end_year
    if start is not None and start.precision >= YEAR_PRECISION and end is None:
        end_year_known = None  # one known year is when it started, not when it ended
    return Period(text, start_year, end_year_known, tuple(props))


def _demolished_only(facts: EntityFacts) -> Period | None:
    if facts.dissolved is None:
        return None
    return Period(f"demolished {format_time(facts.dissolved)}", None, None, (DISSOLVED,))
