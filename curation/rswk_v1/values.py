"""Numbers and units out of RSWK v1 strings, and the drifting key names merged.

Values come as numbers (`0.35`, `13`) or strings with a unit glued on (`"26.27°C"`,
`"588.25mm"`, `"101541.77Pa"`, `"4.76m/s"`, `"155.88°"`). The same quantity appears under
several keys (`EMIS` and `EMIS(Surface emissivity)`): a key's parenthesised description is
dropped and the case folded, so both merge into one canonical key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NUMBER_WITH_UNIT = re.compile(
    r"^\s*(?P<num>[-+−]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>[^\d\s].*?)?\s*$"
)
_DESCRIPTION = re.compile(r"\s*\(.*\)\s*$")


@dataclass(frozen=True)
class Quantity:
    """A number and the unit written with it (None when the source gave none)."""

    value: float
    unit: str | None


def parse_quantity(value: Any) -> Quantity | None:
    """`Quantity(26.27, "°C")` from `"26.27°C"`, `Quantity(0.35, None)` from `0.35`; None if not
    a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Quantity(float(value), None)
    if not isinstance(value, str):
        return None
    match = _NUMBER_WITH_UNIT.match(value)
    if match is None:
        return None
    number = match.group("num").replace("−", "-").replace(",", ".")
    return Quantity(float(number), match.group("unit") or None)


def canonical_key(key: str) -> str:
    """`EMIS(Surface emissivity)` -> `emis`; `LST_Day_1km` -> `lst_day_1km`."""
    return _DESCRIPTION.sub("", key).strip().casefold().replace(" ", "_")


# Paper key (canonical) -> (our column, unit expected in the string, factor to our unit).
COLUMN_OF: dict[str, tuple[str, str, float]] = {
    "lst_day_1km": ("lst_day_c", "°C", 1.0),
    "mean_2m_air_temperature": ("temperature_2m_mean_c", "°C", 1.0),
    "precipitation": ("precip_mm_per_year", "mm", 1.0),
    "surface_pressure": ("surface_pressure_mean_hpa", "Pa", 0.01),
    "speed": ("wind_speed_10m_mean_m_s", "m/s", 1.0),
    # Landsat surface reflectance as the paper gives it: scaled integers, no unit. Stored as
    # given, so the 0-1 reflectance range check reports them.
    "sr_b2": ("reflectance_b02_mean", "", 1.0),
    "sr_b3": ("reflectance_b03_mean", "", 1.0),
    "sr_b4": ("reflectance_b04_mean", "", 1.0),
    "sr_b5": ("reflectance_b08_mean", "", 1.0),
    "sr_b6": ("reflectance_b11_mean", "", 1.0),
    "sr_b7": ("reflectance_b12_mean", "", 1.0),
}
