"""Great-circle distance and the country check of a coordinate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rswk.core.borders import CountryBorders
from rswk.core.records import RejectReason

EARTH_RADIUS_M = 6_371_008.8
# Coastal landmarks sit just outside the 10 m Natural Earth coastline (the Statue of Liberty
# 1.2 km, Burj Al Arab 0.8 km); anything farther than this from its claimed country is wrong.
COUNTRY_TOLERANCE_M = 25_000.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two (lat, lon) points on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class CountryCheck:
    """Distance to the claimed country, and the problem if the point is not plausibly in it."""

    distance_m: float
    problem: RejectReason | None = None
    detail: str = ""
    checked: bool = True


def check_country(
    borders: CountryBorders, lat: float, lon: float, iso2: str, tolerance_m: float
) -> CountryCheck:
    """Is (lat, lon) in `iso2`, or within `tolerance_m` of it? If not, on whose land, if any?"""
    if iso2 not in borders.iso_codes():
        return CountryCheck(distance_m=0.0, checked=False)
    distance = borders.distance_to_country_m(lat, lon, iso2)
    if distance <= tolerance_m:
        return CountryCheck(distance_m=distance)
    where = f"({lat:.5f}, {lon:.5f}) is {distance / 1000:.1f} km from {iso2}"
    other = borders.country_at(lat, lon)
    if other is None:
        return CountryCheck(distance, RejectReason.OUTSIDE_LAND, f"{where}, on no country's land")
    return CountryCheck(distance, RejectReason.COUNTRY_MISMATCH, f"{where}, inside {other}")
