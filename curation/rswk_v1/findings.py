"""What an import of RSWK v1 records found: one `Finding` per defect or repair, by record."""

from __future__ import annotations

from dataclasses import dataclass

from rswk.core import rswk_v1 as layout

# The sections, as findings name them (`world_knowledge.location`).
WORLD = layout.canonical_key(layout.TOP_KEYS[2])
EXPERT = layout.canonical_key(layout.TOP_KEYS[3])


@dataclass(frozen=True)
class Finding:
    """One defect or repair of the source, by record id."""

    record: str
    field: str
    kind: str
    detail: str
