"""The discover stage against the bundled sample world: ranking, quota, pinned, excluded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.discover.candidates import Candidate, candidates_from_sparql, parse_wkt_point
from crawlers.discover.selection import select
from rswk.core.records import DiscoveredLandmark, RejectReason
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.crawlers.crawl_support import run_crawl_stages, sample_config, write_registry

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as world:
        yield world


def test_wkt_point_is_longitude_first_and_earth_only() -> None:
    assert parse_wkt_point("Point(2.2945 48.8584)") == (48.8584, 2.2945)
    moon = "<http://www.wikidata.org/entity/Q405> Point(23.47 0.67)"
    assert parse_wkt_point(moon) is None
    assert parse_wkt_point("Point(200 10)") is None


def test_sparql_rows_become_candidates_in_the_country_language_order() -> None:
    row = {
        "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q243"},
        "itemLabel": {"type": "literal", "xml:lang": "fr", "value": "tour Eiffel"},
        "sitelinks": {"type": "literal", "value": "191"},
        "coord": {"type": "literal", "value": "Point(2.2945 48.8584)"},
        "classes": {"type": "literal", "value": "http://www.wikidata.org/entity/Q12518"},
        "articles": {"type": "literal", "value": "en:Eiffel Tower|fr:Tour Eiffel|ru:X: y"},
    }
    bad = {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/L1"}}
    found, malformed = candidates_from_sparql(
        {"results": {"bindings": [row, bad]}}, ["fr", "en"], "u", NOW
    )
    assert malformed == 1
    (eiffel,) = found
    assert list(eiffel.titles.items()) == [("fr", "Tour Eiffel"), ("en", "Eiffel Tower")]
    assert (eiffel.labels, eiffel.sitelinks, eiffel.classes) == (
        {"fr": "tour Eiffel"},
        191,
        ("Q12518",),
    )


def _candidate(qid: str, sitelinks: int) -> Candidate:
    return Candidate(qid=qid, label=qid, labels={}, classes=(), sitelinks=sitelinks)


def test_selection_keeps_pinned_drops_excluded_and_ranks_by_sitelinks() -> None:
    candidates = [_candidate(q, s) for q, s in [("Q1", 90), ("Q2", 80), ("Q30", 70), ("Q4", 70)]]
    chosen = select(candidates, quota=2, pinned={"Q4"}, excluded={"Q1"})
    assert [c.qid for c in chosen.kept] == ["Q2", "Q4"]
    assert [c.pinned for c in chosen.kept] == [False, True]
    assert [c.qid for c in chosen.excluded] == ["Q1"]
    assert chosen.dropped_by_quota == 1
    # Equal sitelinks: the smaller QID ranks first, whatever the input order.
    tie = select(candidates[::-1], quota=4, pinned=set(), excluded=set())
    assert [c.qid for c in tie.kept] == ["Q1", "Q2", "Q4", "Q30"]


def test_discover_ranks_quota_pinned_excluded(server: SampleWorld, tmp_path: Path) -> None:
    overrides = {
        "FR": {
            "quota": 4,
            # Ranking alone: the shipped class spread (test_discover_classes.py) turned off.
            "class_minimum": 0,
            "class_max_share": 1.0,
            "excluded": ["Q243"],
            # St Peter's is in VA (the FR query cannot find it); Q999999999 does not exist.
            "pinned": ["Q64436", "Q12512", "Q999999999"],
        }
    }
    registry = write_registry(tmp_path / "countries", ["FR"], overrides)
    config = sample_config(server, tmp_path / "work")
    server.reset_stats()
    run_crawl_stages(config, registry, ["FR"])
    stage = RunStore(config.workdir).stage("discover")
    records = stage.read_shard("FR", DiscoveredLandmark)
    assert [(r.qid, r.rank, r.pinned) for r in records] == [
        ("Q19675", 1, False),  # Louvre, 148 sitelinks
        ("Q2981", 2, False),  # Notre-Dame, 131
        ("Q64436", 3, True),  # Arc de Triomphe, 102
        # Fetched by wbgetentities: its sitelinks are the ones the entity lists (2 in the
        # sample world, whose SPARQL count says 122).
        ("Q12512", 4, True),
    ]
    louvre, _, _, st_peters = records
    assert louvre.titles == {"fr": "Musée du Louvre", "en": "Louvre"}
    assert louvre.provenance.detail == "sparql" and louvre.provenance.licence == "CC0-1.0"
    assert st_peters.provenance.detail == "wbgetentities"
    assert st_peters.provenance.revision is not None
    assert st_peters.titles == {"en": "St. Peter's Basilica"}
    assert st_peters.lat is not None and "Q16970" in st_peters.classes
    rejected = {r.qid: r.reason for r in stage.read_rejections("FR")}
    assert rejected == {"Q243": RejectReason.EXCLUDED, "Q999999999": RejectReason.MISSING_PAGE}
    assert stage.read_stats("FR")["quota"] == 4
    assert server.stats()["requests"]["sparql"] == 1
    assert server.stats()["items"]["wikidata"] >= 2  # both missing pinned ids in one request


def test_discover_one_query_per_country_and_limit_caps_quota(
    server: SampleWorld, tmp_path: Path
) -> None:
    from crawlers.discover.stage import DiscoverStage
    from rswk.core.stage import run_stage

    countries = ["FR", "IT", "US", "JP"]
    registry = write_registry(tmp_path / "countries", countries, {})
    config = sample_config(server, tmp_path / "work")
    store = RunStore(config.workdir)
    server.reset_stats()
    run_stage(DiscoverStage(config, registry, store, limit=2), store, countries)
    assert server.stats()["requests"] == {"sparql": len(countries)}
    for iso2 in countries:
        records = store.stage("discover").read_shard(iso2, DiscoveredLandmark)
        assert [r.rank for r in records] == [1, 2]
        assert records[0].sitelinks >= records[1].sitelinks
        assert {r.country for r in records} == {iso2}
