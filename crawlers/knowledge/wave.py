"""A wave: a group of country shards whose Wikidata calls are batched together.

Batching across shards keeps the Wikidata share of requests near 2/50 per landmark even when
countries hold a handful of landmarks each. A wave is bounded (`max_landmarks`) so a killed run
loses little work and memory stays small; its shards are written as soon as each is built.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from crawlers.knowledge.claims import EntityFacts, ItemFacts, parse_entity
from crawlers.knowledge.places import MAX_DEPTH, chain_parents
from crawlers.knowledge.wikidata_client import EntityBatch, WikidataClient
from rswk.core.countries import CountryFile, CountryRegistry
from rswk.core.landmark_classes import CLASS_TABLE
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
    """Shards built together, with the Wikidata facts and items they all need."""

    shards: dict[str, ShardInputs]
    entities: EntityBatch = field(default_factory=EntityBatch)
    items: dict[str, ItemFacts] = field(default_factory=dict)
    # (edition, linked title) -> item; filled once the wave's articles are read.
    link_items: dict[tuple[str, str], str] = field(default_factory=dict)
    item_failures: dict[str, str] = field(default_factory=dict)
    title_failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def facts(self, qid: str) -> EntityFacts | None:
        return self.entities.facts.get(qid)

    def failure(self, qid: str) -> str | None:
        """Why the Wikidata part of `qid` could not be fetched, if it could not."""
        if qid in self.entities.failed:
            return self.entities.failed[qid]
        facts = self.facts(qid)
        refs = facts.referenced_qids() | self._chain(facts.located_in) if facts else set()
        failed = sorted(q for q in refs if q in self.item_failures)
        return f"items {', '.join(failed)}: {self.item_failures[failed[0]]}" if failed else None

    def _chain(self, located_in: tuple[str, ...]) -> set[str]:
        """The P131 chain's items as far as they are known (a failed one ends it)."""
        chain: set[str] = set()
        current = located_in[0] if located_in else None
        while current and current not in chain and len(chain) < MAX_DEPTH:
            chain.add(current)
            item = self.items.get(current)
            current = item.located_in[0] if item and item.located_in else None
        return chain

    def links_of(self, language: str) -> dict[str, str]:
        """Linked title -> item for one edition."""
        return {title: q for (lang, title), q in self.link_items.items() if lang == language}


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


def fetch_wave(
    client: WikidataClient, shards: dict[str, ShardInputs], cache: ItemCache | None = None
) -> Wave:
    """Claims of every landmark in the wave, then the items they refer to, level by level.

    Items are fetched with labels and claims (P31, P131), 50 per request; then the P131 parents
    of the places among them, one batched request per level per 50 items, up to MAX_DEPTH
    levels. `cache` keeps items between waves, so a region shared by many waves is fetched once.
    """
    wave = Wave(shards=shards)
    cache = cache if cache is not None else ItemCache()
    languages = wave_languages(shards)
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
    places: set[str] = set()
    for facts in wave.entities.facts.values():
        referenced |= facts.referenced_qids()
        classes |= set(facts.classes)
        places |= set(facts.located_in[:1])
    for shard in shards.values():
        for discovered in shard.discovered.values():
            classes |= set(discovered.classes)
    # Classes in the class table have their English label there; others need theirs.
    referenced |= {c for c in classes if c not in CLASS_TABLE}
    cache.fetch(client, referenced, languages, wave)
    for _ in range(MAX_DEPTH):
        parents = chain_parents(wave.items, places)
        if not parents:
            break
        cache.fetch(client, parents, languages, wave)
        places = parents
    return wave


def wave_languages(shards: dict[str, ShardInputs]) -> list[str]:
    """Every edition a wave's records may be written in, and English."""
    return sorted({lang for s in shards.values() for lang in s.languages} | {"en"})


@dataclass
class ItemCache:
    """Referenced items fetched so far in this run (a process-wide memo over waves)."""

    items: dict[str, ItemFacts] = field(default_factory=dict)

    def fetch(
        self, client: WikidataClient, qids: set[str], languages: list[str], wave: Wave
    ) -> None:
        """Put `qids` into `wave.items`, asking Wikidata only for the ones not cached."""
        wanted = {q for q in qids if q not in self.items}
        if wanted:
            batch = client.items(wanted, languages)
            self.items.update(batch.items)
            wave.item_failures.update(batch.failed)
        wave.items.update({q: self.items[q] for q in qids if q in self.items})


def resolve_links(
    client: WikidataClient, wave: Wave, titles: dict[str, set[str]], cache: ItemCache
) -> None:
    """Items of linked titles, per edition (`titles`: edition -> titles), into the wave."""
    languages = wave_languages(wave.shards)
    for language in sorted(titles):
        batch = client.titled(language, titles[language], languages)
        wave.link_items.update(batch.titles)
        cache.items.update(batch.items)
        wave.items.update(batch.items)
        wave.title_failures.update({(language, t): why for t, why in batch.failed.items()})
