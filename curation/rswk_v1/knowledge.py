"""The second table of an import: what the layout carries beyond the landmarks table.

The knowledge texts, major events, notable visitors' names, and the remote-sensing values the
landmarks table (validation/table.py) has no column for: land cover, peak month, description,
image fractions, monthly indices. Keys come from the shared layout table (`rswk.core.rswk_v1`).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from curation.rswk_v1.findings import EXPERT, WORLD, Finding
from curation.rswk_v1.values import parse_quantity
from rswk.core import rswk_v1 as layout
from rswk.core.rswk_v1 import canonical_key

# canonical key -> field, for each part of the layout.
TEXT_FIELD_OF = {canonical_key(k): f for f, k in layout.WORLD_KNOWLEDGE_TEXT.items()}
EVENT_FIELD_OF = {canonical_key(k): f for f, k in layout.MAJOR_EVENT_FIELDS.items()}
RS_TEXT_FIELD_OF = {canonical_key(k): f for f, k in layout.REMOTE_SENSING_TEXT.items()}
MONTH_FIELD_OF = {canonical_key(k): f for f, k in layout.MONTHLY_FIELDS.items()}
_EVENT = pa.struct([("event", pa.string()), ("year", pa.int64()), ("description", pa.string())])
_MONTH = pa.struct(
    [("month", pa.string()), *((f, pa.float64()) for f in list(layout.MONTHLY_FIELDS)[1:])]
)


def knowledge_schema(table_columns: tuple[str, ...]) -> pa.Schema:
    """The second table: what the layout carries beyond the landmarks table's columns."""
    measured = [m.column for m in layout.MEASURED if m.column not in table_columns]
    return pa.schema(
        [
            ("qid", pa.string()),
            ("image_name", pa.string()),
            ("area", pa.string()),
            ("location", pa.string()),
            *((f, pa.string()) for f in layout.WORLD_KNOWLEDGE_TEXT),
            ("notable_visitors", pa.list_(pa.string())),
            ("major_events", pa.list_(_EVENT)),
            *((f, pa.string()) for f in layout.REMOTE_SENSING_TEXT),
            *((c, pa.float64()) for c in measured),
            ("monthly", pa.list_(_MONTH)),
        ]
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _objects(
    value: Any, field_of: dict[str, str], record_id: str, where: str, findings: list[Finding]
) -> list[dict[str, Any]]:
    """A list of objects (events, months) with the layout's keys -> dicts of RSWK fields."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        findings.append(Finding(record_id, where, "not_a_list", f"{value!r} is not a list"))
        return []
    return [
        {field: item.get(key) for key, field in field_of.items()}
        for item in ({canonical_key(k): v for k, v in obj.items()} for obj in value)
    ]


def _year(value: Any, record_id: str, findings: list[Finding]) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    quantity = parse_quantity(value)
    if quantity is not None and quantity.unit is None and quantity.value.is_integer():
        return int(quantity.value)
    findings.append(
        Finding(record_id, f"{WORLD}.major_events.year", "not_a_year", f"{value!r} is not a year")
    )
    return None


def _visitors(value: Any, record_id: str, findings: list[Finding]) -> list[str]:
    """A list of names (our export); a string is one entry, never split: names hold commas."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    findings.append(
        Finding(record_id, f"{WORLD}.notable_visitors", "not_a_list", f"{value!r} is not names")
    )
    return []


def knowledge_row(
    qid: str,
    top: dict[str, Any],
    world: dict[str, Any],
    expert: dict[str, Any],
    measured: dict[str, float | None],
    record_id: str,
    findings: list[Finding],
) -> dict[str, Any]:
    """The second table's row: texts, events, visitors, and the measurements without a column
    in the landmarks table (see `knowledge_schema`)."""
    events = _objects(
        world.get("major_events"), EVENT_FIELD_OF, record_id, f"{WORLD}.major_events", findings
    )
    for event in events:
        event["year"] = _year(event["year"], record_id, findings)
    months = _objects(
        expert.get(canonical_key(layout.MONTHLY_KEY)),
        MONTH_FIELD_OF,
        record_id,
        f"{EXPERT}.monthly",
        findings,
    )
    visitors = _visitors(world.get("notable_visitors"), record_id, findings)
    return {
        "qid": qid,
        "image_name": _text(top.get("image_name")),
        "area": _text(world.get("area")),
        "location": _text(world.get("location")),
        **{field: _text(world.get(key)) for key, field in TEXT_FIELD_OF.items()},
        "notable_visitors": visitors,
        "major_events": events,
        **{field: _text(expert.get(key)) for key, field in RS_TEXT_FIELD_OF.items()},
        **measured,
        "monthly": months,
    }
