"""Imagery visits a shard's landmarks by place, so neighbours share memoised tiles; the shard is
still written in QID order and every image is the one a landmark gets on its own."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import pytest

from crawlers.imagery.providers import ImageTarget
from crawlers.imagery.stage import ImageryStage, visit_order
from crawlers.imagery.tile_fetch import TileFetcher
from crawlers.imagery.tilemath import TileRef, visit_key
from crawlers.imagery.xyz import XyzProvider
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore
from rswk.core.stage import run_stage
from rswk.sampleworld.server import SampleWorld
from tests.imagery.sample_world import outputs, sample_config
from tests.imagery.sites import Site, cluster, world_of, write_upstream

# Two clusters in one country, far apart, whose QIDs alternate: QID order jumps between them.
PARIS = cluster(7, "FR", (48.8584, 2.2945), 5, first=3000)
LYON = cluster(8, "FR", (45.7640, 4.8357), 5, first=3100)
SITES = [
    Site(f"Q{4000 + i}", s.country, s.lat, s.lon)
    for i, s in enumerate(chain.from_iterable(zip(PARIS, LYON, strict=True)))
]
WORLD = world_of(SITES, name="spatial-order")


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(WORLD) as world:
        yield world


def target(site: Site) -> ImageTarget:
    return ImageTarget(site.qid, site.country, site.lat, site.lon)


def test_visit_order_groups_neighbours_and_breaks_ties_by_qid() -> None:
    targets = [target(s) for s in SITES]
    order = [targets[i].qid for i in visit_order(targets, 19)]
    paris = {s.qid for s in SITES[0::2]}
    # One cluster, then the other: never back and forth.
    assert set(order[:5]) == paris or set(order[5:]) == paris
    twins = [ImageTarget("Q2", "FR", 1.0, 1.0), ImageTarget("Q1", "FR", 1.0, 1.0)]
    assert visit_order(twins, 19) == [1, 0]
    # Points beyond the Mercator square (a pole, the antimeridian) still get a key.
    assert len(visit_key(-90.0, 180.0, 19)) == 19 and len(visit_key(90.0, -180.0, 19)) == 19


def tiles_of(provider: XyzProvider, sites: list[Site]) -> set[TileRef]:
    return {ref for s in sites for ref in provider.window_for(target(s)).tiles()}


def test_neighbours_share_tiles_and_images_equal_one_by_one(
    server: SampleWorld, tmp_path: Path
) -> None:
    config = sample_config(tmp_path / "all", server.urls(), workers=1)
    store = RunStore(config.workdir)
    (shard,) = write_upstream(store, SITES)
    stage = ImageryStage(config, CountryRegistry.from_dir(), store)
    stage.setup()
    assert isinstance(stage.provider, XyzProvider)
    paris, lyon = tiles_of(stage.provider, PARIS), tiles_of(stage.provider, LYON)
    per_image = [len(stage.provider.window_for(target(s)).tiles()) for s in SITES]
    # A memo that holds one cluster's tiles but not both: only a spatial order keeps it useful.
    memo = max(len(paris), len(lyon))
    assert len(paris | lyon) > memo
    assert isinstance(stage.provider.tiles, TileFetcher)
    stage.provider.tiles.memo_tiles = memo
    server.reset_stats()
    try:
        run_stage(stage, store, [shard], workers=1)
        counts = stage.provider.stats()
    finally:
        stage.close()
    records, rejections = outputs(config.workdir, [shard])
    assert rejections == []
    assert [r.qid for r in records] == sorted(s.qid for s in SITES)  # written in QID order
    # Each tile is fetched once, and every other lookup is answered by the memo.
    requests = server.stats()["requests"]["tiles"]
    assert requests == len(paris | lyon) < sum(per_image)
    assert counts["tile_lookups"] == sum(per_image)
    assert counts["tile_memo_hits"] == sum(per_image) - len(paris | lyon)
    # The same bytes as each landmark fetched on its own, in a run of its own.
    for site, record in zip(sorted(SITES, key=lambda s: s.qid), records, strict=True):
        alone = sample_config(tmp_path / site.qid, server.urls())
        write_upstream(RunStore(alone.workdir), [site])
        one = ImageryStage(alone, CountryRegistry.from_dir(), RunStore(alone.workdir))
        try:
            run_stage(one, RunStore(alone.workdir), [shard], workers=1)
        finally:
            one.close()
        (single,), _ = outputs(alone.workdir, [shard])
        assert single.image == record.image and single.sha256 == record.sha256, site.qid
