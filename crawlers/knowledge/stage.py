"""The knowledge stage: the RSWK world-knowledge fields of every located landmark.

Reads the `locate` shard (articles with page and revision ids) and the `discover` shard
(labels, classes) of each country; writes one KnowledgeRecord per landmark, or a Rejection with
its reason. A wave of shards is built in three steps: Wikidata (claims, then the referenced items
and their P131 parents, batched 50 per call across the wave); the articles (one MediaWiki
`extracts|links` call per landmark, one more only when the preferred edition turns out missing
or too short); the people the articles link to (`wbgetentities` by title, 50 per call per
edition); then the records. Every response is cached under `http_cache_dir/httpx`, so a rerun
with nothing changed sends nothing. Each shard's stats carry its field-quality counts
(`quality`), and the run prints the field-quality table at its end.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Final

from crawlers.knowledge.article_fields import map_article
from crawlers.knowledge.editions import edition_order, preference
from crawlers.knowledge.fields import RecordInputs, build_record
from crawlers.knowledge.people import mentioned_links
from crawlers.knowledge.provenance import ArticleSource, EntitySource, page_url
from crawlers.knowledge.quality import field_quality, print_quality_table, quality_counts
from crawlers.knowledge.text import word_count
from crawlers.knowledge.wave import (
    ItemCache,
    ShardInputs,
    Wave,
    fetch_wave,
    load_shard,
    plan_waves,
    resolve_links,
)
from crawlers.knowledge.wikidata_client import WikidataClient
from crawlers.knowledge.wikipedia_client import (
    FetchedArticle,
    WikipediaArticles,
    mediawiki_rewrite,
)
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.country_defaults import country_name
from rswk.core.executor import LocalExecutor
from rswk.core.http import FetchFailed, PoliteTransport
from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import KnowledgeRecord, LocatedLandmark, Rejection, RejectReason
from rswk.core.records.location import ArticleRef
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.source_limits import WIKIMEDIA_SOURCE
from rswk.core.stage import Stage, StageReport, run_stage

logger = logging.getLogger(__name__)
WAVE_LANDMARKS: Final = 1000
# When several editions fail, the reason a rerun is most likely to fix comes first.
_REASON_ORDER: Final = (
    RejectReason.FETCH_FAILED,
    RejectReason.ARTICLE_TOO_SHORT,
    RejectReason.MISSING_PAGE,
)


class KnowledgeStage(Stage):
    """World-knowledge fields from Wikipedia articles and Wikidata claims, per country."""

    name: ClassVar[str] = "knowledge"
    record_model = KnowledgeRecord
    # The record's class label comes from the landmark class table.
    reads_class_table = True
    # Edition order and word thresholds decide which article a field comes from.
    config_keys = ("knowledge",)

    def __init__(
        self,
        config: ProjectConfig,
        registry: CountryRegistry,
        store: RunStore,
        *,
        min_words: int | None = None,
        wave_landmarks: int = WAVE_LANDMARKS,
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.min_words = min_words or config.knowledge.min_words
        self.wave_landmarks = wave_landmarks
        self.transport: PoliteTransport | None = None
        self._articles: WikipediaArticles | None = None
        self._wikidata: WikidataClient | None = None
        self._items = ItemCache()
        # Per-shard stats of this run, for the field-quality table printed at the end.
        self.shard_stats: dict[str, dict[str, int]] = {}

    def setup(self) -> None:
        """One polite, cached transport shared by the Wikipedia and Wikidata clients."""
        if self.transport is not None:
            return
        self.transport = PoliteTransport(
            self.config.politeness,
            cache_dir=self.config.http_cache_dir / "httpx",
            rewrite=mediawiki_rewrite(self.config.sources.mediawiki),
            cache_policy=self.config.cache.policy,
            # Counted under the name the crawl stages use, not by host (127.0.0.1 locally).
            source_name=WIKIMEDIA_SOURCE,
        )
        self._articles = WikipediaArticles(self.config, self.transport)
        self._wikidata = WikidataClient(self.config, self.transport)

    def process(self, shard_id: str) -> ShardResult:
        """One country on its own (its Wikidata calls batched within the shard)."""
        self.setup()
        shards = {shard_id: load_shard(self.store, self.registry, shard_id)}
        wave = self._fetch(shards)
        chosen = {shard_id: self._choose_shard(shard_id, wave)}
        self._resolve_links(wave, chosen)
        result = self._build_shard(shard_id, wave, chosen[shard_id])
        self.shard_stats[shard_id] = dict(result.stats)
        return result

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        """Shards in waves: Wikidata batched over a wave, articles, linked people, then records."""
        self.setup()
        for shards in plan_waves(self.store, self.registry, shard_ids, self.wave_landmarks):
            wave = self._fetch(shards)
            choose = partial(self._choose_shard, wave=wave)
            chosen = dict(executor.map_unordered(choose, list(shards)))
            self._resolve_links(wave, chosen)
            build = partial(self._build_chosen, wave=wave, chosen=chosen)
            for shard_id, result in executor.map_unordered(build, list(shards)):
                self.shard_stats[shard_id] = dict(result.stats)
                yield shard_id, result

    def close(self) -> None:
        """Print the field-quality table of the shards this run built."""
        if self.shard_stats:
            print_quality_table(field_quality(self.shard_stats.values()))

    def _fetch(self, shards: dict[str, ShardInputs]) -> Wave:
        assert self._wikidata is not None, "setup() creates the clients"
        return fetch_wave(self._wikidata, shards, self._items)

    def _resolve_links(self, wave: Wave, chosen: dict[str, ShardChoice]) -> None:
        """Items of the links the chosen articles make in their visitor/history/event sections."""
        assert self._wikidata is not None, "setup() creates the clients"
        titles: dict[str, set[str]] = {}
        for choice in chosen.values():
            for outcome in choice.values():
                if isinstance(outcome, Chosen) and outcome.article.links:
                    mapped = map_article(outcome.article)
                    found = {m.title for m in mentioned_links(mapped, outcome.article.links)}
                    titles.setdefault(outcome.article.language, set()).update(found)
        titles = {lang: found for lang, found in titles.items() if found}
        if titles:
            resolve_links(self._wikidata, wave, titles, self._items)

    def _build_chosen(
        self, shard_id: str, wave: Wave, chosen: dict[str, ShardChoice]
    ) -> ShardResult:
        return self._build_shard(shard_id, wave, chosen[shard_id])

    def _choose_shard(self, shard_id: str, wave: Wave) -> ShardChoice:
        """The article (or the rejection) of every landmark of the shard, by QID.

        The requests stay within the Wikimedia politeness (the transport holds one of its
        slots per request); one thread more than there are slots means an answer is parsed
        while the next request is already on the wire, instead of the slot idling meanwhile.
        """
        shard = wave.shards[shard_id]
        choose = partial(self._choose, shard=shard, wave=wave)
        with ThreadPoolExecutor(max_workers=wikimedia_slots(self.config) + 1) as pool:
            outcomes = list(pool.map(choose, shard.located))
        return {lm.qid: outcome for lm, outcome in zip(shard.located, outcomes, strict=True)}

    def _build_shard(self, shard_id: str, wave: Wave, choice: ShardChoice) -> ShardResult:
        shard = wave.shards[shard_id]
        records: list[KnowledgeRecord] = []
        rejections: list[Rejection] = []
        stats: Counter[str] = Counter(landmarks=len(shard.located))
        for located in shard.located:
            outcome = build_or_reject(
                partial(self._outcome, located, shard, wave, choice[located.qid], stats),
                qid=located.qid,
                country=located.country,
                stage=self.name,
                rejected_at=located.provenance.retrieved_at,
            )
            if isinstance(outcome, KnowledgeRecord):
                records.append(outcome)
            else:
                rejections.append(outcome)
                stats[f"rejected_{outcome.reason.value}"] += 1
        stats["records"] = len(records)
        stats.update(quality_counts(records))
        logger.info(
            "knowledge %s: %d records, %d rejected", shard_id, len(records), len(rejections)
        )
        return ShardResult(
            records=records, rejections=rejections, stats=dict(sorted(stats.items()))
        )

    def _outcome(
        self,
        located: LocatedLandmark,
        shard: ShardInputs,
        wave: Wave,
        chosen: Chosen | Rejection,
        stats: Counter[str],
    ) -> KnowledgeRecord | Rejection:
        """The record built from the chosen article, or the rejection the choice ended in."""
        if isinstance(chosen, Rejection):
            return chosen
        stats[f"language_{chosen.ref.language}"] += 1
        stats["fallback_edition"] += int(chosen.position > 0)
        return self._record(located, shard, wave, chosen.ref, chosen.article)

    def _choose(
        self, located: LocatedLandmark, shard: ShardInputs, wave: Wave
    ) -> Chosen | Rejection:
        """The article to build the record from, or why there is none."""
        assert self._articles is not None, "setup() creates the clients"
        if (why := wave.failure(located.qid)) is not None:
            return self._reject(located, RejectReason.FETCH_FAILED, why, None)
        if not located.articles:
            detail = "locate found no Wikipedia article in any edition"
            return self._reject(located, RejectReason.NO_ARTICLE, detail, None)
        problems: list[tuple[RejectReason, str, FetchedArticle | None]] = []
        preferred = preference(self.config.knowledge.languages, shard.country.languages)
        order = edition_order(
            located.articles, preferred, self.config.knowledge.preferred_min_words
        )
        for position, ref in enumerate(order):
            try:
                article = self._articles.fetch(ref.language, ref.title)
            except FetchFailed as exc:
                problems.append((RejectReason.FETCH_FAILED, f"{ref.language}: {exc.why}", None))
                continue
            if article.missing:
                detail = f"{ref.language}: no page {ref.title!r}"
                problems.append((RejectReason.MISSING_PAGE, detail, article))
                continue
            words = word_count(article.all_text(), ref.language)
            if words < self.min_words:
                detail = f"{ref.language}: {words} words, fewer than {self.min_words}"
                problems.append((RejectReason.ARTICLE_TOO_SHORT, detail, article))
                continue
            return Chosen(ref, article, position)
        return self._reject_all(located, problems)

    def _record(
        self,
        located: LocatedLandmark,
        shard: ShardInputs,
        wave: Wave,
        ref: ArticleRef,
        article: FetchedArticle,
    ) -> KnowledgeRecord | Rejection:
        facts = wave.facts(located.qid)
        sources = self.config.sources
        failed = [t for t in article.links if (article.language, t) in wave.title_failures]
        if failed:
            why = wave.title_failures[(article.language, failed[0])]
            return self._reject(
                located, RejectReason.FETCH_FAILED, f"linked {failed[0]}: {why}", article
            )
        entity_time = wave.entities.retrieved_at.get(located.qid, article.retrieved_at)
        revision = facts.revision if facts and facts.revision else located.entity_revision
        return build_record(
            RecordInputs(
                located=located,
                discovered=shard.discovered.get(located.qid),
                country_name=_country_name(shard),
                article=article,
                article_source=ArticleSource.build(
                    sources.mediawiki, ref.language, article.title, ref.revid, article.retrieved_at
                ),
                entity_source=EntitySource.build(
                    sources.wikidata, located.qid, revision, entity_time
                ),
                facts=facts,
                items=wave.items,
                link_items=wave.links_of(article.language),
            )
        )

    def _reject_all(
        self,
        located: LocatedLandmark,
        problems: list[tuple[RejectReason, str, FetchedArticle | None]],
    ) -> Rejection:
        reasons = {reason for reason, _, _ in problems}
        reason = next(r for r in _REASON_ORDER if r in reasons)
        detail = "; ".join(text for _, text, _ in problems)
        article = next((a for r, _, a in problems if r == reason and a is not None), None)
        return self._reject(located, reason, detail, article)

    def _reject(
        self,
        located: LocatedLandmark,
        reason: RejectReason,
        detail: str,
        article: FetchedArticle | None,
    ) -> Rejection:
        if article is not None:
            api = self.config.sources.mediawiki.replace("{lang}", article.language)
            url, when = page_url(api, article.title), article.retrieved_at
        else:
            # No response of our own to date it: locate's answer is when the facts were seen.
            when = located.provenance.retrieved_at
            url = EntitySource.build(self.config.sources.wikidata, located.qid, None, when).url
        return Rejection(
            qid=located.qid,
            country=located.country,
            stage=self.name,
            reason=reason,
            detail=detail,
            source_url=url,
            rejected_at=when,
        )


@dataclass(frozen=True)
class Chosen:
    """The article a landmark's record is built from, and how far down the order it was."""

    ref: ArticleRef
    article: FetchedArticle
    position: int


ShardChoice = dict[str, Chosen | Rejection]


def wikimedia_slots(config: ProjectConfig) -> int:
    """Requests the Wikimedia politeness allows in flight: its source setting, if it has one,
    else the per-host rule."""
    limit = config.politeness.sources.get(WIKIMEDIA_SOURCE)
    return limit.concurrency if limit is not None else config.politeness.requests_per_host


def _country_name(shard: ShardInputs) -> str:
    """pycountry's common English name; the country file's name for codes pycountry lacks."""
    try:
        return country_name(shard.country.iso2)
    except KeyError:
        return shard.country.name or shard.country.iso2


def run_knowledge(
    config: ProjectConfig,
    registry: CountryRegistry,
    store: RunStore,
    countries: Sequence[str],
    *,
    workers: int = 1,
    force: bool = False,
) -> tuple[StageReport, KnowledgeStage]:
    """Run the knowledge stage alone over `countries` (their locate shards must be done).

    Returns the report and the stage, whose `transport.counts` tell how many requests went out.
    """
    stage = KnowledgeStage(config, registry, store)
    report = run_stage(stage, store, list(countries), workers=workers, force=force)
    return report, stage
