"""A wave: a group of country shards whose Wikidata calls are batched together.

Batching across shards keeps the Wikidata share of requests near 2/50 per landmark even when
countries hold a handful of landmarks each. A wave is bounded (`max_landmarks`) so a killed run
loses little work and memory stays small; its shards are written as soon as each is built.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from crawlers.knowledge.claims import EntityFacts, parse_entity
from crawlers.knowledge.wikidata_client import EntityBatch, WikidataClient
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.countries import CountryFile, CountryRegistry
from rswk.core.records import DiscoveredLandmark, LocatedLandmark
from rswk.core.records.claims import claims_to_wikidata
from rswk.core.runstore import RunStore

UPSTREAM_LOCATE = "locate"
UPSTREAM_DISCOVER = "discover"


@dataclass(frozen=True)
class ShardInputs:
    """One country's upstream records: located landmarks and their discover records."""

    shard_id: str
    country: CountryFile
    located: list[LocatedLandmark]
    discovered: dict[str, DiscoveredLandmark]

    @property
    def languages(self) -> list[str]:
        """Editions the text may come in: the country's, then any the articles have."""
        found = [a.language for lm in self.located for a in lm.articles]
        return list(dict.fromkeys([*self.country.languages, *sorted(found)]))


@dataclass
class Wave:
    """Shards built together, with the Wikidata facts and labels they all need."""

    shards: dict[str, ShardInputs]
    entities: EntityBatch = field(default_factory=EntityBatch)
    labels: EntityBatch = field(default_factory=EntityBatch)

    def facts(self, qid: str) -> EntityFacts | None:
        return self.entities.facts.get(qid)

    def failure(self, qid: str) -> str | None:
        """Why the Wikidata part of `qid` could not be fetched, if it could not."""
        if qid in self.entities.failed:
            return self.entities.failed[qid]
        facts = self.facts(qid)
        refs = facts.referenced_qids() if facts else set()
        failed = sorted(q for q in refs if q in self.labels.failed)
        return f"labels of {', '.join(failed)}: {self.labels.failed[failed[0]]}" if failed else None


def load_shard(store: RunStore, registry: CountryRegistry, shard_id: str) -> ShardInputs:
    """The finished locate and discover shards of one country (an error names what to run)."""
    located = store.stage(UPSTREAM_LOCATE).read_shard(shard_id, LocatedLandmark)
    discovered = store.stage(UPSTREAM_DISCOVER).read_shard(shard_id, DiscoveredLandmark)
    return ShardInputs(
        shard_id=shard_id,
        country=registry.get(shard_id[:2]),
        located=sorted(located, key=lambda lm: int(lm.qid[1:])),
        discovered={d.qid: d for d in discovered},
    )


def plan_waves(
    store: RunStore, registry: CountryRegistry, shard_ids: Sequence[str], max_landmarks: int
) -> Iterator[dict[str, ShardInputs]]:
    """Shards grouped in order, each group holding about `max_landmarks` landmarks."""
    group: dict[str, ShardInputs] = {}
    count = 0
    for shard_id in shard_ids:
        inputs = load_shard(store, registry, shard_id)
        group[shard_id] = inputs
        count += len(inputs.located)
        if count >= max_landmarks:
            yield group
            group, count = {}, 0
    if group:
        yield group


def add_located_entity(batch: EntityBatch, landmark: LocatedLandmark) -> None:
    """File the claims and labels locate recorded as if wbgetentities had just answered them."""
    labels = {
        lang: {"language": lang, "value": text} for lang, text in landmark.entity_labels.items()
    }
    entity = {
        "lastrevid": landmark.entity_revision,
        "claims": claims_to_wikidata(landmark.entity_claims),
        "labels": labels,
    }
    batch.facts[landmark.qid] = parse_entity(landmark.qid, entity)
    batch.labels[landmark.qid] = dict(landmark.entity_labels)
    batch.retrieved_at[landmark.qid] = landmark.provenance.retrieved_at


def fetch_wave(client: WikidataClient, shards: dict[str, ShardInputs]) -> Wave:
    """Claims of every landmark in the wave, then labels of every item they refer to."""
    wave = Wave(shards=shards)
    languages = sorted({lang for s in shards.values() for lang in s.languages} | {"en"})
    located = [lm for s in shards.values() for lm in s.located]
    if not located:
        return wave
    # Locate hands on the claims it fetched; only landmarks without them are asked for again.
    wave.entities = client.entities([lm.qid for lm in located if not lm.entity_claims], languages)
    for landmark in located:
        if landmark.entity_claims:
            add_located_entity(wave.entities, landmark)
    referenced: set[str] = set()
    classes: set[str] = set()
    for facts in wave.entities.facts.values():
        referenced |= facts.referenced_qids()
        classes |= set(facts.classes)
    for shard in shards.values():
        for discovered in shard.discovered.values():
            classes |= set(discovered.classes)
    # Classes RSWK lists have their English label in LANDMARK_CLASSES; others need theirs.
    referenced |= {c for c in classes if c not in LANDMARK_CLASSES}
    if referenced:
        wave.labels = client.labels(referenced, languages)
    return wave
