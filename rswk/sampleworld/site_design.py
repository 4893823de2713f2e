"""What each landmark's place is made of: the design the landscape draws around it.

Every located landmark gets a *site*: a square around it (at least `MIN_REACH_M` from the
landmark in every direction) whose ground follows the landmark's design instead of the
background noise. The design is derived deterministically (seeded) from the landmark's
coordinates, its true class (`vocabulary.py`: a beach stands in a coast setting, a forest in
forest...) and optional per-landmark overrides (`data/bundled_truth.yaml` for the bundled world):

- `surroundings`: the shares of water, vegetation, bare ground, built-up land and snow around it;
- a footprint (`sqrt(area_m2)` metres across, square or round) of one cover class;
- the site's elevation and relief, its vegetation kind (ESA WorldCover code) and vigour;
- climate normals (annual mean temperature and amplitude, precipitation, wind, pressure).

The landscape lays the surroundings out in angular sectors around the landmark, measured along
the perimeter of a square centred on it ("square angle"), so each ring around the landmark
holds the sectors in proportion. Built-up land is densest at the landmark and gives way to its
commonest natural cover (vegetation or bare ground) further out, by a gradient that averages out
over the ±500 m square: there the mix is the surroundings, in a smaller or larger box it is not
(a box of the wrong size is seen to be wrong). The sector borders wave with the distance.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rswk.sampleworld.climatology import (
    LAPSE_RATE_C_PER_M,
    Normals,
    annual_precipitation_mm,
    default_wind_speed_m_s,
    surface_pressure_hpa,
)
from rswk.sampleworld.noise import fractal_noise
from rswk.sampleworld.vocabulary import OTHER, Setting, setting_of, true_class
from rswk.sampleworld.world import CoverName, TruthOverride, World, WorldLandmark

WATER, VEGETATION, BARE, BUILT_UP, SNOW = 0, 1, 2, 3, 4
COVER_NAMES = ("water", "vegetation", "bare", "built_up", "snow")
COVER_ORDER: tuple[CoverName, ...] = ("water", "vegetation", "bare", "built_up", "snow")
# The order sectors are laid out in around a landmark: a beach runs water -> sand -> town.
SECTOR_ORDER = (WATER, BARE, SNOW, VEGETATION, BUILT_UP)
# ESA WorldCover codes (band `Map`) and names: the world's own copy of the published legend.
WORLDCOVER_NAMES: dict[int, str] = {
    10: "tree_cover",
    20: "shrubland",
    30: "grassland",
    40: "cropland",
    50: "built_up",
    60: "bare_sparse_vegetation",
    70: "snow_and_ice",
    80: "permanent_water",
    90: "herbaceous_wetland",
    95: "mangroves",
    100: "moss_and_lichen",
}
WORLDCOVER_CODES = {name: code for code, name in WORLDCOVER_NAMES.items()}
COVER_WORLDCOVER = {WATER: 80, BARE: 60, BUILT_UP: 50, SNOW: 70}  # vegetation: per site

DEFAULT_FOOTPRINT_M2 = 80.0 * 80.0
MAX_FOOTPRINT_SIDE_M = 5000.0
MIN_REACH_M = 1500.0
# The surroundings are the mix over a centred square of this half-side (the attributes stage's
# default buffer); nearer the landmark there is more built-up land, further out less.
GRADIENT_HALF_M = 500.0
# The share of the smaller of (built-up, the commonest natural cover) that moves between them
# from the landmark outwards.
GRADIENT_SHARE = 1.0
EARTH_RADIUS_M = 6378137.0

# Shares of (water, vegetation, bare, built-up, snow) around a landmark in each setting.
SETTING_SURROUNDINGS: dict[str, tuple[float, float, float, float, float]] = {
    "urban": (0.03, 0.17, 0.05, 0.75, 0.0),
    "coast": (0.45, 0.08, 0.30, 0.17, 0.0),
    "forest": (0.03, 0.90, 0.05, 0.02, 0.0),
    "park": (0.08, 0.65, 0.05, 0.22, 0.0),
    "mountain": (0.02, 0.25, 0.60, 0.03, 0.10),
    "desert": (0.0, 0.03, 0.90, 0.07, 0.0),
    "airfield": (0.0, 0.35, 0.25, 0.40, 0.0),
    "campus": (0.02, 0.40, 0.03, 0.55, 0.0),
    "arena": (0.02, 0.30, 0.03, 0.65, 0.0),
    "river": (0.35, 0.15, 0.05, 0.45, 0.0),
    "rural": (0.03, 0.55, 0.25, 0.17, 0.0),
}
SETTING_VEGETATION: dict[str, int] = {
    "forest": 10,
    "park": 30,
    "mountain": 20,
    "desert": 20,
    "rural": 40,
}
SETTING_RELIEF_M: dict[str, float] = {"mountain": 80.0, "forest": 15.0, "rural": 6.0}
SETTING_PRECIPITATION: dict[str, float] = {"desert": 0.15, "forest": 1.3}
SETTING_WIND: dict[str, float] = {"coast": 1.5, "mountain": 3.0, "river": 0.5}


@dataclass(frozen=True)
class SiteDesign:
    """The designed ground around one landmark (see the module doc)."""

    qid: str
    lat: float
    lon: float
    true_class: str
    setting: str
    surroundings: tuple[float, float, float, float, float]
    footprint_side_m: float
    footprint_round: bool
    footprint_cover: int
    reach_m: float
    elevation_m: float
    relief_m: float
    vegetation_code: int
    vigour: float
    phase: float
    normals: Normals

    def gradient_shift(self) -> tuple[float, float, float, float, float]:
        """The change of the shares per unit of the ring weight (landscape._shares): built-up
        land moves to the commonest natural cover (vegetation, bare or snow) outwards."""
        shift = [0.0] * len(COVER_NAMES)
        natural = max((VEGETATION, BARE, SNOW), key=lambda c: self.surroundings[c])
        amount = GRADIENT_SHARE * min(self.surroundings[BUILT_UP], self.surroundings[natural])
        shift[BUILT_UP], shift[natural] = -amount, amount
        return (shift[0], shift[1], shift[2], shift[3], shift[4])

    def as_json(self) -> dict[str, object]:
        """The design as plain JSON values."""
        return {
            "setting": self.setting,
            "surroundings": dict(zip(COVER_NAMES, self.surroundings, strict=True)),
            "footprint": {
                "side_m": self.footprint_side_m,
                "shape": "round" if self.footprint_round else "square",
                "cover": COVER_NAMES[self.footprint_cover],
            },
            "reach_m": self.reach_m,
            "elevation_m": self.elevation_m,
            "relief_m": self.relief_m,
            "vegetation": WORLDCOVER_NAMES[self.vegetation_code],
            "vigour": self.vigour,
        }


def unit(*parts: object) -> float:
    """A number in [0, 1) from a stable hash of `parts` (not Python's per-process `hash`)."""
    digest = hashlib.blake2b("\x00".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator (EPSG:3857) metres of lon/lat degrees (latitude clipped to ±85.05°)."""
    phi = np.radians(np.clip(lat, -85.0511, 85.0511))
    x = EARTH_RADIUS_M * np.radians(lon)
    y = EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + phi / 2))
    return np.asarray(x), np.asarray(y)


def terrain_field(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """The background terrain noise (0-1) at Web Mercator points: low is sea, high is hills."""
    return fractal_noise(x, y, (60_000.0, 15_000.0, 4_000.0), seed + 11)


def terrain_height_m(terrain: np.ndarray) -> np.ndarray:
    """Background terrain height (m) of the terrain noise."""
    return np.asarray(np.clip(terrain - 0.28, 0.0, None) ** 2 * 3000.0 + 2.0)


def aridity(lat: float) -> float:
    """0-1: how much the subtropical dry belts (around ±25°) dry a place out."""
    return math.exp(-(((abs(lat) - 25.0) / 7.0) ** 2))


def design_sites(world: World, seed: int = 0) -> dict[str, SiteDesign]:
    """The design of every located landmark of `world`, by QID."""
    located = [lm for lm in world.landmarks if lm.lat is not None and lm.lon is not None]
    if not located:
        return {}
    lons = np.array([lm.lon for lm in located], dtype=np.float64)
    lats = np.array([lm.lat for lm in located], dtype=np.float64)
    heights = terrain_height_m(terrain_field(*mercator(lons, lats), seed))
    rainfall = annual_precipitation_mm(lats, lons, seed)
    return {
        lm.qid: _design(lm, float(h), float(r), seed, world.truth_overrides.get(lm.qid))
        for lm, h, r in zip(located, heights, rainfall, strict=True)
    }


def _design(
    landmark: WorldLandmark,
    background_m: float,
    rainfall_mm: float,
    seed: int,
    override: TruthOverride | None,
) -> SiteDesign:
    assert landmark.lat is not None and landmark.lon is not None
    lat, lon, qid = landmark.lat, landmark.lon, landmark.qid
    override = override or TruthOverride()
    setting: str = override.setting or _setting(landmark, lat)
    rswk_class = override.true_class or true_class(landmark.classes)
    surroundings = _surroundings(setting, lat, qid, seed, override.surroundings)
    area = landmark.area_m2 if landmark.area_m2 and landmark.area_m2 > 0 else DEFAULT_FOOTPRINT_M2
    side = math.sqrt(area)
    side = min(override.footprint_side_m or side, MAX_FOOTPRINT_SIDE_M)
    elevation = override.elevation_m
    if elevation is None:
        elevation = _elevation(setting, background_m, qid, seed)
    vegetation = WORLDCOVER_CODES[override.vegetation] if override.vegetation else None
    dryness = aridity(lat)
    normals = _normals(lat, elevation, rainfall_mm, setting, qid, seed, override)
    return SiteDesign(
        qid=qid,
        lat=lat,
        lon=lon,
        true_class=rswk_class,
        setting=setting,
        surroundings=surroundings,
        footprint_side_m=round(side, 2),
        footprint_round=unit("shape", qid) < 0.5,
        footprint_cover=_footprint_cover(override.footprint_cover, setting, rswk_class),
        reach_m=max(MIN_REACH_M, side),
        elevation_m=round(float(elevation), 1),
        relief_m=SETTING_RELIEF_M.get(setting, 2.0),
        vegetation_code=vegetation or _vegetation_code(setting, lat),
        vigour=round(1.0 - 0.5 * dryness * (setting not in ("park", "campus", "arena")), 3),
        phase=unit("phase", seed, qid),
        normals=normals,
    )


def _setting(landmark: WorldLandmark, lat: float) -> Setting:
    setting = setting_of(landmark.classes)
    # An archaeological site or castle in the dry belts stands in desert, not farmland.
    if setting == "rural" and aridity(lat) > 0.6:
        return "desert"
    return setting


def _annual_mean_temperature(lat: float, elevation: float) -> float:
    # The scalar form of climatology.annual_mean_temperature_c (numpy is slow one by one).
    return 27.0 - 0.0075 * lat**2 - LAPSE_RATE_C_PER_M * max(elevation, 0.0)


def _surroundings(
    setting: str, lat: float, qid: str, seed: int, override: Mapping[CoverName, float] | None
) -> tuple[float, float, float, float, float]:
    if override:
        shares = np.array([override.get(name, 0.0) for name in COVER_ORDER], dtype=np.float64)
        return _rounded(shares / shares.sum())
    shares = np.array(SETTING_SURROUNDINGS[setting], dtype=np.float64)
    jitter = np.array([0.7 + 0.6 * unit("share", seed, qid, k) for k in range(5)])
    shares = shares * jitter
    # Dry belts turn vegetation into bare ground; high latitudes into snow.
    dry = 0.7 * aridity(lat) * shares[VEGETATION] * (setting not in ("park", "forest"))
    shares[VEGETATION] -= dry
    shares[BARE] += dry
    polar = min(1.0, max(0.0, (abs(lat) - 62.0) / 10.0))
    shares[SNOW] += polar * 0.6 * shares[BARE]
    shares[BARE] *= 1.0 - 0.6 * polar
    return _rounded(shares / shares.sum())


def _rounded(shares: np.ndarray) -> tuple[float, float, float, float, float]:
    values = [round(float(v), 4) for v in shares]
    values[int(np.argmax(shares))] += round(1.0 - sum(values), 4)
    return (values[0], values[1], values[2], values[3], values[4])


def _elevation(setting: str, background_m: float, qid: str, seed: int) -> float:
    u = unit("elevation", seed, qid)
    if setting in ("coast", "river"):
        return 1.0 + 12.0 * u
    if setting == "mountain":
        return background_m + 1200.0 + 2800.0 * u
    return background_m


def _vegetation_code(setting: str, lat: float) -> int:
    if setting == "mountain" and abs(lat) > 60:
        return 100
    if setting == "coast" and abs(lat) < 20:
        return 95
    return SETTING_VEGETATION.get(setting, 30)


def _footprint_cover(named: str | None, setting: str, rswk_class: str) -> int:
    if named:
        return COVER_NAMES.index(named)
    if rswk_class in ("Forest", "Park") or (setting in ("forest", "park") and rswk_class == OTHER):
        return VEGETATION
    if rswk_class == "Beach" or (setting in ("mountain", "desert") and rswk_class == OTHER):
        return BARE
    return BUILT_UP


def _normals(
    lat: float,
    elevation: float,
    rainfall_mm: float,
    setting: str,
    qid: str,
    seed: int,
    override: TruthOverride,
) -> Normals:
    temperature = override.temperature_mean_c
    if temperature is None:
        jitter = 3.0 * (unit("temperature", seed, qid) - 0.5)
        temperature = _annual_mean_temperature(lat, elevation) + jitter
    precipitation = override.precipitation_mm_per_year
    if precipitation is None:
        precipitation = rainfall_mm * SETTING_PRECIPITATION.get(setting, 1.0)
    wind = default_wind_speed_m_s(lat) + SETTING_WIND.get(setting, 0.0)
    pressure = surface_pressure_hpa(elevation)
    return Normals(
        temperature_mean_c=round(temperature, 2),
        temperature_amplitude_c=round(min(20.0, 0.35 * abs(lat)), 2),
        precipitation_mm_per_year=round(float(precipitation), 1),
        wind_speed_m_s=round(wind, 2),
        surface_pressure_hpa=round(pressure, 1),
    )
