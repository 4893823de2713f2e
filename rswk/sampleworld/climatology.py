"""The sample world's climate: daily weather as a deterministic function of place and date.

Plausible rather than real: air temperature falls with latitude and height and swings with the
seasons (opposite in the two hemispheres); precipitation follows a smooth wet/dry field with dry
subtropical belts; wind is stronger at high latitudes; surface pressure follows the height. Values
are per ERA5-like grid cell (0.25°), so nearby landmarks share a climate, and per day; the climate
API (`climate.py`) serves them and the land surface temperature collection builds on them.
"""

from __future__ import annotations

import math
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


def annual_mean_temperature_c(
    lat: FloatArray | float, elevation_m: FloatArray | float
) -> FloatArray:
    """Mean 2 m air temperature of a year, °C: ~27 at the equator, ~0 at 60°, minus the lapse
    rate times the height (arrays broadcast)."""
    lat_arr = np.asarray(lat, dtype=np.float64)
    height = np.maximum(np.asarray(elevation_m, dtype=np.float64), 0.0)
    return np.asarray(27.0 - 0.0075 * lat_arr**2 - LAPSE_RATE_C_PER_M * height)


def seasonal_temperature_c(
    lat: FloatArray | float, elevation_m: FloatArray | float, day_of_year: FloatArray | float
) -> FloatArray:
    """The smooth seasonal cycle of the mean air temperature (no day-to-day weather), °C;
    coldest in mid-January north of the equator, mid-July south of it (arrays broadcast)."""
    lat_arr = np.asarray(lat, dtype=np.float64)
    amplitude = np.minimum(20.0, 0.35 * np.abs(lat_arr))
    phase = np.cos(2 * np.pi * (np.asarray(day_of_year) - COLDEST_DAY_NORTH) / 365.2425)
    sign = np.where(lat_arr >= 0, 1.0, -1.0)
    return np.asarray(annual_mean_temperature_c(lat_arr, elevation_m) - sign * amplitude * phase)


def daily_temperature_c(
    lat: float, lon: float, elevation_m: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean 2 m air temperature, °C, with ±~3 °C of weather."""
    weather = sum(_daily_uniform(lat, lon, days, seed * 31 + k) for k in range(3)) - 1.5
    base = seasonal_temperature_c(lat, elevation_m, _day_of_year(days))
    return np.asarray(base + 3.5 * weather)


def annual_precipitation_mm(lat: float, lon: float, seed: int = 0) -> float:
    """Typical precipitation of a year, mm: a smooth wet/dry field, dry around 25° latitude."""
    wetness = float(value_noise(np.array(lon * 100.0), np.array(lat * 100.0), 800.0, seed + 7))
    arid = math.exp(-(((abs(lat) - 25.0) / 8.0) ** 2))
    tropical = math.exp(-((lat / 12.0) ** 2))
    return (250.0 + 1800.0 * wetness + 900.0 * tropical) * (1.0 - 0.8 * arid)


def daily_precipitation_mm(
    lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily precipitation sum, mm (0 on dry days; exponential amounts on wet ones)."""
    annual = annual_precipitation_mm(lat, lon, seed)
    wet_share = min(0.7, max(0.05, annual / 2500.0))
    wet = _daily_uniform(lat, lon, days, seed * 31 + 11) < wet_share
    amount = -np.log1p(-_daily_uniform(lat, lon, days, seed * 31 + 12) * 0.999)
    per_wet_day = annual / (365.2425 * wet_share)
    return np.asarray(np.round(np.where(wet, amount * per_wet_day, 0.0), 1))


def daily_wind_speed_m_s(
    lat: float, lon: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean 10 m wind speed, m/s: ~3 in the tropics, ~6 at high latitudes, gusty days."""
    mean = 2.8 + 3.5 * abs(math.sin(math.radians(lat)))
    gust = _daily_uniform(lat, lon, days, seed * 31 + 21) + _daily_uniform(lat, lon, days, 22)
    return np.asarray(np.maximum(0.3, mean * (0.45 + 0.55 * gust)))


def daily_surface_pressure_hpa(
    lat: float, lon: float, elevation_m: float, days: NDArray[np.int64], seed: int = 0
) -> FloatArray:
    """Daily mean surface pressure, hPa: the barometric height law plus ±~6 hPa of weather."""
    base = SEA_LEVEL_HPA * math.exp(-max(elevation_m, 0.0) / SCALE_HEIGHT_M)
    weather = _daily_uniform(lat, lon, days, seed * 31 + 31) - 0.5
    season = np.cos(2 * np.pi * (_day_of_year(days) - COLDEST_DAY_NORTH) / 365.2425)
    return np.asarray(base + 12.0 * weather + 2.5 * season)
