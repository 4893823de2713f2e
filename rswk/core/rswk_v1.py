"""The RS-RAG paper's record layout ("rswk-v1"): key names shared by export and import.

A record is `{"ID", "image_name", "world knowledge": {...}, "remote sensing expert knowledge":
{...}}`. The world-knowledge keys are the paper's; RSWK's typed values keep their units in the
key name (`"Elevation (m)": 104.0`) instead of inside strings, which was one of the paper's defects.
`rswk export --format rswk-v1` writes this layout; `rswk import rswk-v1` reads it.
"""

from __future__ import annotations

from typing import Final

TOP_KEYS: Final = ("ID", "image_name", "world knowledge", "remote sensing expert knowledge")

# KnowledgeRecord text field -> the paper's world-knowledge key.
WORLD_KNOWLEDGE_TEXT: Final[dict[str, str]] = {
    "name": "Name",
    "category": "Category",
    "address": "Address",
    "physical_area": "Physical Area",
    "construction_period": "Construction Period",
    "historical_background": "Historical Background",
    "architectural_characteristics": "Architectural Characteristics",
    "cultural_significance": "Cultural Significance",
    "primary_function": "Primary Function",
    "notable_visitors": "Notable Visitors",
    "details": "Details",
}
LOCATION_KEY: Final = "Location"  # {"City", "Region", "Country", "Latitude", "Longitude"}
MAJOR_EVENTS_KEY: Final = "Major Events"  # [{"Year", "Event", "Description"}]

# AttributesRecord field -> the remote-sensing key (unit in the name).
REMOTE_SENSING: Final[dict[str, str]] = {
    "ndvi_mean_annual": "NDVI (annual mean)",
    "ndwi_mean_annual": "NDWI (annual mean)",
    "ndbi_mean_annual": "NDBI (annual mean)",
    "ndvi_peak_month": "NDVI Peak Month",
    "land_cover_class": "Land Cover",
    "elevation_m": "Elevation (m)",
    "lst_day_c": "Land Surface Temperature, day (°C)",
    "temperature_2m_mean_c": "Air Temperature, 2 m mean (°C)",
    "precip_mm_per_year": "Precipitation (mm/year)",
    "wind_speed_10m_mean_m_s": "Wind Speed, 10 m mean (m/s)",
    "surface_pressure_mean_hpa": "Surface Pressure, mean (hPa)",
    "vegetation_fraction": "Vegetation Fraction",
    "water_fraction": "Water Fraction",
    "builtup_fraction": "Built-up Fraction",
}
MONTHLY_KEY: Final = "Monthly Indices"  # [{"Month", "NDVI", "NDWI", "NDBI"}]
RS_DESCRIPTION_KEY: Final = "Description"
