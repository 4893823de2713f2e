"""Seeded builders of attribute records and synthetic images for the attributes tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import numpy as np
from PIL import Image

from rswk.core.records.attributes import AttributesRecord, MonthlyIndex, SourceProvenance

RETRIEVED = datetime(2025, 1, 1, tzinfo=UTC)


def provenance(collection: str) -> SourceProvenance:
    return SourceProvenance(
        source_url="http://127.0.0.1/sentinelhub/api/v1/statistics",
        retrieved_at=RETRIEVED,
        licence="CC-BY-4.0",
        attribution="Contains modified Copernicus Sentinel data",
        collection=collection,
        time_range="2014-01-01/2023-12-31",
        resolution_m=20.0,
    )


def full_values(seed: int = 0, year: int = 2024) -> dict[str, Any]:
    """Keyword arguments for a complete `AttributesRecord`, varied by `seed`."""
    rng = np.random.default_rng(seed)
    monthly = [
        MonthlyIndex(
            month=f"{year}-{m:02d}",
            ndvi_mean=round(float(rng.uniform(0.1, 0.6)), 3),
            ndwi_mean=round(float(rng.uniform(-0.5, 0.0)), 3),
            ndbi_mean=round(float(rng.uniform(-0.3, 0.1)), 3),
            valid_fraction=0.8,
            cloud_fraction=0.2,
        )
        for m in range(1, 13)
    ]
    peak = max(monthly, key=lambda e: e.ndvi_mean or 0.0)
    return {
        "qid": "Q243",
        "country": "FR",
        "label": "Eiffel Tower",
        "lat": 48.8583,
        "lon": 2.2945,
        "buffer_m": 500.0,
        "year": year,
        "monthly": monthly,
        "ndvi_mean_annual": 0.31,
        "ndwi_mean_annual": -0.25,
        "ndbi_mean_annual": -0.05,
        "ndvi_peak_month": peak.month,
        "valid_fraction_annual": 0.8,
        "cloud_fraction_annual": 0.2,
        **{f"reflectance_{b}_mean": 0.1 for b in ("b02", "b03", "b04", "b08", "b11", "b12")},
        "elevation_m": 35.0,
        "land_cover_class": "built_up",
        "lst_day_c": 24.5,
        "temperature_2m_mean_c": 12.4,
        "precip_mm_per_year": 640.0,
        "wind_speed_10m_mean_m_s": 3.2,
        "surface_pressure_mean_hpa": 1013.0,
        "vegetation_fraction": 0.3,
        "water_fraction": 0.05,
        "builtup_fraction": 0.5,
        "brightness_mean": 0.45,
        "edge_density": 0.12,
        "dominant_colours": ["#808080", "#336633", "#203050"],
        "sentinel2_provenance": provenance("sentinel-2-l2a"),
        "climate_provenance": provenance("era5"),
    }


def full_record(seed: int = 0) -> AttributesRecord:
    return AttributesRecord(**full_values(seed))


def noisy_image(
    colour: tuple[int, int, int], seed: int, size: int = 256, fmt: str = "JPEG"
) -> bytes:
    """An encoded image of one colour with seeded noise (what a uniform land cover looks like)."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour)[None, None, :] + rng.normal(0, 8, (size, size, 3)), 0, 255)
    return encode(pixels.astype(np.uint8), fmt)


def encode(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()
