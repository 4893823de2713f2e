"""The remote-sensing services of the sample world: tiles, Sentinel Hub (through sentinelhub-py
with dummy credentials) and the climate API — shapes, determinism, placeholders, partial
results, refusals, faults and counters."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import httpx
import mercantile
import numpy as np
import pytest
from PIL import Image
from sentinelhub import (
    CRS,
    BBox,
    DataCollection,
    MimeType,
    SentinelHubRequest,
    SentinelHubStatistical,
    SHConfig,
)

from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.landscape import LANDMARK_RGB, VEGETATION, WATER, Landscape
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.sh_statistics import ERROR_SHARE
from rswk.sampleworld.tiles import is_no_data_tile
from tests.sampleworld.conftest import reference, shape
from tests.sampleworld.rs_world import (
    COLOSSEUM_LAT,
    COLOSSEUM_LON,
    LANDMARK_SITES,
    class_patch,
    clear_point,
    cloudy_point,
    rs_world,
)

TRUE_COLOUR = """//VERSION=3
function setup() {
  return {input: [{bands: ["B02", "B03", "B04"]}], output: {bands: 3, sampleType: "AUTO"}};
}
function evaluatePixel(sample) {
  return [2.5 * sample.B04, 2.5 * sample.B03, 2.5 * sample.B02];
}
"""
# Conditions cannot be evaluated: the server returns the setup() input bands in order.
GENERIC_FLOAT = """//VERSION=3
function setup() {
  return {input: ["B04", "B08", "dataMask"], output: {bands: 2, sampleType: "FLOAT32"}};
}
function evaluatePixel(s) {
  if (s.dataMask === 0) { return [0, 0]; }
  return [s.B04, s.B08];
}
"""
MONTHLY = """//VERSION=3
// Indices, reflectance and the clear/cloud split; the evalscript's own code is not run.
function setup() {
  return {
    input: [{bands: ["B02", "B03", "B04", "B08", "B11", "B12", "SCL", "dataMask"]}],
    output: [
      {id: "indices", bands: ["NDVI", "NDWI", "NDBI"], sampleType: "FLOAT32"},
      {id: "reflectance", bands: 6, sampleType: "FLOAT32"},
      {id: "scene", bands: ["CLEAR", "CLOUD"]},
      {id: "dataMask", bands: 1}
    ]
  };
}
function evaluatePixel(s) { return {}; }
"""
ONE_BAND = """//VERSION=3
function setup() {{
  return {{input: [{{bands: ["{band}", "dataMask"]}}],
          output: [{{id: "{output}", bands: ["{name}"]}}, {{id: "dataMask", bands: 1}}]}};
}}
function evaluatePixel(s) {{ return {{}}; }}
"""
SH_ENDPOINTS = ("sh_token", "sh_process", "sh_statistics")


@pytest.fixture(scope="module")
def world_server() -> Iterator[SampleWorld]:
    with SampleWorld(rs_world(), seed=3) as server:
        yield server


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return Landscape(rs_world(), seed=3)


@pytest.fixture(scope="module")
def sh(world_server: SampleWorld) -> Iterator[tuple[SHConfig, DataCollection]]:
    """sentinelhub-py pointed at the server, dummy credentials, loopback http allowed."""
    urls = world_server.urls()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
        config = SHConfig(
            sh_client_id="dummy-client",
            sh_client_secret="dummy-secret-never-echoed",
            sh_base_url=urls["sentinelhub"],
            sh_token_url=urls["sentinelhub_token"],
            max_download_attempts=1,
        )
        s2 = DataCollection.SENTINEL2_L2A.define_from(
            f"S2L2A_TEST_{os.getpid()}", service_url=urls["sentinelhub"]
        )
        yield config, s2


def box(lon: float, lat: float, half: float = 0.003) -> BBox:
    return BBox((lon - half, lat - half, lon + half, lat + half), CRS.WGS84)


def true_colour(sh: tuple[SHConfig, DataCollection], bbox: BBox, mime: MimeType) -> np.ndarray:
    config, s2 = sh
    request = SentinelHubRequest(
        evalscript=TRUE_COLOUR,
        input_data=[SentinelHubRequest.input_data(s2, time_interval=("2024-06-01", "2024-08-31"))],
        responses=[SentinelHubRequest.output_response("default", mime)],
        bbox=bbox,
        size=(64, 48),
        config=config,
    )
    return np.asarray(request.get_data()[0])


def statistical(
    sh: tuple[SHConfig, DataCollection],
    bbox: BBox,
    evalscript: str = MONTHLY,
    collection: DataCollection | None = None,
    interval: str = "P1M",
) -> dict[str, Any]:
    config, s2 = sh
    request = SentinelHubStatistical(
        aggregation=SentinelHubStatistical.aggregation(
            evalscript=evalscript,
            time_interval=("2024-01-01", "2024-12-31"),
            aggregation_interval=interval,
            size=(40, 40),
        ),
        input_data=[SentinelHubStatistical.input_data(collection or s2)],
        bbox=bbox,
        calculations={"default": {"statistics": {"default": {"percentiles": {"k": [50]}}}}},
        config=config,
    )
    answer: dict[str, Any] = request.get_data()[0]
    return answer


def decode(body: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))


# -- tiles ---------------------------------------------------------------------------------------


def tile_url(server: SampleWorld, z: int, x: int, y: int) -> str:
    return server.urls()["tiles"].format(z=z, y=y, x=x)


def test_tiles_are_deterministic_256px_jpegs_in_esri_order(world_server: SampleWorld) -> None:
    tile = mercantile.tile(COLOSSEUM_LON, COLOSSEUM_LAT, 17)
    first = httpx.get(tile_url(world_server, 17, tile.x, tile.y))
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    with SampleWorld(rs_world(), seed=3) as twin:
        again = httpx.get(tile_url(twin, 17, tile.x, tile.y))
    assert again.content == first.content
    pixels = decode(first.content)
    assert pixels.shape == (256, 256, 3)
    assert pixels.std() > 5  # textured, never a uniform block
    swapped = httpx.get(world_server.urls()["tiles"].format(z=17, y=tile.x, x=tile.y))
    assert swapped.content != first.content  # y comes before x in the path


@pytest.mark.parametrize(("lon", "lat"), LANDMARK_SITES)
def test_landmark_footprint_is_drawn_at_its_coordinates(
    world_server: SampleWorld, lon: float, lat: float
) -> None:
    tile = mercantile.tile(lon, lat, 18)
    pixels = decode(httpx.get(tile_url(world_server, 18, tile.x, tile.y)).content)
    west, north = mercantile.xy(*mercantile.ul(tile))
    east, south = mercantile.xy(*mercantile.ul(tile.x + 1, tile.y + 1, tile.z))
    x, y = mercantile.xy(lon, lat)
    col = int((x - west) / (east - west) * 256)
    row = int((north - y) / (north - south) * 256)
    materials = LANDMARK_RGB
    centre = pixels[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3].reshape(-1, 3).mean(0)
    distance = np.abs(materials - centre).sum(axis=1).min()
    assert distance < 60, f"centre colour {centre} is not a landmark material"


def test_no_data_tiles_answer_the_grey_placeholder_or_404(world_server: SampleWorld) -> None:
    x, y = next((x, y) for x in range(2000) for y in (7, 8) if is_no_data_tile(18, x, y))
    assert not is_no_data_tile(17, x, y)
    answer = httpx.get(tile_url(world_server, 18, x, y))
    assert answer.status_code == 200
    grey = (np.abs(decode(answer.content).astype(int) - 204) <= 2).all(axis=-1).mean()
    assert grey >= 0.9
    refused = httpx.get(tile_url(world_server, 18, x, y), params={"blankTile": "false"})
    assert refused.status_code == 404
    ordinary = httpx.get(tile_url(world_server, 18, x + 1, y), params={"blankTile": "false"})
    assert ordinary.status_code == 200 or is_no_data_tile(18, x + 1, y)


def test_open_ocean_far_from_landmarks_has_no_imagery(
    world_server: SampleWorld, landscape: Landscape
) -> None:
    rng = np.random.default_rng(1)
    lons, lats = rng.uniform(-170, -120, 3000), rng.uniform(-40, 40, 3000)
    water = landscape.surface(lons, lats).cover == WATER
    lon, lat = lons[water][0], lats[water][0]
    tile = mercantile.tile(lon, lat, 17)
    answer = httpx.get(tile_url(world_server, 17, tile.x, tile.y), params={"blankTile": "false"})
    assert answer.status_code == 404


def test_bad_tile_addresses_are_404(world_server: SampleWorld) -> None:
    assert httpx.get(tile_url(world_server, 3, 8, 0)).status_code == 404
    assert httpx.get(world_server.urls()["tiles"].format(z="a", y=0, x=0)).status_code == 404


# -- Sentinel Hub ---------------------------------------------------------------------------------


def test_token_endpoint_answers_a_bearer_token_without_echoing_secrets(
    world_server: SampleWorld,
) -> None:
    url = world_server.urls()["sentinelhub_token"]
    form = {"grant_type": "client_credentials", "client_id": "me", "client_secret": "s3cret"}
    answer = httpx.post(url, data=form)
    body = answer.json()
    assert answer.status_code == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "s3cret" not in answer.text
    assert httpx.post(url, data={"client_id": "me"}).status_code == 400


def test_process_and_statistics_need_a_token(world_server: SampleWorld) -> None:
    base = world_server.urls()["sentinelhub"]
    for path in ("/api/v1/process", "/api/v1/statistics"):
        answer = httpx.post(base + path, json={})
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "COMMON_UNAUTHORIZED"


@pytest.mark.parametrize("mime", [MimeType.PNG, MimeType.TIFF])
def test_process_api_true_colour_through_sentinelhub_py(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape, mime: MimeType
) -> None:
    lon, lat = clear_point(landscape)
    image = true_colour(sh, box(lon, lat), mime)
    assert image.shape == (48, 64, 3) and image.dtype == np.uint8
    assert np.array_equal(image, true_colour(sh, box(lon, lat), mime))
    assert 20 < image.mean() < 200


def test_process_api_all_cloud_scene_in_a_cloudy_cell(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape
) -> None:
    lon, lat = cloudy_point(landscape)
    image = true_colour(sh, box(lon, lat), MimeType.PNG).astype(float)
    assert image.min() >= 190  # bright ...
    assert (image.max(axis=-1) - image.min(axis=-1)).max() <= 30  # ... and colourless
    assert image.std() > 1  # textured, not a uniform block


def test_process_api_generic_mode_returns_input_bands_as_float_tiff(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape
) -> None:
    config, s2 = sh
    lon, lat = class_patch(landscape, VEGETATION)
    request = SentinelHubRequest(
        evalscript=GENERIC_FLOAT,
        input_data=[SentinelHubRequest.input_data(s2, time_interval=("2024-07-01", "2024-07-31"))],
        responses=[SentinelHubRequest.output_response("default", MimeType.TIFF)],
        bbox=box(lon, lat, 0.001),
        size=(16, 16),
        config=config,
    )
    image = np.asarray(request.get_data()[0])
    assert image.shape == (16, 16, 2) and image.dtype == np.float32
    red, nir = image[..., 0], image[..., 1]
    assert (nir > 2 * red).all() and (nir < 1).all()  # vegetation in July, reflectance 0-1


def test_statistical_api_monthly_shape_matches_the_reference(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape
) -> None:
    lon, lat = clear_point(landscape)
    answer = statistical(sh, box(lon, lat))
    assert [e["interval"]["from"][:7] for e in answer["data"]] == [
        f"2024-{m:02d}" for m in range(1, 13)
    ]
    clear = [  # fully clouded months report "NaN" statistics, as the live service does
        e
        for e in answer["data"]
        if "outputs" in e and e["outputs"]["indices"]["bands"]["NDVI"]["stats"]["mean"] != "NaN"
    ]
    good = {"data": clear, "status": "OK"}
    wild = frozenset({"[].data[].outputs", "[].data[].outputs.*.bands"})
    recorded = shape(reference("sentinelhub/tests_TestInputs_normal_stat_result.json"), wild)
    ours = shape([good], wild)
    assert ours <= recorded, sorted(ours - recorded)
    outputs = good["data"][0]["outputs"]
    assert set(outputs) == {"indices", "reflectance", "scene"}  # dataMask is not reported
    assert list(outputs["reflectance"]["bands"]) == [f"B{i}" for i in range(6)]


def test_statistical_api_partial_results_keep_good_months(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape
) -> None:
    lon, lat = clear_point(landscape)
    answers = (statistical(sh, box(lon + i * 0.0005, lat)) for i in range(int(6 / ERROR_SHARE)))
    answer = next(a for a in answers if a["status"] == "PARTIAL")
    failed = [e for e in answer["data"] if "error" in e]
    assert failed and len(failed) < 12
    assert all(e["error"]["type"] == "EXECUTION_ERROR" for e in failed)
    assert all(set(e) == {"interval", "error"} for e in failed)
    recorded = reference("sentinelhub/tests_TestInputs_normal_stat_partial_result.json")[0]
    assert recorded["status"] == answer["status"]
    assert {"interval", "error"} in [set(e) for e in recorded["data"]]


def test_statistical_indices_agree_with_the_land_cover(
    sh: tuple[SHConfig, DataCollection], landscape: Landscape
) -> None:
    def mean_index(cover: int, band: str) -> float:
        lon, lat = class_patch(landscape, cover)
        means = [
            e["outputs"]["indices"]["bands"][band]["stats"]["mean"]
            for e in statistical(sh, box(lon, lat, 0.002))["data"][5:8]
            if "outputs" in e
        ]
        values = [m for m in means if m != "NaN"]
        assert values, "every summer month failed or was cloudy"
        return float(np.mean(values))

    assert mean_index(VEGETATION, "NDVI") > 0.5
    assert mean_index(WATER, "NDWI") > 0.2
    assert mean_index(WATER, "NDVI") < 0


def test_optional_collections_dem_land_cover_lst(
    sh: tuple[SHConfig, DataCollection], world_server: SampleWorld
) -> None:
    base = world_server.urls()["sentinelhub"]
    around = box(COLOSSEUM_LON, COLOSSEUM_LAT)
    cases = {
        "dem": ("DEM", "elevation", "DEM"),
        "lst": ("LST", "lst", "LST_C"),
        "land-cover": ("Map", "land_cover", "built_up"),
    }
    found = {}
    for api_id, (band, output, name) in cases.items():
        collection = DataCollection.define(
            f"T_{api_id}_{os.getpid()}", api_id=api_id, service_url=base
        )
        script = ONE_BAND.format(band=band, output=output, name=name)
        answer = statistical(sh, around, script, collection, interval="P1Y")
        assert answer["status"] == "OK" and len(answer["data"]) == 1
        found[api_id] = answer["data"][0]["outputs"][output]["bands"][name]["stats"]["mean"]
    assert 0 <= found["dem"] < 3000
    assert 0 < found["lst"] < 40
    assert found["land-cover"] > 0.5  # the Colosseum sits in built-up land


def test_unknown_collections_and_bands_are_refused_with_400(
    sh: tuple[SHConfig, DataCollection], world_server: SampleWorld
) -> None:
    base = world_server.urls()["sentinelhub"]
    token = httpx.post(
        world_server.urls()["sentinelhub_token"],
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    ).json()["access_token"]
    payload = {
        "input": {
            "bounds": {"bbox": [12.49, 41.89, 12.5, 41.9]},
            "data": [{"type": "byoc-unknown"}],
        },
        "aggregation": {
            "evalscript": ONE_BAND.format(band="DEM", output="dem", name="DEM"),
            "timeRange": {"from": "2024-01-01T00:00:00Z", "to": "2024-12-31T23:59:59Z"},
            "aggregationInterval": {"of": "P1Y"},
        },
    }
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(f"{base}/api/v1/statistics", json=payload, headers=headers)
    assert answer.status_code == 400
    assert "byoc-unknown" in answer.json()["error"]["message"]
    payload["input"]["data"] = [{"type": "sentinel-2-l2a"}]  # type: ignore[index]
    answer = httpx.post(f"{base}/api/v1/statistics", json=payload, headers=headers)
    assert answer.status_code == 400  # DEM is not a Sentinel-2 band
    assert "DEM" in answer.json()["error"]["message"]


# -- climate --------------------------------------------------------------------------------------

DAILY = "temperature_2m_mean,precipitation_sum,wind_speed_10m_mean,surface_pressure_mean"


def climate(server: SampleWorld, lat: float, lon: float, **extra: str) -> httpx.Response:
    params = {
        "latitude": str(lat),
        "longitude": str(lon),
        "start_date": "2020-01-01",
        "end_date": "2020-12-31",
        "daily": DAILY,
        **extra,
    }
    return httpx.get(server.urls()["climate"], params=params)


def test_climate_answers_the_open_meteo_shape(world_server: SampleWorld) -> None:
    body = climate(world_server, 48.8582, 2.2945).json()
    assert {"latitude", "longitude", "elevation", "daily_units", "daily"} <= set(body)
    assert (body["latitude"], body["longitude"]) == (48.75, 2.25)  # the 0.25° grid cell
    assert len(body["daily"]["time"]) == 366 and body["daily"]["time"][0] == "2020-01-01"
    assert all(len(body["daily"][v]) == 366 for v in DAILY.split(","))
    assert body["daily_units"]["wind_speed_10m_mean"] == "km/h"
    metric = climate(world_server, 48.8582, 2.2945, wind_speed_unit="ms").json()
    assert metric["daily_units"]["wind_speed_10m_mean"] == "m/s"
    kmh = np.array(body["daily"]["wind_speed_10m_mean"])
    assert np.allclose(kmh, np.array(metric["daily"]["wind_speed_10m_mean"]) * 3.6, atol=0.03)
    same_cell = climate(world_server, 48.80, 2.30).json()
    assert same_cell["daily"] == body["daily"]


def test_climate_is_plausible_by_latitude_and_hemisphere(world_server: SampleWorld) -> None:
    def mean(lat: float, var: str, months: slice = slice(None)) -> float:
        daily = climate(world_server, lat, 10.0).json()["daily"]
        return float(np.mean(daily[var][months]))

    assert mean(0.0, "temperature_2m_mean") > mean(60.0, "temperature_2m_mean") + 15
    january, july = slice(0, 31), slice(182, 213)
    assert mean(-45.0, "temperature_2m_mean", july) < mean(-45.0, "temperature_2m_mean", january)
    assert mean(45.0, "temperature_2m_mean", july) > mean(45.0, "temperature_2m_mean", january)
    assert 900 < mean(10.0, "surface_pressure_mean") < 1030
    assert 0 < mean(10.0, "precipitation_sum") * 366 < 5000


def test_climate_refusals_use_open_meteo_errors(world_server: SampleWorld) -> None:
    answer = climate(world_server, 10.0, 10.0, daily="sunshine_hours_fake")
    assert answer.status_code == 400 and answer.json()["error"] is True
    assert "sunshine_hours_fake" in answer.json()["reason"]
    backwards = climate(world_server, 10.0, 10.0, start_date="2021-01-01")
    assert backwards.status_code == 400


# -- faults and counters --------------------------------------------------------------------------


def test_faults_and_counters_apply_to_every_remote_sensing_endpoint() -> None:
    with SampleWorld(rs_world(), faults=FaultConfig(rate_429=1.0, max_consecutive=1)) as server:
        urls = server.urls()
        token = urls["sentinelhub_token"]
        form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
        calls = [
            lambda: httpx.get(urls["tiles"].format(z=5, y=11, x=16)),
            lambda: httpx.post(token, data=form),
            lambda: httpx.post(urls["sentinelhub"] + "/api/v1/process", json={}),
            lambda: httpx.post(urls["sentinelhub"] + "/api/v1/statistics", json={}),
            lambda: climate(server, 1.0, 1.0),
        ]
        first = [call().status_code for call in calls]
        second = [call().status_code for call in calls]
        stats = server.stats()
    assert first == [429] * 5
    assert second == [200, 200, 401, 401, 200]
    for endpoint in ("tiles", "climate", *SH_ENDPOINTS):
        assert stats["requests"][endpoint] == 2
        assert stats["statuses"][endpoint]["429"] == 1
    assert stats["faults"]["429"] == 5
