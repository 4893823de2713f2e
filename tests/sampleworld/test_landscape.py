"""The procedural landscape and the pieces behind the Sentinel Hub endpoints: noise, land cover,
reflectance, footprints, evalscript reading and aggregation intervals."""

from __future__ import annotations

import numpy as np
import pytest

from rswk.sampleworld.landscape import (
    BUILT_UP,
    VEGETATION,
    WATER,
    Landscape,
    vegetation_season,
)
from rswk.sampleworld.noise import fractal_noise, value_noise
from rswk.sampleworld.sh_bands import BandError, output_quantities
from rswk.sampleworld.sh_evalscript import (
    EvalscriptError,
    evaluate_expression,
    parse_evalscript,
)
from rswk.sampleworld.sh_statistics import StatisticsError, intervals
from rswk.sampleworld.tiles import tile_lonlat
from tests.sampleworld.rs_world import COLOSSEUM, COLOSSEUM_LAT, COLOSSEUM_LON, rs_world


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return Landscape(rs_world(), seed=3)


def test_grid_noise_equals_pointwise_noise() -> None:
    xs = np.linspace(1000.0, 1300.0, 64)[None, :]
    ys = np.linspace(5000.0, 4700.0, 48)[:, None]
    grid = value_noise(xs, ys, 6.0, seed=5)
    points = value_noise(np.broadcast_to(xs, (48, 64)), np.broadcast_to(ys, (48, 64)), 6.0, 5)
    assert grid.shape == (48, 64)
    assert np.allclose(grid, points)
    assert grid.min() >= 0.0 and grid.max() < 1.0
    assert not np.allclose(value_noise(xs, ys, 6.0, seed=6), grid)


def test_fractal_noise_is_smooth_and_bounded() -> None:
    x = np.linspace(0.0, 100.0, 1001)
    field = fractal_noise(x, np.zeros_like(x), (500.0, 100.0), seed=1)
    assert field.min() >= 0.0 and field.max() < 1.0
    assert np.abs(np.diff(field)).max() < 0.05


def test_land_cover_mixes_every_class_and_landmarks_are_built_up(landscape: Landscape) -> None:
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-20, 40, 20_000), rng.uniform(-40, 60, 20_000)
    shares = np.bincount(landscape.surface(lon, lat).cover, minlength=4) / lon.size
    assert (shares > 0.03).all(), shares
    at_landmark = landscape.surface(np.array([COLOSSEUM_LON]), np.array([COLOSSEUM_LAT]))
    assert at_landmark.cover[0] == BUILT_UP and at_landmark.landmark[0] >= 0


def test_footprint_side_follows_the_area(landscape: Landscape) -> None:
    assert COLOSSEUM.area_m2 is not None
    side_m = np.sqrt(COLOSSEUM.area_m2)
    lat = COLOSSEUM_LAT
    metres_per_deg = 111_320.0 * np.cos(np.radians(lat))
    offsets_m = np.array([0.4, 0.6]) * side_m  # just inside / just outside the half side
    lon = COLOSSEUM_LON + offsets_m / metres_per_deg
    inside = landscape.surface(lon, np.full(2, lat)).landmark >= 0
    assert inside.tolist() == [True, False]


def test_reflectance_gives_index_signs_by_class(landscape: Landscape) -> None:
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(0, 20, 5000), rng.uniform(40, 55, 5000)
    surface = landscape.surface(lon, lat)
    bands = landscape.reflectance(surface, lat, month=7)
    ndvi = (bands["B08"] - bands["B04"]) / (bands["B08"] + bands["B04"])
    ndwi = (bands["B03"] - bands["B08"]) / (bands["B03"] + bands["B08"])
    ndbi = (bands["B11"] - bands["B08"]) / (bands["B11"] + bands["B08"])
    assert (ndvi[surface.cover == VEGETATION] > 0.5).all()
    assert (ndwi[surface.cover == WATER] > 0).all() and (ndvi[surface.cover == WATER] < 0).all()
    assert (ndbi[surface.cover == BUILT_UP] > 0).all()
    assert all(((v > 0) & (v < 1)).all() for v in bands.values())


def test_vegetation_season_is_opposite_in_the_hemispheres() -> None:
    assert vegetation_season(50.0, 7) > vegetation_season(50.0, 1)
    assert vegetation_season(-50.0, 1) > vegetation_season(-50.0, 7)
    assert abs(float(vegetation_season(0.0, 1) - vegetation_season(0.0, 7))) < 0.01


@pytest.mark.parametrize("lat", [-60.0, 0.0, 45.0, 60.0])
def test_tile_pixel_centres_run_west_east_and_north_south(lat: float) -> None:
    import mercantile

    tile = mercantile.tile(10.0, lat, 17)
    lon, lats = tile_lonlat(17, tile.x, tile.y)
    bounds = mercantile.bounds(tile)
    assert lon.shape == (1, 256) and lats.shape == (256, 1)
    assert bounds.west < lon[0, 0] < lon[0, -1] < bounds.east
    assert bounds.north > lats[0, 0] > lats[-1, 0] > bounds.south


def test_evalscript_reading() -> None:
    script = parse_evalscript(
        """//VERSION=3
        // a comment with an apostrophe: it's ignored
        function setup() {
          return {input: [{bands: ["B04", "B08", "dataMask"], units: "REFLECTANCE"}],
                  output: [{id: "ndvi", bands: 1, sampleType: SampleType.FLOAT32},
                           {id: "pair", bands: ["RED", "NIR"]}]};
        }
        function evaluatePixel(sample) { return [sample.B08 - sample.B04]; }"""
    )
    assert script.input_bands == ("B04", "B08", "dataMask")
    assert [(o.id, o.bands, o.sample_type) for o in script.outputs] == [
        ("ndvi", ("B0",), "FLOAT32"),
        ("pair", ("RED", "NIR"), "AUTO"),
    ]
    assert script.pixel_return == ("B08 - B04",)
    assert output_quantities(script.outputs[0], script.input_bands) == ("NDVI",)
    assert output_quantities(script.outputs[1], script.input_bands) == ("B04", "B08")
    bands = {"B04": np.array([0.1]), "B08": np.array([0.5])}
    assert evaluate_expression("2 * (B08 - B04) / -1", bands)[0] == pytest.approx(-0.8)
    with pytest.raises(EvalscriptError):
        evaluate_expression("Math.max(B04, 1)", bands)
    with pytest.raises(EvalscriptError):
        parse_evalscript("function evaluatePixel(s) { return [s.B04]; }")


def test_unknown_output_bands_are_refused() -> None:
    script = parse_evalscript(
        'function setup() { return {input: ["B04"], output: {id: "x", bands: ["WEIRD"]}}; }'
    )
    with pytest.raises(BandError, match="WEIRD"):
        output_quantities(script.outputs[0], script.input_bands)


def test_monthly_intervals_cover_a_year_sent_as_sentinelhub_py_sends_it() -> None:
    months = intervals(
        {
            "timeRange": {"from": "2024-01-01T00:00:00Z", "to": "2024-12-31T23:59:59Z"},
            "aggregationInterval": {"of": "P1M"},
        }
    )
    assert len(months) == 12
    assert months[1].as_json() == {"from": "2024-02-01T00:00:00Z", "to": "2024-03-01T00:00:00Z"}
    days = intervals(
        {
            "timeRange": {"from": "2024-01-01T00:00:00Z", "to": "2024-01-10T12:00:00Z"},
            "aggregationInterval": {"of": "P3D", "lastIntervalBehavior": "SHORTEN"},
        }
    )
    assert [d.as_json()["to"] for d in days][-1] == "2024-01-10T12:00:00Z"
    with pytest.raises(StatisticsError):
        intervals(
            {"timeRange": {"from": "2024-01-01", "to": "2024-02-01"}, "aggregationInterval": {}}
        )
