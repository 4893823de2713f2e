"""Seeded test landmarks for the imagery tests: upstream shards and a matching sample world."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from rswk.core.records import KnowledgeField, KnowledgeRecord, LocatedLandmark, Provenance
from rswk.core.runstore import RunStore, ShardResult
from rswk.harness.locate_records import located_record
from rswk.sampleworld.world import World, WorldLandmark

RETRIEVED = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Site:
    """A landmark as the imagery tests need it."""

    qid: str
    country: str
    lat: float
    lon: float
    area_m2: float | None = None


# Near +60 (Helsinki) and -60 (Orcadas base, South Orkney), the equator, mid-latitudes.
SITES = (
    Site("Q1001", "FI", 60.1699, 24.9384),
    Site("Q1002", "AQ", -60.7375, -44.7376),
    Site("Q1003", "EC", -0.1807, -78.4678),
    Site("Q1004", "FR", 48.8584, 2.2945),
    Site("Q1005", "AU", -33.8568, 151.2153),
)


def cluster(
    seed: int, country: str, centre: tuple[float, float], count: int, first: int
) -> list[Site]:
    """`count` landmarks within ~150 m of `centre` (their images share tiles)."""
    gen = np.random.default_rng(seed)
    return [
        Site(
            f"Q{first + i}",
            country,
            round(centre[0] + gen.uniform(-0.0013, 0.0013), 6),
            round(centre[1] + gen.uniform(-0.0013, 0.0013), 6),
        )
        for i in range(count)
    ]


def provenance(url: str) -> Provenance:
    return Provenance(source_url=url, retrieved_at=RETRIEVED, licence="CC0-1.0", attribution="test")


def located(site: Site) -> LocatedLandmark:
    label = f"Landmark {site.qid}"
    wikidata = provenance("http://127.0.0.1/wikidata")
    return located_record(site.qid, site.country, site.lat, site.lon, label, wikidata)


def knowledge(site: Site) -> KnowledgeRecord:
    def field(value: str) -> KnowledgeField:
        return KnowledgeField(value=value, language="en", provenance=provenance("http://127.0.0.1"))

    return KnowledgeRecord(
        qid=site.qid,
        country=site.country,
        name=field(f"Landmark {site.qid}"),
        category=field("tower"),
        country_name=field(site.country),
        lat=site.lat,
        lon=site.lon,
        area_m2=site.area_m2,
    )


def by_country(sites: Iterable[Site]) -> dict[str, list[Site]]:
    shards: dict[str, list[Site]] = {}
    for site in sites:
        shards.setdefault(site.country, []).append(site)
    return shards


def write_upstream(
    store: RunStore, sites: Iterable[Site], *, with_knowledge: bool = False
) -> list[str]:
    """Done `locate` shards (and `knowledge` shards) for `sites`; returns the shard ids."""
    shards = by_country(sites)
    for shard_id, members in shards.items():
        result = ShardResult([located(s) for s in members], [], {})
        store.stage("locate").write_shard(shard_id, LocatedLandmark, result)
        if with_knowledge:
            facts = ShardResult([knowledge(s) for s in members], [], {})
            store.stage("knowledge").write_shard(shard_id, KnowledgeRecord, facts)
    return sorted(shards)


def world_of(sites: Iterable[Site], name: str = "imagery-test") -> World:
    """A sample world holding `sites` (their footprints are drawn in its imagery)."""
    landmarks = [
        WorldLandmark(
            qid=s.qid,
            country=s.country,
            lat=s.lat,
            lon=s.lon,
            classes=["Q12518"],
            sitelinks=10,
            labels={"en": f"Landmark {s.qid}"},
            area_m2=s.area_m2,
        )
        for s in sites
    ]
    return World(name=name, landmarks=landmarks)
