"""The measured keys of a record's remote-sensing section -> RSWK's attribute columns.

Which key is which column, in which unit, is the shared layout table (`rswk.core.rswk_v1`): a
number counts when its unit is glued on (the paper's `"24.10°C"`, itself a finding) or stated
in the key (`"LST_Day_1km (°C)": 24.1`, as the export writes); a physical unit is never
guessed.
"""

from __future__ import annotations

from typing import Any

from curation.rswk_v1.findings import EXPERT, Finding
from curation.rswk_v1.values import parse_quantity
from rswk.core import rswk_v1 as layout
from rswk.core.rswk_v1 import canonical_key, key_label

RS_TEXT_KEYS = {canonical_key(k) for k in layout.REMOTE_SENSING_TEXT.values()}
MONTHLY = canonical_key(layout.MONTHLY_KEY)


def measurement(
    record_id: str, key: str, label: str | None, raw: Any, findings: list[Finding]
) -> float | None:
    """The value of a measured key in its RSWK column's unit, or None (with the finding why)."""
    measured = layout.MEASURED_BY_KEY[key]
    where = f"{EXPERT}.{key}"
    quantity = parse_quantity(raw)
    if quantity is None:
        findings.append(Finding(record_id, where, "not_a_number", f"{raw!r} is not a number"))
        return None
    if isinstance(raw, str) and quantity.unit:
        findings.append(
            Finding(
                record_id,
                where,
                "unit_in_string",
                f"{raw!r} read as {quantity.value:g} {quantity.unit}",
            )
        )
    if quantity.unit is not None:  # glued on: it must be the quantity's unit
        stated_right = quantity.unit == measured.unit
    else:  # a bare number: the key's parenthesised part must state the unit (or scale)
        stated_right = label == measured.label
    if stated_right:
        return quantity.value * measured.factor
    if measured.unit is not None:  # a physical unit is never guessed
        findings.append(
            Finding(
                record_id, where, "unit_missing", f"{raw!r}: expected a value in {measured.unit}"
            )
        )
        return None
    findings.append(
        Finding(
            record_id,
            where,
            "unit_missing",
            f"{raw!r} does not state its scale ({measured.label}); stored as given in "
            f"{measured.column}",
        )
    )
    return quantity.value


def measurements(
    record_id: str, expert: dict[str, Any], spelled: dict[str, str], findings: list[Finding]
) -> dict[str, float | None]:
    """Measured keys -> RSWK columns; any other number is only checked to be one."""
    values: dict[str, float | None] = {}
    for key, raw in expert.items():
        if key in RS_TEXT_KEYS or key == MONTHLY:
            continue
        if key in layout.MEASURED_BY_KEY:
            if raw is not None:  # null: not measured, as the export writes an absent value
                column = layout.MEASURED_BY_KEY[key].column
                values[column] = measurement(record_id, key, key_label(spelled[key]), raw, findings)
            continue
        quantity = parse_quantity(raw)
        if quantity is None:
            findings.append(
                Finding(record_id, f"{EXPERT}.{key}", "not_a_number", f"{raw!r} is not a number")
            )
        elif isinstance(raw, str) and quantity.unit:
            findings.append(
                Finding(
                    record_id,
                    f"{EXPERT}.{key}",
                    "unit_in_string",
                    f"{raw!r} read as {quantity.value:g} {quantity.unit}",
                )
            )
    return values
