"""The Statistical API's acquisitions, cloud filter and failed answers, as the live service's.

Sentinel-2 passes over a place every 5 days; `dataFilter.maxCloudCoverage` drops scenes that
are too cloudy, and an interval left with no scene is left out of `data` (not answered with
empty statistics). Payload faults make HTTP 200 answers that failed: `status: FAILED` with an
error per interval, a top-level `error`, or `data: null`. Requests are sent as raw JSON (the
shape sentinelhub-py builds), so each field is under the test's control.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.landscape import Landscape
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.sh_statistics import REVISIT_DAYS
from tests.sampleworld.rs_world import clear_point, rs_world

CLOUDS = """//VERSION=3
function setup() {
  return {input: [{bands: ["B04", "B08", "SCL", "dataMask"]}],
          output: [{id: "scene", bands: ["CLEAR", "CLOUD"]}, {id: "dataMask", bands: 1}]};
}
function evaluatePixel(s) { return {}; }
"""


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return Landscape(rs_world(), seed=0)


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(rs_world()) as world:
        yield world


def token(world: SampleWorld) -> str:
    """A bearer token (retried: a faulty server may refuse the first attempts)."""
    form = {"grant_type": "client_credentials", "client_id": "test", "client_secret": "x"}
    for _ in range(3):
        answer = httpx.post(world.urls()["sentinelhub_token"], data=form)
        if answer.status_code == 200 and answer.headers["content-type"].startswith("app"):
            try:
                return str(answer.json()["access_token"])
            except ValueError:
                continue  # a truncated body
    raise AssertionError("no token after 3 attempts")


def payload(
    lon: float,
    lat: float,
    interval: str = "P1M",
    max_cc: float | None = None,
    days: tuple[str, str] = ("2024-01-01", "2024-12-31"),
) -> dict[str, Any]:
    start, end = days
    data_filter: dict[str, Any] = {
        "timeRange": {"from": f"{start}T00:00:00Z", "to": f"{end}T23:59:59Z"}
    }
    if max_cc is not None:
        data_filter["maxCloudCoverage"] = max_cc
    half = 0.003
    return {
        "input": {
            "bounds": {
                "bbox": [lon - half, lat - half, lon + half, lat + half],
                "properties": {"crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
            },
            "data": [{"type": "sentinel-2-l2a", "dataFilter": data_filter}],
        },
        "aggregation": {
            "timeRange": data_filter["timeRange"],
            "aggregationInterval": {"of": interval},
            "width": 20,
            "height": 20,
            "evalscript": CLOUDS,
        },
    }


def post(world: SampleWorld, body: dict[str, Any], bearer: str) -> httpx.Response:
    url = world.urls()["sentinelhub"] + "/api/v1/statistics"
    return httpx.post(url, json=body, headers={"Authorization": f"Bearer {bearer}"}, timeout=30)


def months(answer: dict[str, Any]) -> list[str]:
    return [entry["interval"]["from"][:7] for entry in answer["data"]]


def test_max_cloud_coverage_leaves_out_months_without_a_clear_enough_scene(
    server: SampleWorld, landscape: Landscape
) -> None:
    lon, lat = clear_point(landscape)
    bearer = token(server)
    found = {cc: months(post(server, payload(lon, lat, max_cc=cc), bearer).json()) for cc in
             (100, 40, 10, 0)}  # fmt: skip
    assert found[100] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert set(found[0]) <= set(found[10]) <= set(found[40]) <= set(found[100])
    assert len(found[10]) < len(found[40]) < 12
    # The scene kept under a strict filter is a clear one: few of its pixels are cloud.
    strict = post(server, payload(lon, lat, max_cc=10), bearer).json()
    for entry in strict["data"]:
        if "outputs" in entry:
            cloud = entry["outputs"]["scene"]["bands"]["CLOUD"]["stats"]["mean"]
            assert cloud < 0.35, (entry["interval"], cloud)


def test_daily_intervals_exist_only_on_acquisition_days(
    server: SampleWorld, landscape: Landscape
) -> None:
    lon, lat = clear_point(landscape)
    answer = post(
        server, payload(lon, lat, interval="P1D", days=("2024-03-01", "2024-03-28")), token(server)
    ).json()
    days = [date.fromisoformat(entry["interval"]["from"][:10]) for entry in answer["data"]]
    assert 5 <= len(days) <= 6
    gaps = {(b - a).days for a, b in itertools.pairwise(days)}
    assert gaps == {REVISIT_DAYS}


def test_a_bad_max_cloud_coverage_is_refused(server: SampleWorld, landscape: Landscape) -> None:
    lon, lat = clear_point(landscape)
    answer = post(server, payload(lon, lat, max_cc=250), token(server))
    assert answer.status_code == 400
    assert "maxCloudCoverage" in answer.json()["error"]["message"]


@pytest.mark.parametrize("kind", ["sh_failed", "sh_error", "sh_null"])
def test_payload_faults_answer_the_failed_shapes(kind: str, landscape: Landscape) -> None:
    lon, lat = clear_point(landscape)
    faults = FaultConfig(**{f"rate_{kind}": 1.0})
    with SampleWorld(rs_world(), faults=faults) as world:
        bearer = token(world)
        first = post(world, payload(lon, lat), bearer)
        assert first.status_code == 200
        body = first.json()
        if kind == "sh_failed":
            assert body["status"] == "FAILED" and len(body["data"]) == 12
            assert all(set(e) == {"interval", "error"} for e in body["data"])
        elif kind == "sh_error":
            assert "data" not in body and body["error"]["code"] == "RENDERER_EXCEPTION"
        else:
            assert body == {"data": None, "status": "OK"}
        # At most `max_consecutive` (2) in a row: the third attempt is the real answer.
        post(world, payload(lon, lat), bearer)
        third = post(world, payload(lon, lat), bearer).json()
        assert third["status"] in ("OK", "PARTIAL") and len(third["data"]) == 12  # 1 in 12 fail
        assert world.stats()["faults"] == {kind: 2}


def test_the_shared_rate_never_sends_payload_faults(landscape: Landscape) -> None:
    lon, lat = clear_point(landscape)
    with SampleWorld(rs_world(), faults=FaultConfig(rate=1.0, slow_seconds=0.0)) as world:
        bearer = token(world)
        for _ in range(3):
            post(world, payload(lon, lat), bearer)
        assert set(world.stats()["faults"]) <= {"429", "5xx", "slow", "truncated"}
