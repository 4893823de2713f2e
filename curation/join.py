"""Every stage's record of one landmark, side by side: the input of curation.

Locate decides which landmarks exist (a landmark without a checked coordinate cannot be curated);
discover, knowledge, imagery and attributes add what they have. A stage that has not finished the
shard, or rejected the landmark, leaves its group None; its rejections travel with the landmark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from rswk.core.records import (
    AttributesRecord,
    DiscoveredLandmark,
    ImageRecord,
    KnowledgeRecord,
    LocatedLandmark,
    Rejection,
)
from rswk.core.runstore import RunStore

M = TypeVar("M", bound=BaseModel)
# Stages after locate whose rejections of a located landmark stay visible on its curated row.
LATER_STAGES = ("knowledge", "imagery", "attributes")


@dataclass
class Joined:
    """One located landmark with whatever the other stages produced for it."""

    located: LocatedLandmark
    discovered: DiscoveredLandmark | None = None
    knowledge: KnowledgeRecord | None = None
    image: ImageRecord | None = None
    attributes: AttributesRecord | None = None
    rejections: list[Rejection] = field(default_factory=list)


def _by_qid(store: RunStore, stage: str, shard_id: str, model: type[M]) -> dict[str, M]:
    stage_store = store.stage(stage)
    # The done-marker counts the records: most shards of a small run are empty, skip reading them.
    if not stage_store.is_done(shard_id) or stage_store.marker(shard_id)["records"] == 0:
        return {}
    return {getattr(r, "qid"): r for r in stage_store.read_shard(shard_id, model)}  # noqa: B009


def join_shard(store: RunStore, shard_id: str) -> list[Joined]:
    """The located landmarks of `shard_id`, each joined with the other stages' records."""
    locate = store.stage("locate")
    if locate.marker(shard_id)["records"] == 0:
        return []
    located = locate.read_shard(shard_id, LocatedLandmark)
    discovered = _by_qid(store, "discover", shard_id, DiscoveredLandmark)
    knowledge = _by_qid(store, "knowledge", shard_id, KnowledgeRecord)
    images = _by_qid(store, "imagery", shard_id, ImageRecord)
    attributes = _by_qid(store, "attributes", shard_id, AttributesRecord)
    rejections: dict[str, list[Rejection]] = defaultdict(list)
    for stage in LATER_STAGES:
        stage_store = store.stage(stage)
        if not stage_store.is_done(shard_id) or stage_store.marker(shard_id)["rejected"] == 0:
            continue
        for rejection in stage_store.read_rejections(shard_id):
            if rejection.qid is not None:
                rejections[rejection.qid].append(rejection)
    return [
        Joined(
            located=record,
            discovered=discovered.get(record.qid),
            knowledge=knowledge.get(record.qid),
            image=images.get(record.qid),
            attributes=attributes.get(record.qid),
            rejections=rejections.get(record.qid, []),
        )
        for record in located
    ]


def class_qids(joined: Joined) -> list[str]:
    """The landmark's Wikidata classes: discovery's P31 list, then the entity's P31 claims."""
    found = list(joined.discovered.classes) if joined.discovered else []
    found.extend(claim_item_ids(joined.located, "P31"))
    return list(dict.fromkeys(found))


def claim_item_ids(located: LocatedLandmark, prop: str) -> list[str]:
    """Item ids of the entity's `prop` claims (typed statements, deprecated ones left out)."""
    return [
        claim.value.qid
        for claim in located.entity_claims
        if claim.property == prop and claim.rank != "deprecated" and claim.value.qid is not None
    ]
