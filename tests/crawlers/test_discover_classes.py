"""Discovery covers RSWK's 16 classes, and a country's quota can be spread over them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from crawlers.discover.candidates import Candidate
from crawlers.discover.job import query_limit
from crawlers.discover.selection import class_cap, select
from crawlers.discover.stage import DiscoverStage
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.countries import CountryFile, CountryRegistry, render_country_file
from rswk.core.country_defaults import CLASS_MINIMUM_FROM_QUOTA, DEFAULT_CLASS_MAX_SHARE
from rswk.core.landmark_classes import RSWK_CLASSES, rswk_class_of
from rswk.core.records import DiscoveredLandmark
from rswk.core.runstore import RunStore
from rswk.core.stage import run_stage
from rswk.sampleworld.generated import generate_world
from rswk.sampleworld.server import SampleWorld
from tests.crawlers.crawl_support import sample_config, write_registry

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


def test_class_minimum_goes_to_the_best_known_classes_when_the_quota_is_short() -> None:
    # Room for two: the most-linked church and museum, not the first classes by name.
    chosen = select(CANDIDATES, quota=2, pinned=(), excluded=(), class_minimum=1)
    assert sorted(c.qid for c in chosen.kept) == ["Q1", "Q20"]


def test_every_shipped_country_file_spreads_its_quota_over_classes() -> None:
    registry = CountryRegistry.from_dir()
    assert all(c.class_max_share == DEFAULT_CLASS_MAX_SHARE for c in registry)
    assert all(c.class_minimum == int(c.quota >= CLASS_MINIMUM_FROM_QUOTA) for c in registry)
    assert registry.get("FR").class_minimum == 1 and registry.get("VA").class_minimum == 0
    assert registry.total_quota() == 14_141


def _discover(server: SampleWorld, folder: Path, overrides: dict[str, object]) -> list[str]:
    registry = write_registry(folder / "countries", ["FR"], {"FR": overrides})
    config = sample_config(server, folder / "work")
    store = RunStore(config.workdir)
    run_stage(DiscoverStage(config, registry, store), store, ["FR"])
    records = store.stage("discover").read_shard("FR", DiscoveredLandmark)
    return [rswk_class_of(r.classes) for r in records]


def test_discover_with_the_shipped_france_file_keeps_a_spread_list(tmp_path: Path) -> None:
    # 600 French landmarks over the 16 classes; a quota of 11 (12 kept with the 5 % reserve)
    # leaves most of them out.
    world = generate_world(600, seed=3, countries=["FR"])
    with SampleWorld(world) as server:
        spread = _discover(server, tmp_path / "spread", {"quota": 11})
        plain = _discover(
            server, tmp_path / "plain", {"quota": 11, "class_minimum": 0, "class_max_share": 1.0}
        )
    shipped = CountryRegistry.from_dir().get("FR")
    cap = class_cap(12, shipped.class_max_share, shipped.class_minimum)
    assert len(spread) == len(plain) == 12
    # The shipped minimum (1 per class) takes the best-known landmark of 12 classes ...
    assert len(set(spread)) == 12 and max(Counter(spread).values()) <= cap
    # ... where the most-linked twelve alone repeat classes.
    assert len(set(plain)) < 12
