"""The country check on border cases: coast, the Vatican inside Rome, territories, sign errors,
the open sea, marine landmarks and disputed places (Natural Earth borders, real coordinates)."""

from __future__ import annotations

import numpy as np
import pytest

from rswk.core.borders import CountryBorders
from rswk.core.country_rules import administered, check_point, points_consistent
from rswk.core.records import RejectReason


@pytest.fixture(scope="module")
def borders() -> CountryBorders:
    return CountryBorders.load()


def test_coastal_landmark_passes_within_the_tolerance(borders: CountryBorders) -> None:
    verdict = check_point(borders, 40.68925, -74.0445, "US")  # Statue of Liberty
    assert verdict.ok and 1_000 < verdict.distance_m < 2_000 and verdict.flags == ()


def test_vatican_inside_rome_both_ways(borders: CountryBorders) -> None:
    st_peters = (41.90222, 12.45389)
    assert check_point(borders, *st_peters, "VA").ok
    # A Rome landmark claimed by Italy whose point falls in the Vatican enclave is still Italy's:
    # the enclave is a few hundred metres from Italian land.
    assert check_point(borders, *st_peters, "IT").ok
    assert check_point(borders, 41.8902, 12.4922, "IT").distance_m == 0.0  # Colosseum


def test_overseas_territories_count_for_their_sovereign(borders: CountryBorders) -> None:
    nuuk = check_point(borders, 64.1814, -51.6941, "DK")
    assert nuuk.ok and "territory:GL" in nuuk.flags
    noumea = check_point(borders, -22.2758, 166.4580, "FR")
    assert noumea.ok and "territory:NC" in noumea.flags
    # Réunion has no polygon of its own in Natural Earth: it is drawn inside France's.
    assert check_point(borders, -20.8789, 55.4481, "RE").ok
    assert "GL" in administered("DK") and "DK" in administered("GL")


def test_sign_flipped_longitude_is_a_sign_error_not_a_mismatch(borders: CountryBorders) -> None:
    # Statue of Liberty with its longitude sign lost: the point lies in Kyrgyzstan/China.
    verdict = check_point(borders, 40.68925, 74.0445, "US")
    assert verdict.reason is RejectReason.LIKELY_SIGN_ERROR
    assert "longitude" in verdict.detail and not verdict.ok
    opera = check_point(borders, -33.8568, -151.2153, "AU")  # Sydney Opera House, flipped
    assert opera.reason is RejectReason.LIKELY_SIGN_ERROR


def test_point_in_the_sea_and_in_another_country(borders: CountryBorders) -> None:
    sea = check_point(borders, 38.7, -10.25, "PT")  # the sample world's sea trap
    assert sea.reason is RejectReason.OUTSIDE_LAND and sea.distance_m > 25_000
    eiffel_in_germany = check_point(borders, 48.85826, 2.2945, "DE")
    assert eiffel_in_germany.reason is RejectReason.COUNTRY_MISMATCH
    assert "inside FR" in eiffel_in_germany.detail


def test_marine_landmarks_may_lie_at_sea(borders: CountryBorders) -> None:
    reef = check_point(borders, 38.7, -10.25, "PT", marine=True)
    assert reef.ok and "at_sea" in reef.flags
    far = check_point(borders, 30.0, -40.0, "PT", marine=True)  # mid-Atlantic, >1000 km
    assert not far.ok


def test_disputed_places_pass_with_a_flag(borders: CountryBorders) -> None:
    laayoune = check_point(borders, 27.1536, -13.2033, "MA")  # in Western Sahara (EH)
    assert laayoune.ok and any(f.startswith("disputed:") for f in laayoune.flags)
    simferopol = check_point(borders, 44.9521, 34.1024, "UA")
    assert simferopol.ok and "disputed:crimea" in simferopol.flags


def test_vectorised_check_agrees_with_the_single_point_rules(borders: CountryBorders) -> None:
    lats = np.array([48.85826, 40.68925, 38.7, 64.1814, 40.68925])
    lons = np.array([2.2945, -74.0445, -10.25, -51.6941, 74.0445])
    codes = np.array(["FR", "US", "PT", "DK", "US"], dtype=object)
    marine = np.zeros(5, dtype=bool)
    assert points_consistent(borders, lats, lons, codes, marine).tolist() == [
        True,
        True,
        False,
        True,
        False,
    ]
