"""Country borders from Natural Earth: lookups, metric distances, sampling, the GeoParquet cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rswk.core.borders import CACHE_NAME, CountryBorders
from rswk.core.errors import RSWKError


@pytest.fixture(scope="module")
def borders() -> CountryBorders:
    return CountryBorders.load()


def test_landmarks_fall_in_their_countries(borders: CountryBorders) -> None:
    assert borders.country_at(48.85826, 2.2945) == "FR"  # Eiffel Tower
    assert borders.distance_to_country_m(48.85826, 2.2945, "FR") == 0.0
    assert borders.country_at(35.6586, 139.7454) == "JP"  # Tokyo Tower


def test_coastal_landmark_is_close_to_its_country(borders: CountryBorders) -> None:
    # The Statue of Liberty lies just outside Natural Earth's 10 m coastline.
    distance = borders.distance_to_country_m(40.68925, -74.0445, "US")
    assert 0.0 < distance < 2000.0


def test_st_peters_square_is_near_the_vatican(borders: CountryBorders) -> None:
    assert borders.country_at(41.9022, 12.4568) in {"VA", "IT"}
    assert borders.distance_to_country_m(41.9022, 12.4568, "VA") < 500.0


def test_open_sea_is_in_no_country(borders: CountryBorders) -> None:
    assert borders.country_at(30.0, -40.0) is None
    assert borders.distance_to_country_m(30.0, -40.0, "US") > 1_000_000.0


@pytest.mark.parametrize("iso2", ["FJ", "NO", "VA", "RU", "CL"])
def test_random_points_are_inside(borders: CountryBorders, iso2: str) -> None:
    points = borders.random_points_in(iso2, 40, np.random.default_rng(1))
    assert len(points) == 40
    lats, lons = np.array(points).T
    assert borders.countries_at(lats, lons) == [iso2] * 40
    again = borders.random_points_in(iso2, 40, np.random.default_rng(1))
    assert again == points


def test_codes_and_errors(borders: CountryBorders) -> None:
    codes = borders.iso_codes()
    assert len(codes) > 230 and "-99" not in codes and {"FR", "NO", "XK"} <= set(codes)
    assert borders.name("FR") == "France"
    with pytest.raises(RSWKError, match="'ZZ'"):
        borders.polygon("ZZ")


def test_prepared_once_into_the_cache_dir(tmp_path: Path) -> None:
    first = CountryBorders.load(tmp_path)
    assert (tmp_path / CACHE_NAME).is_file()
    assert CountryBorders.load(tmp_path) is first  # memoised per process
    CountryBorders._memo.clear()
    reloaded = CountryBorders.load(tmp_path)  # now read from the GeoParquet file
    assert reloaded.iso_codes() == first.iso_codes()
    assert reloaded.country_at(48.85826, 2.2945) == "FR"
