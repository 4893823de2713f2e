"""The sample world's climate: daily weather as a deterministic function of normals and date.

A place's climate is its `Normals` (annual mean temperature and seasonal amplitude, precipitation,
wind, surface pressure): the ground truth of each landmark's site holds them (`site_design.py`),
and the climate API answers a 0.25° grid cell with the normals of the landmarks in it. Daily
values scatter around the normals with deterministic weather (per cell and day) that averages
out over whole years: temperature swings with the seasons (opposite in the two hemispheres),
precipitation falls on wet days in exponential amounts, wind is gusty, pressure varies by a few
hPa. The default normals (`annual_mean_temperature_c`...) fall with latitude and height and dry
out around the subtropical belts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from rswk.sampleworld.noise import FloatArray, lattice_hash, value_noise

GRID_DEG = 0.25
LAPSE_RATE_C_PER_M = 0.0065
SCALE_HEIGHT_M = 8434.0
SEA_LEVEL_HPA = 1013.25
# The day of the year when the northern hemisphere is coldest on average.
COLDEST_DAY_NORTH = 15
# The mean of -log(1 - 0.999 u) for u uniform in [0, 1): the mean wet-day amount factor.
_MEAN_AMOUNT = 1.0 + 0.001 / 0.999 * math.log(0.001)


def grid_cell(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the 0.25° grid cell holding (lat, lon), as ERA5-backed APIs report it."""
    snap_lat = round(lat / GRID_DEG) * GRID_DEG
    snap_lon = ((round(lon / GRID_DEG) * GRID_DEG + 180.0) % 360.0) - 180.0
    return max(-90.0, min(90.0, snap_lat)), snap_lon


def _cell_id(lat: float, lon: float) -> int:
    return round((lat + 90.0) / GRID_DEG) * 2000 + round((lon + 180.0) / GRID_DEG)


def _daily_uniform(lat: float, lon: float, days: NDArray[np.int64], seed: int) -> FloatArray:
    """Independent uniforms in [0, 1) per cell and day ordinal (`seed` picks the variable)."""
    cell = np.full(days.shape, _cell_id(lat, lon), dtype=np.int64)
    return lattice_hash(days, cell, seed)


def day_ordinals(start: date, end: date) -> NDArray[np.int64]:
    """Proleptic Gregorian ordinals of every day from `start` to `end`, both included."""
    return np.arange(start.toordinal(), end.toordinal() + 1, dtype=np.int64)


def _day_of_year(days: NDArray[np.int64]) -> FloatArray:
    # Anchored on 1 January 2000 (ordinal 730120); the tropical year drifts < 1 day a century.
    return np.asarray(((days - 730120) % 365.2425).astype(np.float64))


@dataclass(frozen=True)
class Normals:
    """Climate normals of a place: what a long daily record averages to."""

    temperature_mean_c: float
    temperature_amplitude_c: float
    precipitation_mm_per_year: float
    wind_speed_m_s: float
    surface_pressure_hpa: float


def annual_mean_temperature_c(
    lat: FloatArray | float, elevation_m: FloatArray | float
) -> FloatArray:
    """Mean 2 m air temperature of a year, °C: ~27 at the equator, ~0 at 60°, minus the lapse
    rate times the height (arrays broadcast)."""
    lat_arr = np.asarray(lat, dtype=np.float64)
    height = np.maximum(np.asarray(elevation_m, dtype=np.float64), 0.0)
    return np.asarray(27.0 - 0.0075 * lat_arr**2 - LAPSE_RATE_C_PER_M * height)


def temperature_amplitude_c(lat: FloatArray | float) -> FloatArray:
    """Half the difference between the warmest and coldest month, °C: 0 at the equator."""
    return np.asarray(np.minimum(20.0, 0.35 * np.abs(np.asarray(lat, dtype=np.float64))))


def seasonal_cycle(lat: FloatArray | float, day_of_year: FloatArray | float) -> FloatArray:
    """-1 at the coldest time of the year, +1 at the warmest: mid-January is coldest north of
    the equator, mid-July south of it (arrays broadcast)."""
    lat_arr = np.asarray(lat, dtype=np.float64)
    phase = np.cos(2 * np.pi * (np.asarray(day_of_year) - COLDEST_DAY_NORTH) / 365.2425)
    return np.asarray(-np.where(lat_arr >= 0, 1.0, -1.0) * phase)


def seasonal_temperature_c(
    lat: FloatArray | float, elevation_m: FloatArray | float, day_of_year: FloatArray | float
) -> FloatArray:
    """The default smooth seasonal cycle of the mean air temperature (no weather), °C."""
    base = annual_mean_temperature_c(lat, elevation_m)
    return np.asarray(base + temperature_amplitude_c(lat) * seasonal_cycle(lat, day_of_year))


def daily_temperature_c(
    normals: Normals, lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean 2 m air temperature, °C: the normals' seasonal cycle with ±~3 °C of weather."""
    weather = sum(_daily_uniform(lat, lon, days, seed * 31 + k) for k in range(3)) - 1.5
    season = seasonal_cycle(lat, _day_of_year(days))
    base = normals.temperature_mean_c + normals.temperature_amplitude_c * season
    return np.asarray(base + 3.5 * weather)


def annual_precipitation_mm(
    lat: FloatArray | float, lon: FloatArray | float, seed: int = 0
) -> FloatArray:
    """Default precipitation of a year, mm: a smooth wet/dry field, dry around 25° latitude
    (arrays broadcast; many places at once are much faster than one by one)."""
    lat_arr, lon_arr = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    wetness = value_noise(lon_arr * 100.0, lat_arr * 100.0, 800.0, seed + 7)
    arid = np.exp(-(((np.abs(lat_arr) - 25.0) / 8.0) ** 2))
    tropical = np.exp(-((lat_arr / 12.0) ** 2))
    return np.asarray((250.0 + 1800.0 * wetness + 900.0 * tropical) * (1.0 - 0.8 * arid))


def default_wind_speed_m_s(lat: float) -> float:
    """Default mean 10 m wind speed, m/s: ~3 in the tropics, ~6 at high latitudes."""
    return 2.8 + 3.5 * abs(math.sin(math.radians(lat)))


def surface_pressure_hpa(elevation_m: float) -> float:
    """Mean surface pressure at a height, hPa (the barometric height law)."""
    return SEA_LEVEL_HPA * math.exp(-max(elevation_m, 0.0) / SCALE_HEIGHT_M)


def default_normals(lat: float, lon: float, elevation_m: float, seed: int = 0) -> Normals:
    """The normals of a place no landmark's site describes."""
    return Normals(
        temperature_mean_c=float(annual_mean_temperature_c(lat, elevation_m)),
        temperature_amplitude_c=float(temperature_amplitude_c(lat)),
        precipitation_mm_per_year=float(annual_precipitation_mm(lat, lon, seed)),
        wind_speed_m_s=default_wind_speed_m_s(lat),
        surface_pressure_hpa=surface_pressure_hpa(elevation_m),
    )


def daily_precipitation_mm(
    normals: Normals, lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily precipitation sum, mm (0 on dry days; exponential amounts on wet ones)."""
    annual = normals.precipitation_mm_per_year
    wet_share = min(0.7, max(0.05, annual / 2500.0))
    wet = _daily_uniform(lat, lon, days, seed * 31 + 11) < wet_share
    amount = -np.log1p(-_daily_uniform(lat, lon, days, seed * 31 + 12) * 0.999)
    # E[amount] is a little below 1 (the 0.999 keeps the log finite): divide it out.
    per_wet_day = annual / (365.2425 * wet_share * _MEAN_AMOUNT)
    return np.asarray(np.round(np.where(wet, amount * per_wet_day, 0.0), 1))


def daily_wind_speed_m_s(
    normals: Normals, lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean 10 m wind speed, m/s: gusty days around the normal (mean = the normal)."""
    gust = _daily_uniform(lat, lon, days, seed * 31 + 21) + _daily_uniform(lat, lon, days, 22)
    return np.asarray(np.maximum(0.3, normals.wind_speed_m_s * (0.45 + 0.55 * gust)))


def daily_surface_pressure_hpa(
    normals: Normals, lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean surface pressure, hPa: the normal plus ±~6 hPa of weather and a small season."""
    weather = _daily_uniform(lat, lon, days, seed * 31 + 31) - 0.5
    season = np.cos(2 * np.pi * (_day_of_year(days) - COLDEST_DAY_NORTH) / 365.2425)
    return np.asarray(normals.surface_pressure_hpa + 12.0 * weather + 2.5 * season)
