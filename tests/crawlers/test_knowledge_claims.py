"""Wikidata claims -> structured facts, on entities built by the sample world's claim writer."""

from __future__ import annotations

from typing import Any

import pytest

from crawlers.knowledge.claims import (
    AREA_UNITS,
    TimeValue,
    format_quantity,
    parse_entity,
    parse_quantity,
)
from crawlers.knowledge.period import format_time
from rswk.sampleworld.wikidata_claims import (
    ENTITY,
    item_value,
    landmark_claims,
    quantity_value,
    statement,
)
from rswk.sampleworld.world import Entity, SignificantEvent, WorldLandmark


def _landmark(**facts: Any) -> WorldLandmark:
    return WorldLandmark(
        qid="Q243",
        country="FR",
        lat=48.8584,
        lon=2.2945,
        classes=["Q12518"],
        sitelinks=200,
        labels={"fr": "tour Eiffel", "en": "Eiffel Tower"},
        **facts,
    )


def _entity(landmark: WorldLandmark) -> dict[str, Any]:
    labels = {k: {"language": k, "value": v} for k, v in landmark.labels.items()}
    return {
        "id": landmark.qid,
        "lastrevid": 42,
        "labels": labels,
        "claims": landmark_claims(landmark),
    }


def test_claims_become_facts() -> None:
    landmark = _landmark(
        inception=1887,
        height_m=330.0,
        area_m2=15625.0,
        address="5 avenue Anatole-France",
        located_in=Entity(qid="Q90", labels={"fr": "Paris"}),
        architects=[Entity(qid="Q20882", labels={"en": "Stephen Sauvestre"})],
        styles=[Entity(qid="Q1", labels={"en": "x"})],
        heritage=[Entity(qid="Q916475", labels={"en": "monument historique"})],
        events=[SignificantEvent(qid="Q5", labels={"en": "opening"}, year=1889)],
    )
    facts = parse_entity("Q243", _entity(landmark))
    assert facts.revision == 42
    assert facts.labels == {"fr": "tour Eiffel", "en": "Eiffel Tower"}
    assert facts.inception == TimeValue(year=1887, precision=9)
    assert facts.height is not None and facts.height.si_value == 330.0
    assert facts.area is not None and facts.area.si_value == 15625.0
    assert format_quantity(facts.area) == "15,625 m²"
    assert facts.address is not None and facts.address[0] == "5 avenue Anatole-France"
    assert facts.located_in == ("Q90",)
    assert facts.architects == ("Q20882",)
    assert facts.heritage == ("Q916475",)
    assert [(e.qid, e.year) for e in facts.events] == [("Q5", 1889)]
    assert facts.referenced_qids() == {"Q90", "Q20882", "Q1", "Q916475", "Q5"}


def test_only_best_rank_statements_count() -> None:
    entity = _entity(_landmark(architects=[Entity(qid="Q7", labels={"en": "a"})]))
    preferred = statement("Q243", "P84", item_value("Q8"), 1)
    deprecated = statement("Q243", "P84", item_value("Q9"), 2)
    entity["claims"]["P84"] += [
        {**preferred, "rank": "preferred"},
        {**deprecated, "rank": "deprecated"},
    ]
    assert parse_entity("Q243", entity).architects == ("Q8",)
    entity["claims"]["P84"] = [{**deprecated, "rank": "deprecated"}]
    assert parse_entity("Q243", entity).architects == ()


@pytest.mark.parametrize(
    ("amount", "unit", "m2", "text"),
    [
        (7.5, "Q35852", 75_000.0, "7.5 ha"),
        (2.5, "Q712226", 2_500_000.0, "2.5 km²"),
        (3.0, "Q999", None, "3 (unit Q999)"),
    ],
)
def test_area_units(amount: float, unit: str, m2: float | None, text: str) -> None:
    quantity = parse_quantity(quantity_value(amount, f"{ENTITY}{unit}")["value"], AREA_UNITS)
    assert quantity is not None
    assert quantity.si_value == pytest.approx(m2) if m2 is not None else quantity.si_value is None
    assert format_quantity(quantity) == text


@pytest.mark.parametrize(
    ("year", "precision", "text"),
    [(1889, 11, "1889"), (1880, 8, "1880s"), (1150, 7, "12th century"), (-500, 9, "500 BCE")],
)
def test_periods(year: int, precision: int, text: str) -> None:
    assert format_time(TimeValue(year, precision)) == text


def test_missing_or_odd_values_are_ignored() -> None:
    entity = {"id": "Q1", "claims": {"P571": [{"mainsnak": {"snaktype": "novalue"}}]}}
    facts = parse_entity("Q1", entity)
    assert facts.inception is None and facts.revision is None and facts.labels == {}
