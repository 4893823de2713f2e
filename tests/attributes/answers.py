"""Seeded Statistical API and climate API answers in the services' shapes, for parser tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from crawlers.attributes.evalscripts import S2_REFLECTANCE_BANDS


def _stats(mean: float, samples: int = 2500, no_data: int = 0) -> dict[str, Any]:
    return {
        "stats": {
            "min": mean - 0.1,
            "max": mean + 0.1,
            "mean": mean,
            "stDev": 0.05,
            "sampleCount": samples,
            "noDataCount": no_data,
        }
    }


def s2_month(month: str, ndvi: float, clear: float = 0.8, cloud: float = 0.2) -> dict[str, Any]:
    """One good `P1M` interval with the outputs of the Sentinel-2 evalscript."""
    year, number = int(month[:4]), int(month[5:])
    end = f"{year + number // 12}-{number % 12 + 1:02d}-01T00:00:00Z"
    return {
        "interval": {"from": f"{month}-01T00:00:00Z", "to": end},
        "outputs": {
            "indices": {
                "bands": {
                    "NDVI": _stats(ndvi),
                    "NDWI": _stats(-ndvi / 2),
                    "NDBI": _stats(0.1 - ndvi / 2),
                }
            },
            "reflectance": {
                "bands": {
                    band: _stats(0.05 + 0.01 * i) for i, band in enumerate(S2_REFLECTANCE_BANDS)
                }
            },
            "scene": {"bands": {"CLEAR": _stats(clear), "CLOUD": _stats(cloud)}},
        },
    }


def s2_answer(year: int, seed: int, errors: dict[int, str] | None = None) -> dict[str, Any]:
    """A year of months with seeded NDVI; months in `errors` carry that per-interval error."""
    rng = np.random.default_rng(seed)
    data = []
    for number in range(1, 13):
        month = f"{year}-{number:02d}"
        if errors and number in errors:
            data.append(
                {
                    "interval": {"from": f"{month}-01T00:00:00Z", "to": f"{month}-28T00:00:00Z"},
                    "error": {"type": errors[number], "message": "injected"},
                }
            )
            continue
        data.append(s2_month(month, round(float(rng.uniform(0.05, 0.7)), 4)))
    return {"data": data, "status": "OK"}


def climate_answer(days: int, seed: int, wind_unit: str = "m/s") -> dict[str, Any]:
    """An Open-Meteo archive answer with `days` seeded daily values."""
    rng = np.random.default_rng(seed)
    return {
        "latitude": 48.86,
        "longitude": 2.29,
        "daily_units": {
            "time": "iso8601",
            "temperature_2m_mean": "°C",
            "precipitation_sum": "mm",
            "wind_speed_10m_mean": wind_unit,
            "surface_pressure_mean": "hPa",
        },
        "daily": {
            "time": [f"d{i}" for i in range(days)],
            "temperature_2m_mean": [round(float(v), 1) for v in rng.normal(12, 6, days)],
            "precipitation_sum": [round(float(v), 1) for v in rng.exponential(1.8, days)],
            "wind_speed_10m_mean": [round(float(v), 1) for v in rng.uniform(1, 6, days)],
            "surface_pressure_mean": [round(float(v), 1) for v in rng.normal(1010, 5, days)],
        },
    }
