"""Great-circle distance and the country check of a coordinate (rswk.core.country_rules)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rswk.core.borders import CountryBorders
from rswk.core.country_rules import COASTAL_TOLERANCE_M, CountryRules, check_point
from rswk.core.landmark_classes import is_marine
from rswk.core.records import RejectReason

__all__ = ["COUNTRY_TOLERANCE_M", "CountryCheck", "check_country", "haversine_m", "is_marine"]

EARTH_RADIUS_M = 6_371_008.8
# Kept for callers that name the coastal tolerance through locate.
COUNTRY_TOLERANCE_M = COASTAL_TOLERANCE_M


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
    flags: tuple[str, ...] = ()


def check_country(
    borders: CountryBorders,
    lat: float,
    lon: float,
    iso2: str,
    tolerance_m: float = COASTAL_TOLERANCE_M,
    *,
    marine: bool = False,
    rules: CountryRules | None = None,
) -> CountryCheck:
    """Is (lat, lon) in `iso2` under the country rules (territories, sea, sign errors, disputes)?"""
    rules = rules or CountryRules(coastal_tolerance_m=tolerance_m)
    verdict = check_point(borders, lat, lon, iso2, marine=marine, rules=rules)
    return CountryCheck(
        distance_m=verdict.distance_m,
        problem=verdict.reason,
        detail=verdict.detail,
        checked=verdict.checked,
        flags=verdict.flags,
    )
