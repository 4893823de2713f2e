"""The xyz provider end to end against the sample world's tiles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import mercantile
import numpy as np
import pytest

from crawlers.imagery.tilemath import zoom_for_footprint
from rswk.core.config import CacheConfig, ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.base import RejectReason
from rswk.core.runstore import RunStore
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.landscape import Landscape
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.tiles import is_no_data_tile
from tests.imagery.sample_world import (
    outputs,
    pixel_centres,
    pixels,
    run,
    sample_config,
)
from tests.imagery.sites import SITES, Site, world_of, write_upstream

# Footprints of known area (Wikidata P2046) for the zoom-from-footprint case.
SIZED = (
    Site("Q2001", "IT", 41.8902, 12.4922, area_m2=6_000.0),
    Site("Q2002", "EG", 29.9792, 31.1342, area_m2=400.0**2),
)
WORLD = world_of(SITES + SIZED)
ESRI = (
    "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
)


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(WORLD) as world:
        yield world


def test_footprint_is_centred_and_pixels_match_their_coordinates(
    server: SampleWorld, tmp_path: Path
) -> None:
    config = sample_config(tmp_path, server.urls(), image_format="png")
    shards = write_upstream(RunStore(tmp_path), SITES)
    run(config, shards)
    records, rejections = outputs(tmp_path, shards)
    assert rejections == [] and len(records) == len(SITES)
    landscape = Landscape(WORLD, 0)
    for record in records:
        lon, lat = pixel_centres(record)
        footprint = landscape.surface(lon, lat).landmark == landscape.qids.index(record.qid)
        rows, cols = np.nonzero(footprint)
        # The footprint (80 m, default) lies in the middle: its centroid within a pixel of the
        # image centre, at every latitude from -60.7 to 60.2.
        assert abs(cols.mean() + 0.5 - record.width / 2) <= 1.0, record.qid
        assert abs(rows.mean() + 0.5 - record.height / 2) <= 1.0, record.qid
        # And the image shows the landscape at exactly those coordinates: a one-pixel shift
        # matches worse than none.
        expected = landscape.aerial_rgb(
            np.broadcast_to(lon, footprint.shape), np.broadcast_to(lat, footprint.shape)
        ).astype(float)
        image = pixels(record).astype(float)
        error = {
            (dy, dx): np.abs(np.roll(image, (dy, dx), axis=(0, 1)) - expected)[8:-8, 8:-8].mean()
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        }
        assert min(error, key=error.__getitem__) == (0, 0), (record.qid, error)
        assert record.attribution.startswith("RSWK sample world")


def test_zoom_follows_the_footprint_from_the_knowledge_shard(
    server: SampleWorld, tmp_path: Path
) -> None:
    config = sample_config(tmp_path, server.urls())
    shards = write_upstream(RunStore(tmp_path), SIZED, with_knowledge=True)
    run(config, shards)
    records, _ = outputs(tmp_path, shards)
    imagery = config.imagery
    for record, site in zip(sorted(records, key=lambda r: r.qid), SIZED, strict=True):
        expected = zoom_for_footprint(
            site.area_m2, site.lat, 512, min_zoom=imagery.min_zoom, max_zoom=imagery.max_zoom,
            default_zoom=imagery.default_zoom, margin=imagery.footprint_margin,
        )  # fmt: skip
        assert record.zoom == expected != imagery.default_zoom
        side_px = (site.area_m2 or 0) ** 0.5 / record.gsd_m
        assert 512 / 3 <= side_px <= 512 / 1.5  # the landmark fills the frame, with margin


def test_rerun_makes_zero_requests(server: SampleWorld, tmp_path: Path) -> None:
    config = sample_config(tmp_path, server.urls())
    shards = write_upstream(RunStore(tmp_path), SITES[:3])
    server.reset_stats()
    run(config, shards)
    first = server.stats()["requests"]
    assert first.get("tiles", 0) > 0
    before, _ = outputs(tmp_path, shards)
    server.reset_stats()
    assert run(config, shards).skipped == shards  # finished shards are skipped ...
    assert sorted(run(config, shards, force=True).written) == shards  # ... redone from cache
    assert server.stats()["requests"] == {}
    after, _ = outputs(tmp_path, shards)
    assert [r.sha256 for r in after] == [r.sha256 for r in before]


def cached_tiles(config: ProjectConfig) -> list[Path]:
    """The HTTP cache entries of tiles (each entry's header line names its URL)."""
    base = config.sources.tiles.split("{", 1)[0]
    return [
        p
        for p in config.http_cache_dir.rglob("*.http")
        if json.loads(p.read_bytes().partition(b"\n")[0])["url"].startswith(base)
    ]


def test_tiles_leave_the_cache_once_their_images_are_written(
    server: SampleWorld, tmp_path: Path
) -> None:
    kept = sample_config(tmp_path / "kept", server.urls())
    assert kept.cache.keep_tiles  # the sample profile keeps them (byte-identical --force)
    config = kept.model_copy(
        update={"workdir": tmp_path / "dropped", "cache": CacheConfig(keep_tiles=False)}
    )
    for each in (kept, config):
        shards = write_upstream(RunStore(each.workdir), SITES[:3])
        run(each, shards)
    assert len(cached_tiles(kept)) > 0 and cached_tiles(config) == []
    # The images are the same; only the cache is smaller.
    assert [r.sha256 for r in outputs(config.workdir, shards)[0]] == [
        r.sha256 for r in outputs(kept.workdir, shards)[0]
    ]
    # A no-change rerun skips the written shards: no tile is needed, none is asked.
    server.reset_stats()
    assert run(config, shards).skipped == shards
    assert server.stats()["requests"] == {}
    # `--force` redoes them, fetching the tiles again (documented in docs/imagery.md).
    assert sorted(run(config, shards, force=True).written) == shards
    assert server.stats()["requests"].get("tiles", 0) > 0


def test_faults_give_identical_outputs(tmp_path: Path) -> None:
    def images(faults: FaultConfig | None, workdir: Path) -> tuple[dict[str, str], dict[str, int]]:
        with SampleWorld(WORLD, faults=faults, seed=0) as world:
            config = sample_config(workdir, world.urls())
            config = config.model_copy(
                update={"politeness": config.politeness.model_copy(update={"timeout_s": 0.5})}
            )
            shards = write_upstream(RunStore(workdir), SITES)
            run(config, shards)
            records, rejections = outputs(workdir, shards)
            assert rejections == []
            return {r.qid: r.sha256 for r in records}, world.stats()["faults"]

    clean, _ = images(None, tmp_path / "clean")
    faulty, injected = images(
        FaultConfig(rate=0.2, slow_seconds=0.7, retry_after_seconds=0), tmp_path / "faulty"
    )
    assert sum(injected.values()) >= 5 and "truncated" in injected
    assert faulty == clean


def no_data_site() -> Site:
    """A landmark at the centre of the first z18 tile east of (48.2, 16.37) that has no imagery."""
    start = mercantile.tile(16.37, 48.2, 18)
    x = next(x for x in range(start.x, start.x + 10_000) if is_no_data_tile(18, x, start.y))
    centre = mercantile.ul(x + 0.5, start.y + 0.5, 18)
    return Site("Q3001", "AT", round(centre.lat, 7), round(centre.lng, 7))


def test_no_data_placeholder_and_404_are_rejected(server: SampleWorld, tmp_path: Path) -> None:
    site = no_data_site()
    for template_suffix, why in (("", "placeholder"), ("?blankTile=false", "404")):
        workdir = tmp_path / (why or "x")
        config = sample_config(workdir, server.urls(), default_zoom=18)
        config = config.model_copy(
            update={
                "sources": config.sources.model_copy(
                    update={"tiles": config.sources.tiles + template_suffix}
                )
            }
        )
        shards = write_upstream(RunStore(workdir), [site])
        run(config, shards)
        records, rejections = outputs(workdir, shards)
        assert records == []
        assert [r.reason for r in rejections] == [RejectReason.NO_DATA]
        assert why in rejections[0].detail


def test_restrictive_tiles_are_refused_before_any_request(
    server: SampleWorld, tmp_path: Path
) -> None:
    shards = write_upstream(RunStore(tmp_path), SITES[:2])
    server.reset_stats()
    marked = sample_config(tmp_path, server.urls(), restrictive=True)
    with pytest.raises(RSWKError, match="accept_terms"):
        run(marked, shards)
    assert server.stats()["requests"] == {}
    esri = marked.model_copy(update={"sources": marked.sources.model_copy(update={"tiles": ESRI})})
    with pytest.raises(RSWKError, match=r"Esri\.WorldImagery .* is restrictive"):
        run(esri, shards)
    assert not esri.http_cache_dir.exists()
    # Accepted: it runs, and the attribution is in every record.
    accepted = sample_config(tmp_path, server.urls(), restrictive=True, accept_terms=True)
    run(accepted, shards)
    records, _ = outputs(tmp_path, shards)
    assert len(records) == 2 and all(r.attribution == records[0].attribution != "" for r in records)
