"""Curated shards for the index tests, built from a real run of the existing stages.

The `curate` stage is built on another branch; until it lands, this seeded builder stands in for
it: it runs discover → attributes on the bundled sample world for a few countries, joins locate +
knowledge + imagery + attributes by QID into `CuratedLandmark` rows, and writes them through the
RunStore as stage "curate". Class, split and grid cell are derived deterministically, never typed
in by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.landmark_classes import most_specific, rswk_class_of
from rswk.core.records import LocatedLandmark
from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.imagery import ImageRecord
from rswk.core.records.knowledge import KnowledgeRecord
from rswk.core.records.landmark import SPLITS, CuratedLandmark
from rswk.core.runstore import RunStore, ShardResult

# Countries of the bundled world with landmarks in several scripts (Latin, Arabic, CJK).
COUNTRIES = ("FR", "IT", "JP", "EG", "US", "CN")
UPSTREAM = ("discover", "locate", "knowledge", "imagery", "attributes")


def run_upstream(workdir: Path, countries: Sequence[str] = COUNTRIES) -> ProjectConfig:
    """Run the built stages on the sample world for `countries` into `workdir`."""
    from rswk.cli.common import service_urls
    from rswk.pipeline import run_pipeline

    config = load_config("sample", workdir=workdir)
    with service_urls(config) as resolved:
        run_pipeline(resolved, CountryRegistry.from_dir(), list(countries), stages=UPSTREAM)
    return config


def _by_qid(store: RunStore, stage: str, shard: str, model: type[BaseModel]) -> dict[str, object]:
    stage_store = store.stage(stage)
    if not stage_store.is_done(shard):
        return {}
    return {r.qid: r for r in stage_store.read_shard(shard, model)}  # type: ignore[attr-defined]


def _class_qids(located: LocatedLandmark) -> list[str]:
    return [
        claim["mainsnak"]["datavalue"]["value"]["id"]
        for claim in located.entity_claims.get("P31", [])
        if claim.get("mainsnak", {}).get("snaktype") == "value"
    ]


def curated_row(
    located: LocatedLandmark,
    knowledge: KnowledgeRecord | None,
    image: ImageRecord | None,
    attributes: AttributesRecord | None,
) -> CuratedLandmark:
    """One joined row; split by a hash of the ~10 km grid cell, as curation does."""
    classes = _class_qids(located)
    fine = most_specific(classes)
    cell = f"{round(located.lat * 10)}_{round(located.lon * 10)}"
    split = SPLITS[int(hashlib.sha256(cell.encode()).hexdigest(), 16) % len(SPLITS)]
    name = knowledge.name.value if knowledge else located.label
    return CuratedLandmark(
        qid=located.qid,
        country=located.country,
        name=name,
        language=knowledge.name.language if knowledge else "en",
        rswk_class=rswk_class_of(classes),
        fine_class=fine.label if fine else None,
        fine_class_qid=fine.qid if fine else None,
        continent="Unknown",
        lat=located.lat,
        lon=located.lon,
        split=split,
        grid_cell=cell,
        location=located,
        knowledge=knowledge,
        image=image,
        attributes=attributes,
    )


def write_curated(store: RunStore) -> dict[str, list[CuratedLandmark]]:
    """Join every located shard's records by QID and write them as stage "curate"."""
    written: dict[str, list[CuratedLandmark]] = {}
    for shard in store.stage("locate").done_shards():
        knowledge = _by_qid(store, "knowledge", shard, KnowledgeRecord)
        images = _by_qid(store, "imagery", shard, ImageRecord)
        attributes = _by_qid(store, "attributes", shard, AttributesRecord)
        rows = [
            curated_row(
                located,
                knowledge.get(located.qid),  # type: ignore[arg-type]
                images.get(located.qid),  # type: ignore[arg-type]
                attributes.get(located.qid),  # type: ignore[arg-type]
            )
            for located in store.stage("locate").read_shard(shard, LocatedLandmark)
        ]
        store.stage("curate").write_shard(
            shard, CuratedLandmark, ShardResult(records=rows, rejections=[], stats={})
        )
        written[shard] = rows
    return written


def build_curated_store(workdir: Path, countries: Sequence[str] = COUNTRIES) -> ProjectConfig:
    """A run store with curated shards for `countries`; returns its sample-profile config."""
    config = run_upstream(workdir, countries)
    write_curated(RunStore(workdir))
    return config
