"""Possible duplicates: two QIDs of one country with a name in common, within 100 m.

Both stay in the output, each listing the other; curation decides which one survives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawlers.locate.geo import haversine_m
from rswk.core.records import LocatedLandmark

DUPLICATE_RADIUS_M = 100.0


def name_key(name: str) -> str:
    """Names compare case- and space-insensitively."""
    return " ".join(name.casefold().split())


def flag_duplicates(
    records: Sequence[LocatedLandmark],
    names: Mapping[str, set[str]],
    radius_m: float = DUPLICATE_RADIUS_M,
) -> list[LocatedLandmark]:
    """`records` with `possible_duplicates` filled; `names` holds each QID's name keys."""
    found: dict[str, list[str]] = {r.qid: [] for r in records}
    for i, a in enumerate(records):
        for b in records[i + 1 :]:
            if not names.get(a.qid, set()) & names.get(b.qid, set()):
                continue
            if haversine_m(a.lat, a.lon, b.lat, b.lon) <= radius_m:
                found[a.qid].append(b.qid)
                found[b.qid].append(a.qid)
    return [
        r.model_copy(update={"possible_duplicates": sorted(found[r.qid])}) if found[r.qid] else r
        for r in records
    ]
