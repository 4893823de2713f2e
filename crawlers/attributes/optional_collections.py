"""Elevation, land cover and land surface temperature: collections an endpoint may not offer.

Each is one Statistical API request over the same buffer with one interval covering the year
(`P1Y`). Which data type to ask for is configured (`attributes.elevation_collection` ...; "" turns
one off), because endpoints differ: Copernicus Data Space offers the Copernicus DEM as `dem`,
land cover and LST only as bring-your-own collections. A refusal (400/404), a failure after
retries, or an answer without numbers leaves the attribute absent with that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crawlers.attributes.evalscripts import (
    ELEVATION,
    ELEVATION_BAND,
    ELEVATION_OUTPUT,
    LAND_COVER_CLASSES,
    LAND_COVER_OUTPUT,
    LAND_SURFACE_TEMPERATURE,
    LST_BAND,
    LST_OUTPUT,
    land_cover_evalscript,
)
from crawlers.attributes.statistical import band_mean

YEAR_INTERVAL = "P1Y"


@dataclass(frozen=True)
class OptionalCollection:
    """One optional attribute: its column, the evalscript, and how to read the answer."""

    column: str
    provenance_field: str
    config_key: str
    evalscript: str
    read: Callable[[Mapping[str, Any]], Any]
    licence: str
    attribution: str


def read_elevation(outputs: Mapping[str, Any]) -> float | None:
    """Mean terrain height in metres."""
    value = band_mean(outputs, ELEVATION_OUTPUT, ELEVATION_BAND)
    return None if value is None else round(value, 1)


def read_land_cover(outputs: Mapping[str, Any]) -> str | None:
    """The class with the largest share of the buffer (ties: the lower class code)."""
    names = list(LAND_COVER_CLASSES.values())
    shares = [(band_mean(outputs, LAND_COVER_OUTPUT, name), name) for name in names]
    present = [(share, name) for share, name in shares if share is not None and share > 0]
    if not present:
        return None
    return max(present, key=lambda item: (item[0], -names.index(item[1])))[1]


def read_lst(outputs: Mapping[str, Any]) -> float | None:
    """Mean daytime land surface temperature in °C."""
    value = band_mean(outputs, LST_OUTPUT, LST_BAND)
    return None if value is None else round(value, 2)


OPTIONAL_COLLECTIONS = (
    OptionalCollection(
        column="elevation_m",
        provenance_field="elevation_provenance",
        config_key="elevation_collection",
        evalscript=ELEVATION,
        read=read_elevation,
        licence="Copernicus DEM licence (free of charge, worldwide)",
        attribution=(
            "Copernicus DEM © DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH 2014-2018, "
            "provided under COPERNICUS by the European Union and ESA"
        ),
    ),
    OptionalCollection(
        column="land_cover_class",
        provenance_field="land_cover_provenance",
        config_key="land_cover_collection",
        evalscript=land_cover_evalscript(),
        read=read_land_cover,
        licence="CC-BY-4.0",
        attribution="ESA WorldCover project / Contains modified Copernicus Sentinel data",
    ),
    OptionalCollection(
        column="lst_day_c",
        provenance_field="lst_provenance",
        config_key="lst_collection",
        evalscript=LAND_SURFACE_TEMPERATURE,
        read=read_lst,
        licence="see the collection provider's terms",
        attribution="Land surface temperature collection of the configured Sentinel Hub endpoint",
    ),
)


def first_interval_outputs(answer: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str]:
    """The outputs of the first good interval, or None and why there is none."""
    errors = []
    for entry in answer.get("data") or []:
        if "error" in entry:
            errors.append(str(entry["error"]))
            continue
        outputs = entry.get("outputs")
        if isinstance(outputs, Mapping):
            return outputs, ""
    if errors:
        return None, f"Statistical API error: {errors[0]}"
    return None, "the collection has no data over the landmark"
