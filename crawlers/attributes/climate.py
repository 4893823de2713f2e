"""Climate normals from an ERA5-backed historical-weather API (the Open-Meteo archive shape).

One GET per landmark covers the whole climate period with four daily variables; the daily series
are reduced here to normals with the unit in the name: mean 2 m air temperature (°C), annual
precipitation (mm/yr), mean 10 m wind speed (m/s), mean surface pressure (hPa). Requests go
through the shared polite HTTP layer (disk cache, retries, Retry-After), so a rerun sends none.
The service states its units in `daily_units`; other units are converted, unknown ones refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from rswk.core.config import AttributesConfig
from rswk.core.http import date_header_time
from rswk.core.records.attributes import CLIMATE_FIELDS, SourceProvenance

logger = logging.getLogger(__name__)

DAILY_VARIABLES = {
    "temperature_2m_mean": "temperature_2m_mean_c",
    "precipitation_sum": "precip_mm_per_year",
    "wind_speed_10m_mean": "wind_speed_10m_mean_m_s",
    "surface_pressure_mean": "surface_pressure_mean_hpa",
}
CLIMATE_LICENCE = "CC-BY-4.0"
CLIMATE_ATTRIBUTION = (
    "Weather data by Open-Meteo.com; ERA5 reanalysis, Copernicus Climate Change Service (C3S)"
)
CLIMATE_COLLECTION = "era5"
# ERA5 grid spacing (0.25°), recorded as the resolution of the climate group.
ERA5_RESOLUTION_M = 27_750.0
DAYS_PER_YEAR = 365.25

_CONVERSIONS: dict[str, Callable[[float], float]] = {
    "°C": lambda v: v,
    "°F": lambda v: (v - 32.0) * 5.0 / 9.0,
    "mm": lambda v: v,
    "inch": lambda v: v * 25.4,
    "m/s": lambda v: v,
    "km/h": lambda v: v / 3.6,
    "mp/h": lambda v: v * 0.44704,
    "kn": lambda v: v * 0.514444,
    "hPa": lambda v: v,
}


@dataclass(frozen=True)
class ClimateResult:
    """Normals by column name, the reason for each missing one, and the group's provenance."""

    values: dict[str, float | None]
    absent: dict[str, str]
    provenance: SourceProvenance | None


def climate_params(lat: float, lon: float, config: AttributesConfig) -> dict[str, str]:
    """The query string of one landmark's request (units asked for explicitly)."""
    return {
        "latitude": f"{lat:.4f}",
        "longitude": f"{lon:.4f}",
        "start_date": f"{config.climate_start_year}-01-01",
        "end_date": f"{config.climate_end_year}-12-31",
        "daily": ",".join(DAILY_VARIABLES),
        "temperature_unit": "celsius",
        "wind_speed_unit": "ms",
        "precipitation_unit": "mm",
        "timezone": "GMT",
    }


def fetch_climate(
    client: httpx.Client, url: str, lat: float, lon: float, config: AttributesConfig
) -> ClimateResult:
    """Climate normals at one point; a final answer without them becomes absent values with the
    reason. `FetchFailed` (every retry failed) propagates: it is transient, not an absence."""
    params = climate_params(lat, lon, config)
    response = client.get(url, params=params)
    if response.status_code != 200:
        return _all_absent(f"climate API answered HTTP {response.status_code}: {_reason(response)}")
    try:
        payload = response.json()
    except ValueError:
        return _all_absent("climate API answered something that is not JSON")
    values, absent = reduce_daily(payload)
    provenance = SourceProvenance(
        source_url=str(response.request.url.copy_with(query=None)),
        revision=None,
        retrieved_at=date_header_time(response.headers.get("date")),
        licence=CLIMATE_LICENCE,
        attribution=CLIMATE_ATTRIBUTION,
        detail=f"daily {','.join(DAILY_VARIABLES)} reduced to normals",
        collection=CLIMATE_COLLECTION,
        time_range=f"{params['start_date']}/{params['end_date']}",
        resolution_m=ERA5_RESOLUTION_M,
    )
    return ClimateResult(values=values, absent=absent, provenance=provenance)


def reduce_daily(payload: Any) -> tuple[dict[str, float | None], dict[str, str]]:
    """Normals from an archive answer: {column: value} and {column: reason} for missing ones."""
    daily = payload.get("daily") if isinstance(payload, dict) else None
    units = payload.get("daily_units", {}) if isinstance(payload, dict) else {}
    values: dict[str, float | None] = {}
    absent: dict[str, str] = {}
    for variable, column in DAILY_VARIABLES.items():
        series = daily.get(variable) if isinstance(daily, dict) else None
        unit = units.get(variable) if isinstance(units, dict) else None
        value, why = _normal(variable, series, unit)
        values[column] = value
        if value is None:
            absent[column] = why
    return values, absent


def _normal(variable: str, series: Any, unit: Any) -> tuple[float | None, str]:
    """One variable's normal (already in the column's unit), or None and the reason."""
    if not isinstance(series, list):
        return None, f"climate API gave no daily {variable}"
    convert = _CONVERSIONS.get(str(unit))
    if convert is None:
        return None, f"climate API gave {variable} in unknown unit {unit!r}"
    try:
        # Missing days are null in the JSON: None becomes NaN and is left out.
        values = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"climate API gave non-numeric daily {variable}"
    days = values[np.isfinite(values)]
    if days.size == 0:
        return None, f"climate API gave only missing values for {variable}"
    if variable == "precipitation_sum":
        total = convert(float(days.sum()))
        return round(total * DAYS_PER_YEAR / days.size, 1), ""
    return round(convert(float(days.mean())), 2), ""


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "reason" in body:
        return str(body["reason"])
    return response.text[:200]


def _all_absent(reason: str, columns: Sequence[str] = CLIMATE_FIELDS) -> ClimateResult:
    logger.debug("climate absent: %s", reason)
    return ClimateResult(
        values=dict.fromkeys(columns),
        absent=dict.fromkeys(columns, reason),
        provenance=None,
    )
