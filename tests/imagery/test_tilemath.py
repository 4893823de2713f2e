"""Georeferencing and zoom: the landmark lands on the image centre, bboxes are exact."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Transformer

from crawlers.imagery.tilemath import (
    OutsideMercator,
    ground_sample_distance,
    metres_per_pixel,
    window_centred_on,
    zoom_for_footprint,
)

TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
TO_4326 = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
LATITUDES = [-60.0, -59.9731, -33.8568, 0.0, 27.1751, 48.8584, 59.9311, 60.0]


def landmarks(seed: int, lat: float, count: int = 5) -> list[tuple[float, float]]:
    gen = np.random.default_rng(seed)
    return [(lat + gen.uniform(-0.01, 0.01), gen.uniform(-179.9, 179.9)) for _ in range(count)]


@pytest.mark.parametrize("lat", LATITUDES)
@pytest.mark.parametrize("zoom", [15, 17, 19])
def test_landmark_maps_to_image_centre_within_one_pixel(lat: float, zoom: int) -> None:
    for point_lat, point_lon in landmarks(int(abs(lat) * 1000) + zoom, lat):
        window = window_centred_on(point_lat, point_lon, zoom, 512, 512)
        # Independently of the tile math: project with pyproj into the window's 3857 bbox.
        west, south, east, north = window.bbox_3857()
        x, y = TO_3857.transform(point_lon, point_lat)
        col = (x - west) / (east - west) * window.width
        row = (north - y) / (north - south) * window.height
        assert abs(col - 256) <= 1.0 and abs(row - 256) <= 1.0, (col, row)
        assert window.pixel_of(point_lat, point_lon) == pytest.approx((col, row), abs=1e-6)


@pytest.mark.parametrize("lat", LATITUDES)
def test_bboxes_agree_and_have_the_pixel_size(lat: float) -> None:
    window = window_centred_on(lat, 12.5, 17, 512, 384)
    west, south, east, north = window.bbox_3857()
    assert east - west == pytest.approx(512 * metres_per_pixel(17))
    assert north - south == pytest.approx(384 * metres_per_pixel(17))
    lon_w, lat_s = TO_4326.transform(west, south)
    lon_e, lat_n = TO_4326.transform(east, north)
    assert window.bbox_4326() == pytest.approx((lon_w, lat_s, lon_e, lat_n), abs=1e-9)
    assert lat_s < lat < lat_n


def test_ground_sample_distance_follows_cos_latitude() -> None:
    assert ground_sample_distance(0, 17) == pytest.approx(1.1943, abs=1e-4)
    assert ground_sample_distance(60, 17) == pytest.approx(1.1943 / 2, abs=1e-4)
    assert ground_sample_distance(0, 0) == pytest.approx(156543.03392, abs=1e-4)


def test_tiles_cover_the_window_and_wrap_at_the_antimeridian() -> None:
    window = window_centred_on(-16.5, 179.9999, 15, 512, 512)
    tiles = window.tiles()
    xs, columns = {t.x for t in tiles}, sorted({t.column for t in tiles})
    assert {0, 2**15 - 1} <= xs <= {2**15 - 2, 2**15 - 1, 0, 1}
    assert columns == list(range(columns[0], columns[-1] + 1))  # unwrapped, contiguous
    # Every window pixel is covered by exactly one tile.
    covered = np.zeros((512, 512), dtype=int)
    for tile in tiles:
        dx, dy = window.tile_offset(tile)
        covered[max(dy, 0) : max(dy + 256, 0), max(dx, 0) : max(dx + 256, 0)] += 1
    assert (covered == 1).all()
    west, _, east, _ = window.bbox_4326()
    assert west > east  # crosses the antimeridian


def test_window_beyond_the_mercator_square_is_refused() -> None:
    with pytest.raises(OutsideMercator, match="Web Mercator"):
        window_centred_on(85.05, 0.0, 3, 512, 512)


def framing_zoom(area: float | None, lat: float) -> int:
    """The zoom for a 512 px image with zooms 12..19, default 17 and margin 1.5."""
    return zoom_for_footprint(area, lat, 512, min_zoom=12, max_zoom=19, default_zoom=17, margin=1.5)


def test_zoom_from_footprint_is_the_largest_that_frames_it() -> None:
    # 80 m side x 1.5 = 120 m: fits z19 (0.30 m/px x 512 = 153 m) at the equator.
    assert framing_zoom(80**2, 0.0) == 19
    # 300 m side x 1.5 = 450 m: z18 is 306 m wide, z17 611 m -> 17.
    assert framing_zoom(300**2, 0.0) == 17
    # At 60 degrees the ground pixel halves: the same footprint needs one zoom less.
    assert framing_zoom(300**2, 60.0) == 16
    # Far too big -> min zoom; unknown or zero area -> default.
    assert framing_zoom(1e12, 0.0) == 12
    assert framing_zoom(None, 0.0) == 17
    assert framing_zoom(0.0, 0.0) == 17


@pytest.mark.parametrize("area", [50.0, 4_000.0, 250_000.0, 3_000_000.0])
@pytest.mark.parametrize("lat", [0.0, 45.0, -60.0])
def test_chosen_zoom_frames_the_footprint_and_the_next_does_not(area: float, lat: float) -> None:
    chosen = framing_zoom(area, lat)
    needed = math.sqrt(area) * 1.5
    if chosen > 12:
        assert needed <= 512 * ground_sample_distance(lat, chosen)
    if chosen < 19:
        assert needed > 512 * ground_sample_distance(lat, chosen + 1)
