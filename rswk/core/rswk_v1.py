"""The RS-RAG paper's record layout ("rswk-v1"): the one key table export and import share.

A record is `{"ID", "image_name", "world knowledge": {...}, "remote sensing expert knowledge":
{...}}`, as in the paper's files: `Category` is the RSWK class, `Area` a place string ending in
the country ("Paris, Île-de-France, France"), `Location` a coordinate string, the texts under
underscore keys (`Historical_Background`), the measurements under the paper's names
(`LST_Day_1km`, `mean_2m_air_temperature`, `SR_B2`...).

`rswk export --format rswk-v1` writes this table's spelling; `rswk import rswk-v1` reads it and
the spellings the paper's files drift between. Two repairs of the paper's defects, both still
readable by its code: values are numbers, never strings with a unit glued on (`"26.27°C"`), and
each measured key states its unit (or scale) in parentheses (`"LST_Day_1km (°C)": 26.27`). The
importer drops a key's parenthesised part to match variants (`canonical_key`) and reads it back
as the unit (`key_label`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

TOP_KEYS: Final = ("ID", "image_name", "world knowledge", "remote sensing expert knowledge")

# --- world knowledge ----------------------------------------------------------------------
NAME_KEY: Final = "Name"
CATEGORY_KEY: Final = "Category"  # the RSWK class (one of the 16, or Other)
AREA_KEY: Final = "Area"  # "City, Region, Country": the country is the last part
LOCATION_KEY: Final = "Location"  # "lat, lon" in decimal degrees
COORDINATE_DECIMALS: Final = 6  # ~0.1 m: what the export writes, what survives a round trip
# KnowledgeRecord text field -> the paper's key.
WORLD_KNOWLEDGE_TEXT: Final[dict[str, str]] = {
    "address": "Address",
    "physical_area": "Physical_Area",
    "construction_period": "Construction_Period",
    "historical_background": "Historical_Background",
    "architectural_characteristics": "Architectural_Characteristics",
    "cultural_significance": "Cultural_Significance",
    "primary_function": "Primary_Function",
    "details": "Details",
}
# A list of names: joined into one string, "Diana, Princess of Wales" would not come apart.
NOTABLE_VISITORS_KEY: Final = "Notable_Visitors"
MAJOR_EVENTS_KEY: Final = "Major_Events"
# MajorEvent field -> key inside each event object.
MAJOR_EVENT_FIELDS: Final[dict[str, str]] = {
    "event": "Event",
    "year": "Year",
    "description": "Description",
}


# --- remote sensing expert knowledge --------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    """A number under the paper's key `name`, kept in RSWK's `column` (an AttributesRecord field).

    `label` is what the export writes in parentheses after the name: the unit for physical
    quantities (`unit` is then the same string, the one a paper string may glue on), the scale
    for dimensionless ones (`unit` None). `factor` turns the written number into the column's
    unit: the paper gives surface pressure in Pa, RSWK keeps hPa.
    """

    name: str
    column: str
    label: str
    unit: str | None
    factor: float = 1.0

    @property
    def key(self) -> str:
        return f"{self.name} ({self.label})"


_REFLECTANCE = "surface reflectance, 0-1"
# Landsat's SR_B2..SR_B7 (blue, green, red, NIR, SWIR 1, SWIR 2), the paper's bands, carry the
# Sentinel-2 band that covers the same light.
MEASURED: Final[tuple[Measured, ...]] = (
    Measured("NDVI", "ndvi_mean_annual", "annual mean", None),
    Measured("NDWI", "ndwi_mean_annual", "annual mean", None),
    Measured("NDBI", "ndbi_mean_annual", "annual mean", None),
    Measured("SR_B2", "reflectance_b02_mean", _REFLECTANCE, None),
    Measured("SR_B3", "reflectance_b03_mean", _REFLECTANCE, None),
    Measured("SR_B4", "reflectance_b04_mean", _REFLECTANCE, None),
    Measured("SR_B5", "reflectance_b08_mean", _REFLECTANCE, None),
    Measured("SR_B6", "reflectance_b11_mean", _REFLECTANCE, None),
    Measured("SR_B7", "reflectance_b12_mean", _REFLECTANCE, None),
    Measured("elevation", "elevation_m", "m", "m"),
    Measured("LST_Day_1km", "lst_day_c", "°C", "°C"),
    Measured("mean_2m_air_temperature", "temperature_2m_mean_c", "°C", "°C"),
    Measured("precipitation", "precip_mm_per_year", "mm", "mm"),
    Measured("SPEED", "wind_speed_10m_mean_m_s", "m/s", "m/s"),
    Measured("surface_pressure", "surface_pressure_mean_hpa", "Pa", "Pa", 0.01),
    Measured("vegetation_fraction", "vegetation_fraction", "share of image, 0-1", None),
    Measured("water_fraction", "water_fraction", "share of image, 0-1", None),
    Measured("builtup_fraction", "builtup_fraction", "share of image, 0-1", None),
)
# AttributesRecord text field -> key.
REMOTE_SENSING_TEXT: Final[dict[str, str]] = {
    "land_cover_class": "Land_Cover",
    "ndvi_peak_month": "NDVI_Peak_Month",
    "rs_description": "Description",
}
MONTHLY_KEY: Final = "Monthly_Indices"
# MonthlyIndex field -> key inside each month object.
MONTHLY_FIELDS: Final[dict[str, str]] = {
    "month": "Month",
    "ndvi_mean": "NDVI",
    "ndwi_mean": "NDWI",
    "ndbi_mean": "NDBI",
}

_DESCRIPTION = re.compile(r"\s*\((?P<label>.*)\)\s*$")


def canonical_key(key: str) -> str:
    """`EMIS(Surface emissivity)` -> `emis`; `LST_Day_1km (°C)` -> `lst_day_1km`;
    `Historical Background` -> `historical_background`."""
    return _DESCRIPTION.sub("", key).strip().casefold().replace(" ", "_")


def key_label(key: str) -> str | None:
    """The parenthesised part of a key (`°C` of `LST_Day_1km (°C)`), None without one."""
    match = _DESCRIPTION.search(key)
    return match.group("label").strip() if match else None


def format_location(lat: float, lon: float) -> str:
    """The decimal `Location` string the export writes."""
    return f"{lat:.{COORDINATE_DECIMALS}f}, {lon:.{COORDINATE_DECIMALS}f}"


MEASURED_BY_KEY: Final[dict[str, Measured]] = {canonical_key(m.name): m for m in MEASURED}
