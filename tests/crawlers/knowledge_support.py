"""Test support for the knowledge stage: upstream shards written straight from a sample World.

The knowledge stage reads `discover` and `locate` shards. Building them from the World the server
serves (rather than running those stages) keeps these tests about knowledge alone: what locate
would reject (no coordinates, disambiguation pages) is left out here, as locate would leave it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rswk.core.records import DiscoveredLandmark, LocatedLandmark, Provenance
from rswk.core.records.location import ArticleRef
from rswk.core.runstore import RunStore, ShardResult
from rswk.sampleworld.world import World, WorldLandmark

FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
UPSTREAM_PROVENANCE = Provenance(
    source_url="http://127.0.0.1/upstream",
    retrieved_at=FIXED_TIME,
    licence="CC0-1.0",
    attribution="test upstream",
)


def _articles(
    landmark: WorldLandmark, with_length: bool, keep_missing: bool = False
) -> list[ArticleRef]:
    return [
        ArticleRef(
            language=lang,
            title=article.title,
            pageid=article.pageid,
            revid=article.revid,
            requested_title=article.title,
            length=len(article.text.encode()) if with_length else None,
        )
        for lang, article in landmark.articles.items()
        if not article.disambiguation and (keep_missing or not article.missing)
    ]


def locatable(landmark: WorldLandmark) -> bool:
    """What locate keeps: coordinates, and an article that exists and is not a disambiguation."""
    return landmark.lat is not None and bool(_articles(landmark, with_length=False))


def located_from(
    landmark: WorldLandmark, with_length: bool = True, keep_missing: bool = False
) -> LocatedLandmark:
    """The LocatedLandmark locate would write for a landmark with coordinates.

    `keep_missing` keeps articles the wiki no longer has, as a stale locate shard would.
    """
    assert landmark.lat is not None and landmark.lon is not None
    return LocatedLandmark(
        qid=landmark.qid,
        country=landmark.country,
        label=landmark.labels.get("en") or next(iter(landmark.labels.values())),
        lat=landmark.lat,
        lon=landmark.lon,
        coordinate_source="wikidata:P625",
        distance_to_country_m=0.0,
        articles=_articles(landmark, with_length, keep_missing),
        entity_revision=1,
        provenance=UPSTREAM_PROVENANCE,
    )


def discovered_from(landmark: WorldLandmark, rank: int) -> DiscoveredLandmark:
    """The DiscoveredLandmark discover would write."""
    return DiscoveredLandmark(
        qid=landmark.qid,
        country=landmark.country,
        label=landmark.labels.get("en") or next(iter(landmark.labels.values())),
        labels=dict(landmark.labels),
        classes=list(landmark.classes),
        sitelinks=landmark.sitelinks,
        rank=rank,
        titles={lang: a.title for lang, a in landmark.articles.items()},
        lat=landmark.lat,
        lon=landmark.lon,
        provenance=UPSTREAM_PROVENANCE,
    )


def write_upstream(
    world: World,
    store: RunStore,
    countries: Iterable[str],
    *,
    with_length: bool = True,
    only: set[str] | None = None,
) -> None:
    """Done `discover` and `locate` shards for `countries` (landmarks in `only`, if given)."""
    for iso2 in countries:
        landmarks = [
            lm
            for lm in world.landmarks
            if lm.country == iso2 and locatable(lm) and (only is None or lm.qid in only)
        ]
        discovered = [discovered_from(lm, i + 1) for i, lm in enumerate(landmarks)]
        located = [located_from(lm, with_length) for lm in landmarks]
        store.stage("discover").write_shard(
            iso2, DiscoveredLandmark, ShardResult(discovered, [], {})
        )
        store.stage("locate").write_shard(iso2, LocatedLandmark, ShardResult(located, [], {}))
