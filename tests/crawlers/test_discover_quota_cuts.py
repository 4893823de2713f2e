"""discover's stats count every landmark its quota cuts, checked against the sample world's truth.

The world is shaped by the test's quotas (rswk/harness/quota_world.py) at five times their sum,
so each country offers far more landmarks than its quota: most are cut by the query's LIMIT,
the rest by the selection (class spread included). The world says how many each country has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.discover.stage import DiscoverStage
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark
from rswk.core.runstore import RunStore
from rswk.core.stage import run_stage
from rswk.harness.quota_world import quota_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World
from tests.crawlers.crawl_support import sample_config, write_registry

QUOTAS = {"FR": 10, "JP": 5}
LANDMARKS = 5 * sum(QUOTAS.values())
# The default reserve (5 % of the quota, rounded up) curation may need: FR and JP keep one more.
KEPT = {"FR": 11, "JP": 6}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> CountryRegistry:
    folder = tmp_path_factory.mktemp("countries")
    # JP spreads its quota over classes: its query asks for 3 x (quota + reserve) + 5 rows.
    # FR takes the most-linked (no class spread); JP spreads its quota over classes.
    overrides = {
        "FR": {"quota": 10, "class_minimum": 0, "class_max_share": 1.0},
        "JP": {"quota": 5, "class_minimum": 1},
    }
    return write_registry(folder, QUOTAS, overrides)


@pytest.fixture(scope="module")
def world(registry: CountryRegistry) -> World:
    return quota_world(LANDMARKS, seed=5, registry=registry)


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SampleWorld]:
    with SampleWorld(world) as sw:
        yield sw


def _truth(world: World) -> Counter[str]:
    """Landmarks per country that the discovery query can match (a class of the table)."""
    classes = set(LANDMARK_CLASSES)
    return Counter(lm.country for lm in world.landmarks if classes & set(lm.classes))


def _discover(
    server: SampleWorld, registry: CountryRegistry, workdir: Path
) -> tuple[RunStore, dict[str, dict[str, object]]]:
    config = sample_config(server, workdir)
    store = RunStore(config.workdir)
    run_stage(DiscoverStage(config, registry, store), store, list(QUOTAS))
    return store, {iso2: store.stage("discover").read_stats(iso2) for iso2 in QUOTAS}


def test_every_landmark_cut_by_quota_is_counted(
    server: SampleWorld, registry: CountryRegistry, world: World, tmp_path: Path
) -> None:
    truth = _truth(world)
    # The world offers far more than the LIMIT (FR: 11 + 5 rows; JP: 3 x 6 + 5 rows).
    assert truth["FR"] > 16 and truth["JP"] > 23
    store, stats = _discover(server, registry, tmp_path / "work")
    for iso2, quota in QUOTAS.items():
        assert stats[iso2]["quota"] == quota
        assert stats[iso2]["reserve"] == KEPT[iso2] - quota
        assert stats[iso2]["kept"] == KEPT[iso2]
        assert stats[iso2]["matching"] == truth[iso2]
        assert stats[iso2]["dropped_by_quota"] == truth[iso2] - KEPT[iso2], iso2
    assert stats["FR"]["beyond_query_limit"] == truth["FR"] - 16
    assert stats["JP"]["beyond_query_limit"] == truth["JP"] - 23
    assert len(store.stage("discover").read_shard("FR", DiscoveredLandmark)) == 11


def test_a_preview_limit_lists_exactly_the_limit_without_a_reserve(
    server: SampleWorld, registry: CountryRegistry, tmp_path: Path
) -> None:
    config = sample_config(server, tmp_path / "work")
    store = RunStore(config.workdir)
    run_stage(DiscoverStage(config, registry, store, limit=4), store, ["FR"])
    stats = store.stage("discover").read_stats("FR")
    assert (stats["quota"], stats["reserve"], stats["kept"]) == (4, 0, 4)


def test_a_pinned_landmark_beyond_the_limit_is_kept_not_counted_as_cut(
    server: SampleWorld, world: World, tmp_path: Path
) -> None:
    french = sorted(
        (lm for lm in world.landmarks if lm.country == "FR"), key=lambda lm: lm.sitelinks
    )
    least_linked = french[0].qid  # ranked last: beyond the query's LIMIT
    registry = write_registry(
        tmp_path / "countries",
        QUOTAS,
        {"FR": {"quota": 10, "pinned": [least_linked], "class_minimum": 0, "class_max_share": 1.0}},
    )
    store, stats = _discover(server, registry, tmp_path / "work")
    kept = [r.qid for r in store.stage("discover").read_shard("FR", DiscoveredLandmark)]
    assert least_linked in kept and len(kept) == 11
    assert stats["FR"]["dropped_by_quota"] == _truth(world)["FR"] - 11
