"""A historical-weather API in the shape of Open-Meteo's ERA5 archive: `GET /climate/v1/archive`.

    GET /climate/v1/archive?latitude=48.85&longitude=2.29&start_date=2014-01-01
        &end_date=2023-12-31&daily=temperature_2m_mean,precipitation_sum,
        wind_speed_10m_mean,surface_pressure_mean[&wind_speed_unit=ms][&timezone=GMT]

answers `{"latitude", "longitude", "generationtime_ms", "utc_offset_seconds", "timezone",
"timezone_abbreviation", "elevation", "daily_units": {...}, "daily": {"time": [...], var: [...]}}`
with the coordinates snapped to the 0.25° grid cell, values from `climatology.py` (deterministic
per cell and day) around the cell's normals: those of the landmark sites in the cell, as the
ground truth (`truth.py`) states them, else defaults for the place; and Open-Meteo's units and
unit parameters (`temperature_unit`, `wind_speed_unit` — km/h by default, as Open-Meteo —,
`precipitation_unit`). Comma-separated
coordinate lists answer a JSON list, one object per location. Errors answer 400 with
`{"error": true, "reason": ...}` like Open-Meteo. Counter endpoint: "climate".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from rswk.sampleworld import climatology
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.truth import truth_for

FIRST_DAY = date(1940, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_DAYS = 60 * 366
_WIND_UNITS = {
    "kmh": ("km/h", 3.6),
    "ms": ("m/s", 1.0),
    "mph": ("mp/h", 2.236936),
    "kn": ("kn", 1.943844),
}


@dataclass(frozen=True)
class Place:
    """One location's grid cell, its normals and the seed, as the variables need them."""

    lat: float
    lon: float
    normals: climatology.Normals
    seed: int


def _temperature(place: Place, days: np.ndarray) -> np.ndarray:
    return climatology.daily_temperature_c(place.normals, place.lat, place.lon, days, place.seed)


def _temperature_max(place: Place, days: np.ndarray) -> np.ndarray:
    return _temperature(place, days) + 4.5


def _temperature_min(place: Place, days: np.ndarray) -> np.ndarray:
    return _temperature(place, days) - 4.5


def _precipitation(place: Place, days: np.ndarray) -> np.ndarray:
    return climatology.daily_precipitation_mm(place.normals, place.lat, place.lon, days, place.seed)


def _wind(place: Place, days: np.ndarray) -> np.ndarray:
    return climatology.daily_wind_speed_m_s(place.normals, place.lat, place.lon, days, place.seed)


def _wind_max(place: Place, days: np.ndarray) -> np.ndarray:
    return _wind(place, days) * 1.8


def _pressure(place: Place, days: np.ndarray) -> np.ndarray:
    return climatology.daily_surface_pressure_hpa(
        place.normals, place.lat, place.lon, days, place.seed
    )


# daily variable -> (kind of unit, computation in °C / mm / m/s / hPa)
DAILY_VARIABLES: dict[str, tuple[str, Callable[[Place, np.ndarray], np.ndarray]]] = {
    "temperature_2m_mean": ("temperature", _temperature),
    "temperature_2m_max": ("temperature", _temperature_max),
    "temperature_2m_min": ("temperature", _temperature_min),
    "precipitation_sum": ("precipitation", _precipitation),
    "rain_sum": ("precipitation", _precipitation),
    "wind_speed_10m_mean": ("wind", _wind),
    "wind_speed_10m_max": ("wind", _wind_max),
    "surface_pressure_mean": ("pressure", _pressure),
}


class ClimateRequestError(ValueError):
    """A request Open-Meteo would refuse; the message is its `reason`."""


def _error(reason: str) -> Response:
    return json_response({"error": True, "reason": reason}, 400)


def _floats(request: Request, name: str) -> list[float]:
    raw = request.param(name)
    if not raw:
        raise ClimateRequestError(f"Parameter '{name}' is required")
    try:
        return [float(part) for part in raw.split(",")]
    except ValueError:
        raise ClimateRequestError(f"Parameter '{name}' must be a number (got '{raw}')") from None


def _day(request: Request, name: str) -> date:
    raw = request.param(name)
    if not raw:
        raise ClimateRequestError("Parameter 'start_date' and 'end_date' must be set")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ClimateRequestError(
            f"Parameter '{name}' must be a date YYYY-MM-DD (got '{raw}')"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ClimateRequestError(
            f"Parameter '{name}' is out of allowed range from {FIRST_DAY} to {LAST_DAY}"
        )
    return day


def _variables(request: Request) -> list[str]:
    names = [v for v in (request.param("daily") or "").split(",") if v]
    for name in names:
        if name not in DAILY_VARIABLES:
            raise ClimateRequestError(
                f"Cannot initialize WeatherVariable from invalid String value {name} for key daily"
            )
    return names


def _units(request: Request) -> dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]]:
    wind = request.param("wind_speed_unit", "kmh") or "kmh"
    temperature = request.param("temperature_unit", "celsius") or "celsius"
    precipitation = request.param("precipitation_unit", "mm") or "mm"
    if wind not in _WIND_UNITS:
        raise ClimateRequestError(f"Invalid wind_speed_unit '{wind}' (kmh, ms, mph, kn)")
    if temperature not in ("celsius", "fahrenheit"):
        raise ClimateRequestError(f"Invalid temperature_unit '{temperature}'")
    if precipitation not in ("mm", "inch"):
        raise ClimateRequestError(f"Invalid precipitation_unit '{precipitation}'")
    wind_label, wind_factor = _WIND_UNITS[wind]
    fahrenheit = temperature == "fahrenheit"
    inch = precipitation == "inch"
    return {
        "temperature": ("°F" if fahrenheit else "°C", lambda v: v * 1.8 + 32 if fahrenheit else v),
        "precipitation": ("inch" if inch else "mm", lambda v: v / 25.4 if inch else v),
        "wind": (wind_label, lambda v: v * wind_factor),
        "pressure": ("hPa", lambda v: v),
    }


def _location(request: Request, ctx: ServerContext, lat: float, lon: float) -> dict[str, Any]:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ClimateRequestError(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
    start, end = _day(request, "start_date"), _day(request, "end_date")
    if end < start or (end - start).days >= MAX_DAYS:
        raise ClimateRequestError(f"End-date {end} must be after start-date {start} (max 60 years)")
    cell_lat, cell_lon = climatology.grid_cell(lat, lon)
    normals, elevation = truth_for(ctx).cell_normals(cell_lat, cell_lon)
    place = Place(cell_lat, cell_lon, normals, ctx.seed)
    days = climatology.day_ordinals(start, end)
    units = _units(request)
    daily: dict[str, Any] = {"time": [date.fromordinal(int(d)).isoformat() for d in days]}
    daily_units = {"time": "iso8601"}
    for name in _variables(request):
        kind, compute = DAILY_VARIABLES[name]
        label, convert = units[kind]
        daily_units[name] = label
        daily[name] = [round(float(v), 2) for v in convert(compute(place, days))]
    return {
        "latitude": cell_lat,
        "longitude": cell_lon,
        "generationtime_ms": 0.1,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": elevation,
        "daily_units": daily_units,
        "daily": daily,
    }


@ROUTES.route("/climate/v1/archive", "climate", methods=("GET",))
def archive(request: Request, ctx: ServerContext) -> Response:
    """Daily historical weather for one location (or a list) over a date range."""
    try:
        lats, lons = _floats(request, "latitude"), _floats(request, "longitude")
        if len(lats) != len(lons):
            raise ClimateRequestError(
                "Parameter 'latitude' and 'longitude' must have the same number of elements"
            )
        answers = [_location(request, ctx, lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    except ClimateRequestError as exc:
        return _error(str(exc))
    days = len(answers[0]["daily"]["time"])
    payload: Any = answers[0] if len(answers) == 1 else answers
    return json_response(payload, items=days * len(answers))


ROUTES.add_url("climate", lambda base: f"{base}/climate/v1/archive")
