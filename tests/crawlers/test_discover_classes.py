"""Discovery covers RSWK's 16 classes, and a country's quota can be spread over them."""

from __future__ import annotations

from crawlers.discover.candidates import Candidate
from crawlers.discover.job import query_limit
from crawlers.discover.selection import select
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.countries import CountryFile, render_country_file
from rswk.core.landmark_classes import RSWK_CLASSES, rswk_class_of

CHURCH, MUSEUM, BEACH, CASINO = "Q16970", "Q33506", "Q40080", "Q133215"


def test_discovery_queries_a_wikidata_class_for_every_rswk_class() -> None:
    covered = {rswk_class_of([qid]) for qid in LANDMARK_CLASSES}
    assert set(RSWK_CLASSES) <= covered
    # The classes the issue names as missing before are now queried.
    for label in ("beach", "casino", "amusement park", "government building", "mansion", "forest"):
        assert label in LANDMARK_CLASSES.values()


def _candidate(qid: str, sitelinks: int, cls: str) -> Candidate:
    return Candidate(qid=qid, label=qid, labels={}, classes=(cls,), sitelinks=sitelinks)


# Ten churches more linked than anything else, then two museums, a beach and a casino.
CANDIDATES = [
    *(_candidate(f"Q{i}", 100 - i, CHURCH) for i in range(1, 11)),
    _candidate("Q20", 50, MUSEUM),
    _candidate("Q21", 49, MUSEUM),
    _candidate("Q22", 48, BEACH),
    _candidate("Q23", 47, CASINO),
]


def _classes(kept: list[Candidate]) -> list[str]:
    return [rswk_class_of(c.classes) for c in kept]


def test_without_class_settings_the_most_linked_win() -> None:
    chosen = select(CANDIDATES, quota=6, pinned=(), excluded=())
    assert _classes(chosen.kept) == ["Church"] * 6


def test_class_minimum_takes_the_best_of_every_class_first() -> None:
    chosen = select(CANDIDATES, quota=6, pinned=(), excluded=(), class_minimum=1)
    assert sorted(c.qid for c in chosen.kept) == ["Q1", "Q2", "Q20", "Q22", "Q23", "Q3"]
    assert chosen.dropped_by_quota == len(CANDIDATES) - 6


def test_class_max_share_caps_a_class_while_others_have_candidates() -> None:
    chosen = select(CANDIDATES, quota=8, pinned=(), excluded=(), class_max_share=0.5)
    assert _classes(chosen.kept).count("Church") == 4
    assert {"Museum", "Beach", "Casino"} <= set(_classes(chosen.kept))
    # Once the other classes run out, the rest of the quota goes to the capped class again.
    full = select(CANDIDATES, quota=12, pinned=(), excluded=(), class_max_share=0.25)
    assert len(full.kept) == 12 and _classes(full.kept).count("Church") == 8


def test_class_settings_widen_the_query_and_stay_out_of_default_files() -> None:
    plain = CountryFile(iso2="FR", languages=("fr",), quota=10)
    spread = CountryFile(iso2="FR", languages=("fr",), quota=10, class_minimum=2)
    assert query_limit(spread, 10) > query_limit(plain, 10)
    assert "class_minimum" not in render_country_file(plain)
    assert "class_minimum: 2" in render_country_file(spread)
