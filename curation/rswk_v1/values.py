"""Numbers and units out of RSWK v1 values.

Values come as numbers (`0.35`, `13`) or strings with a unit glued on (`"26.27°C"`,
`"588.25mm"`, `"101541.77Pa"`, `"4.76m/s"`, `"155.88°"`). Which key means which quantity, in
which unit, is the shared layout table (`rswk.core.rswk_v1`), also used by the export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NUMBER_WITH_UNIT = re.compile(
    r"^\s*(?P<num>[-+−]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>[^\d\s].*?)?\s*$"
)


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
