"""The prepared outlines give the same distances as projecting the whole outline (the former
method, computed here independently with pyproj), and the batch in-polygon test agrees."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely

from rswk.core.borders import CountryBorders


@pytest.fixture(scope="module")
def borders() -> CountryBorders:
    return CountryBorders.load()


def whole_outline_m(borders: CountryBorders, lat: float, lon: float, iso2: str) -> float:
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    to_local = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    outline = shapely.transform(
        borders.polygon(iso2).boundary, to_local.transform, interleaved=False
    )
    return float(outline.distance(shapely.Point(0.0, 0.0)))


@pytest.mark.parametrize(
    ("lat", "lon", "iso2"),
    [
        (40.68925, -74.0445, "US"),  # Statue of Liberty, 1.2 km off
        (38.7, -10.25, "PT"),  # 60 km west of Lisbon
        (69.5, 17.0, "NO"),  # among the fjords
        (64.0, -179.5, "RU"),  # next to the antimeridian (Chukotka spans it)
        (-54.8, -65.0, "AR"),  # Tierra del Fuego
        (30.0, -40.0, "US"),  # mid-Atlantic, thousands of km
        (0.5, 120.5, "ID"),  # between Indonesian islands
    ],
)
def test_prepared_distance_matches_the_whole_outline(
    borders: CountryBorders, lat: float, lon: float, iso2: str
) -> None:
    expected = whole_outline_m(borders, lat, lon, iso2)
    assert borders.distance_to_country_m(lat, lon, iso2) == pytest.approx(expected, rel=0.01)


def test_contains_many_agrees_with_single_points(borders: CountryBorders) -> None:
    rng = np.random.default_rng(4)
    codes = np.array(rng.choice(["FR", "US", "BR", "CN", "XX", "AU"], 400), dtype=object)
    lats = rng.uniform(-60, 70, 400)
    lons = rng.uniform(-180, 180, 400)
    for i in range(0, 400, 2):  # every other point drawn inside its (or a) country
        ((lats[i], lons[i]),) = borders.random_points_in(
            codes[i] if codes[i] != "XX" else "FR", 1, rng
        )
    expected = [
        code in borders.iso_codes() and borders.country_at(la, lo) == code
        for la, lo, code in zip(lats, lons, codes, strict=True)
    ]
    assert borders.contains_many(codes, lats, lons).tolist() == expected
    assert 100 < sum(expected) < 300  # both answers occur
