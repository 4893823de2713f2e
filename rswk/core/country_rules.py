"""Is a landmark's point consistent with its country? One set of rules for locate and curation.

A point passes when it lies in its country's polygon, within the coastal tolerance of it, or in a
territory the country administers (the sovereignty table: GL under DK, RE under FR...). Marine
landmarks (reefs, archipelagos: `marine` in the class table) may lie farther out at sea. A point
that misses its country but lands in it with a latitude or longitude sign flipped is a likely sign
error, rejected as such. A point in a disputed area, or on land that a disputed pair of countries
both claim, passes with a `disputed:` flag, so it is visible rather than silently passed. The
borders are Natural Earth's (rswk.core.borders), the only border model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rswk.core.borders import CountryBorders
from rswk.core.records.base import RejectReason

# Coastal landmarks sit just outside the 10 m Natural Earth coastline (the Statue of Liberty
# 1.2 km, Burj Al Arab 0.8 km); anything farther than this from its claimed country is wrong.
COASTAL_TOLERANCE_M = 25_000.0
# Reefs, marine reserves and archipelagos lie at sea, within this distance of their coast.
MARINE_TOLERANCE_M = 200_000.0

# Territory -> the country that administers it. Natural Earth draws some of them inside their
# sovereign's polygon (RE, GF, MQ, GP, YT inside FR; SJ inside NO), others apart (GL, NC, PR...).
SOVEREIGN: dict[str, str] = {
    # Denmark
    "GL": "DK",
    "FO": "DK",
    # France
    **dict.fromkeys(("RE", "GF", "MQ", "GP", "YT", "NC", "PF", "PM", "BL", "MF", "WF", "TF"), "FR"),
    # Netherlands
    **dict.fromkeys(("CW", "AW", "SX", "BQ"), "NL"),
    # United Kingdom (overseas territories and crown dependencies)
    **dict.fromkeys(
        ("PN", "BM", "KY", "VG", "AI", "MS", "TC", "FK", "GI", "GS", "IO", "SH", "GG", "JE", "IM"),
        "GB",
    ),
    # United States
    **dict.fromkeys(("PR", "GU", "AS", "VI", "MP", "UM"), "US"),
    # Australia
    **dict.fromkeys(("CX", "CC", "NF", "HM"), "AU"),
    # New Zealand (realm)
    **dict.fromkeys(("CK", "NU", "TK"), "NZ"),
    # China (special administrative regions)
    **dict.fromkeys(("HK", "MO"), "CN"),
    # Norway and Finland
    **dict.fromkeys(("SJ", "BV"), "NO"),
    "AX": "FI",
}

# Pairs of countries that dispute land the other administers (claimed -> found there passes).
DISPUTED_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("MA", "EH"),
        ("RS", "XK"),
        ("CN", "TW"),
        ("IL", "PS"),
        ("AR", "FK"),
        ("GB", "AR"),
        ("IN", "PK"),
        ("IN", "CN"),
        ("UA", "RU"),
        ("GE", "RU"),
        ("CY", "TR"),
        ("SY", "IL"),
        ("SD", "SS"),
        ("JP", "RU"),
    )
)


@dataclass(frozen=True)
class DisputedArea:
    """A disputed area as a lon/lat box (approximate: it only adds a flag) and its claimants."""

    name: str
    west: float
    south: float
    east: float
    north: float
    claimants: frozenset[str]

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def _area(name: str, box: tuple[float, float, float, float], *claimants: str) -> DisputedArea:
    return DisputedArea(name, *box, frozenset(claimants))


DISPUTED_AREAS: tuple[DisputedArea, ...] = (
    _area("crimea", (32.4, 44.3, 36.7, 46.3), "UA", "RU"),
    _area("kashmir", (72.5, 32.2, 80.3, 37.1), "IN", "PK", "CN"),
    _area("golan_heights", (35.6, 32.6, 35.95, 33.35), "SY", "IL"),
    _area("northern_cyprus", (32.7, 35.1, 34.6, 35.7), "CY", "TR"),
    _area("abkhazia", (40.0, 42.4, 42.2, 43.6), "GE", "RU"),
    _area("south_ossetia", (43.4, 42.0, 44.6, 42.7), "GE", "RU"),
    _area("arunachal_pradesh", (91.5, 26.6, 97.4, 29.5), "IN", "CN"),
    _area("western_sahara", (-17.2, 20.7, -8.6, 27.7), "MA", "EH"),
)


@dataclass(frozen=True)
class CountryRules:
    """The tolerances of the country check (metres)."""

    coastal_tolerance_m: float = COASTAL_TOLERANCE_M
    marine_tolerance_m: float = MARINE_TOLERANCE_M


@dataclass(frozen=True, slots=True)
class Verdict:
    """The country check of one point: whether it passes, why not, and findings that do not reject.

    `distance_m` is to the nearest polygon the country answers for (0 inside); `checked` is False
    when neither the country nor its sovereign has a polygon (nothing to check against).
    """

    ok: bool
    distance_m: float
    reason: RejectReason | None = None
    detail: str = ""
    flags: tuple[str, ...] = field(default_factory=tuple)
    checked: bool = True


def administered(iso2: str) -> list[str]:
    """The codes whose land counts as `iso2`'s: itself, its territories and its sovereign."""
    codes = [iso2, *sorted(t for t, s in SOVEREIGN.items() if s == iso2)]
    if iso2 in SOVEREIGN:
        codes.append(SOVEREIGN[iso2])
    return codes


def _disputed(claimed: str, other: str | None) -> bool:
    if other is None:
        return False
    pair = frozenset({SOVEREIGN.get(claimed, claimed), SOVEREIGN.get(other, other)})
    return frozenset({claimed, other}) in DISPUTED_PAIRS or pair in DISPUTED_PAIRS


def disputed_flags(lat: float, lon: float, claimed: str) -> list[str]:
    """`disputed:<area>` for every disputed area box holding the point that `claimed` disputes."""
    return [
        f"disputed:{area.name}"
        for area in DISPUTED_AREAS
        if claimed in area.claimants and area.contains(lat, lon)
    ]


def check_point(
    borders: CountryBorders,
    lat: float,
    lon: float,
    iso2: str,
    *,
    marine: bool = False,
    rules: CountryRules = CountryRules(),
) -> Verdict:
    """Apply the rules (module docstring) to one point claimed to be in `iso2`."""
    known = set(borders.iso_codes())
    targets = [code for code in administered(iso2) if code in known]
    if not targets:
        return Verdict(ok=True, distance_m=0.0, checked=False)
    flags = disputed_flags(lat, lon, iso2)
    distances: dict[str, float] = {}
    if iso2 in targets:
        distances[iso2] = borders.distance_to_country_m(lat, lon, iso2)
        if distances[iso2] == 0.0:
            # On its own country's land (most points): no territory can be nearer, as ties go
            # to `iso2`, so the distances to the territories it administers are not needed.
            return Verdict(ok=True, distance_m=0.0, flags=tuple(flags))
    for code in targets:
        if code not in distances:
            distances[code] = borders.distance_to_country_m(lat, lon, code)
    nearest = min(distances, key=lambda code: (distances[code], code != iso2))
    distance = distances[nearest]
    if nearest != iso2 and distance == 0.0:
        flags.append(f"territory:{nearest}")
    tolerance = rules.marine_tolerance_m if marine else rules.coastal_tolerance_m
    if distance <= tolerance:
        if distance > rules.coastal_tolerance_m:
            flags.append("at_sea")
        return Verdict(ok=True, distance_m=distance, flags=tuple(flags))
    where = f"({lat:.5f}, {lon:.5f}) is {distance / 1000:.1f} km from {iso2}"
    flipped = _sign_flip(borders, lat, lon, targets, rules.coastal_tolerance_m)
    if flipped is not None:
        return Verdict(
            ok=False,
            distance_m=distance,
            reason=RejectReason.LIKELY_SIGN_ERROR,
            detail=f"{where}; with its {flipped} sign flipped it lies in {iso2}",
            flags=tuple(flags),
        )
    other = borders.country_at(lat, lon)
    if _disputed(iso2, other):
        flags.append(f"disputed:{iso2}/{other}")
        return Verdict(ok=True, distance_m=distance, flags=tuple(flags))
    if flags:  # inside a disputed area the claimant holds a claim to
        return Verdict(ok=True, distance_m=distance, flags=tuple(flags))
    if other is None:
        return Verdict(
            ok=False,
            distance_m=distance,
            reason=RejectReason.OUTSIDE_LAND,
            detail=f"{where}, on no country's land",
        )
    return Verdict(
        ok=False,
        distance_m=distance,
        reason=RejectReason.COUNTRY_MISMATCH,
        detail=f"{where}, inside {other}",
    )


def _sign_flip(
    borders: CountryBorders, lat: float, lon: float, targets: list[str], tolerance_m: float
) -> str | None:
    """Which sign flip ("longitude", "latitude", "latitude and longitude") puts the point home."""
    flips = (
        ("longitude", lat, -lon),
        ("latitude", -lat, lon),
        ("latitude and longitude", -lat, -lon),
    )
    for name, flat, flon in flips:
        if (flat, flon) == (lat, lon):
            continue  # a zero coordinate: flipping it changes nothing
        if any(borders.distance_to_country_m(flat, flon, code) <= tolerance_m for code in targets):
            return name
    return None


def points_consistent(
    borders: CountryBorders,
    lats: np.ndarray,
    lons: np.ndarray,
    iso2s: np.ndarray,
    marine: np.ndarray,
    rules: CountryRules = CountryRules(),
) -> np.ndarray:
    """`check_point(...).ok` for many points: vectorised in-polygon pass, the rules for the rest."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    codes = np.asarray(iso2s, dtype=object)
    ok = borders.contains_many(codes, lats, lons)
    for i in np.flatnonzero(~ok):
        verdict = check_point(
            borders, lats[i], lons[i], str(codes[i]), marine=bool(marine[i]), rules=rules
        )
        ok[i] = verdict.ok
    return ok
