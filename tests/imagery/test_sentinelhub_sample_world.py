"""The sentinelhub provider end to end against the sample world's Process API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pyproj import Geod

from rswk.core.config import ProjectConfig
from rswk.core.records.base import RejectReason
from rswk.core.runstore import RunStore
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.landscape import CLOUDY_CELL_DEG, Landscape
from rswk.sampleworld.server import SampleWorld
from tests.imagery.sample_world import outputs, run, sample_config
from tests.imagery.sites import SITES, Site, world_of, write_upstream

GEOD = Geod(ellps="WGS84")


def cloudy_site() -> Site:
    """A landmark in the middle of the first persistently overcast 0.1° cell north of Lyon."""
    landscape = Landscape(world_of([]), 0)
    for step in range(1, 2000):
        lat = round(45.75 + step * CLOUDY_CELL_DEG, 4)
        lon = 4.85
        if landscape.persistently_cloudy(lon, lat):
            cell_lat = (int(lat / CLOUDY_CELL_DEG) + 0.5) * CLOUDY_CELL_DEG
            cell_lon = (int(lon / CLOUDY_CELL_DEG) + 0.5) * CLOUDY_CELL_DEG
            return Site("Q4001", "FR", round(cell_lat, 5), round(cell_lon, 5))
    raise AssertionError("no persistently cloudy cell found")


CLOUDY = cloudy_site()
WORLD = world_of([*SITES, CLOUDY])


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(WORLD) as world:
        yield world


def sentinel_config(workdir: Path, urls: dict[str, str]) -> ProjectConfig:
    return sample_config(workdir, urls, provider="sentinelhub", size_px=256)


def test_scenes_are_centred_sized_and_dated(server: SampleWorld, tmp_path: Path) -> None:
    config = sentinel_config(tmp_path, server.urls())
    shards = write_upstream(RunStore(tmp_path), SITES)
    run(config, shards)
    records, rejections = outputs(tmp_path, shards)
    assert {r.reason for r in rejections} <= {RejectReason.ALL_CLOUD}
    assert len(records) >= 3
    period = config.imagery.sentinelhub
    for record in records:
        site = next(s for s in SITES if s.qid == record.qid)
        west, south, east, north = record.bbox_4326
        assert (west + east) / 2 == pytest.approx(site.lon, abs=1e-9)
        assert (south + north) / 2 == pytest.approx(site.lat, abs=1e-9)
        # 256 px at 10 m: 2.56 km across and high, on the ellipsoid.
        assert GEOD.inv(west, site.lat, east, site.lat)[2] == pytest.approx(2560, rel=2e-3)
        assert GEOD.inv(site.lon, south, site.lon, north)[2] == pytest.approx(2560, rel=2e-3)
        assert (record.zoom, record.gsd_m, record.width, record.height) == (None, 10.0, 256, 256)
        assert (record.acquired, record.acquired_end) == (period.period_start, period.period_end)
        assert record.acquired == date(2024, 6, 1)


def test_all_cloud_scene_is_rejected(server: SampleWorld, tmp_path: Path) -> None:
    config = sentinel_config(tmp_path, server.urls())
    shards = write_upstream(RunStore(tmp_path), [CLOUDY])
    run(config, shards)
    records, rejections = outputs(tmp_path, shards)
    assert records == []
    assert [r.reason for r in rejections] == [RejectReason.ALL_CLOUD]


def test_credentials_never_reach_a_file_or_a_log(
    server: SampleWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client_id, secret = "rswk-test-id-5f3a9c1e", "rswk-test-secret-8b2d47f0"
    monkeypatch.setenv("SH_CLIENT_ID", client_id)
    monkeypatch.setenv("SH_CLIENT_SECRET", secret)
    caplog.set_level(logging.DEBUG)
    config = sentinel_config(tmp_path, server.urls())
    config.save_resolved()
    shards = write_upstream(RunStore(tmp_path), SITES[:2])
    server.reset_stats()
    run(config, shards)
    assert server.stats()["requests"].get("sh_token", 0) >= 1  # the credentials were used
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "config.resolved.json" for p in files)
    assert any("sentinelhub" in p.parts for p in files)  # sentinelhub's own cache is there
    for path in files:
        data = path.read_bytes()
        assert client_id.encode() not in data and secret.encode() not in data, path
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert caplog.records and client_id not in logged and secret not in logged


def test_one_request_per_place_and_rerun_makes_zero(server: SampleWorld, tmp_path: Path) -> None:
    config = sentinel_config(tmp_path, server.urls())
    twin = Site("Q1999", SITES[0].country, SITES[0].lat, SITES[0].lon)  # same place, other QID
    shards = write_upstream(RunStore(tmp_path), [*SITES[:3], twin])
    server.reset_stats()
    run(config, shards)
    assert server.stats()["requests"]["sh_process"] == 3
    before, _ = outputs(tmp_path, shards)
    assert {r.qid: r.sha256 for r in before}["Q1999"] == {r.qid: r.sha256 for r in before}["Q1001"]
    server.reset_stats()
    run(config, shards, force=True)
    assert server.stats()["requests"] == {}
    after, _ = outputs(tmp_path, shards)
    assert [r.sha256 for r in after] == [r.sha256 for r in before]
    # Provenance included: its time is the answer's Date, read back from the cache.
    assert after == before


def test_faults_give_identical_outputs(tmp_path: Path) -> None:
    def scenes(faults: FaultConfig | None, workdir: Path) -> tuple[dict[str, str], int]:
        with SampleWorld(WORLD, faults=faults, seed=0) as world:
            config = sentinel_config(workdir, world.urls())
            politeness = config.politeness.model_copy(update={"timeout_s": 0.5})
            config = config.model_copy(update={"politeness": politeness})
            shards = write_upstream(RunStore(workdir), SITES)
            run(config, shards)
            records, rejections = outputs(workdir, shards)
            assert {r.reason for r in rejections} <= {RejectReason.ALL_CLOUD}
            found = {r.qid: r.sha256 for r in records}
            found |= {r.qid or "": r.reason.value for r in rejections}
            return found, sum(world.stats()["faults"].values())

    clean, _ = scenes(None, tmp_path / "clean")
    quick = {"slow_seconds": 0.7, "retry_after_seconds": 0}
    faulty, injected = scenes(FaultConfig(rate=0.2, **quick), tmp_path / "faulty")
    assert injected >= 1 and faulty == clean
    # Cut-short images in particular (half the answers) are retried, never kept or cached.
    cut, injected = scenes(FaultConfig(rate_truncated=0.5, **quick), tmp_path / "cut")
    assert injected >= 2 and cut == clean
