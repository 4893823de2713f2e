"""`locate` records made straight from a world's facts, for work that starts after the crawl.

Benchmarks and tests of the imagery and attributes stages need located landmarks without
running the crawl first; these are shaped exactly as the locate stage writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rswk.core.records import LocatedLandmark, Provenance
from rswk.sampleworld.world import World

SAMPLE_PROVENANCE = Provenance(
    source_url="http://127.0.0.1/wikidata",
    retrieved_at=datetime(2025, 1, 1, tzinfo=UTC),
    licence="CC0-1.0",
    attribution="RSWK sample world",
)


def located_record(
    qid: str,
    country: str,
    lat: float,
    lon: float,
    label: str,
    provenance: Provenance = SAMPLE_PROVENANCE,
) -> LocatedLandmark:
    """One landmark located by its Wikidata P625, inside its country."""
    return LocatedLandmark(
        qid=qid,
        country=country,
        label=label,
        lat=lat,
        lon=lon,
        coordinate_source="wikidata:P625",
        distance_to_country_m=0.0,
        entity_revision=1,
        provenance=provenance,
    )


def located_records(
    world: World, countries: Sequence[str] | None = None
) -> dict[str, list[LocatedLandmark]]:
    """Landmarks with coordinates, by country (only `countries` when given, each present)."""
    by_country: dict[str, list[LocatedLandmark]] = {c: [] for c in countries or ()}
    for landmark in world.landmarks:
        if landmark.lat is None or landmark.lon is None:
            continue
        if countries is not None and landmark.country not in by_country:
            continue
        label = landmark.labels.get("en", landmark.qid)
        by_country.setdefault(landmark.country, []).append(
            located_record(landmark.qid, landmark.country, landmark.lat, landmark.lon, label)
        )
    return by_country
