"""The knowledge stage: the RSWK world-knowledge fields of every located landmark.

Reads the `locate` shard (articles with page and revision ids) and the `discover` shard
(labels, classes) of each country; writes one KnowledgeRecord per landmark, or a Rejection with
its reason. Requests: one MediaWiki `extracts` call per landmark (one more only when the
preferred edition turns out missing or too short), plus `wbgetentities` batched 50 ids per call
across the shards of a wave (claims, then labels of referenced items). Every response is cached
under `http_cache_dir/httpx`, so a rerun with nothing changed sends nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import partial
from typing import ClassVar, Final

from crawlers.knowledge.editions import edition_order
from crawlers.knowledge.fields import RecordInputs, build_record
from crawlers.knowledge.provenance import ArticleSource, EntitySource, page_url
from crawlers.knowledge.text import word_count
from crawlers.knowledge.wave import ShardInputs, Wave, fetch_wave, load_shard, plan_waves
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
from rswk.core.records.base import utc_now
from rswk.core.records.location import ArticleRef
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage, StageReport, run_stage

logger = logging.getLogger(__name__)
MIN_ARTICLE_WORDS: Final = 40
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

    def __init__(
        self,
        config: ProjectConfig,
        registry: CountryRegistry,
        store: RunStore,
        *,
        min_words: int = MIN_ARTICLE_WORDS,
        wave_landmarks: int = WAVE_LANDMARKS,
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.min_words = min_words
        self.wave_landmarks = wave_landmarks
        self.transport: PoliteTransport | None = None
        self._articles: WikipediaArticles | None = None
        self._wikidata: WikidataClient | None = None

    def setup(self) -> None:
        """One polite, cached transport shared by the Wikipedia and Wikidata clients."""
        if self.transport is not None:
            return
        self.transport = PoliteTransport(
            self.config.politeness,
            cache_dir=self.config.http_cache_dir / "httpx",
            rewrite=mediawiki_rewrite(self.config.sources.mediawiki),
            cache_policy=self.config.cache.policy,
        )
        self._articles = WikipediaArticles(self.config, self.transport)
        self._wikidata = WikidataClient(self.config, self.transport)

    def process(self, shard_id: str) -> ShardResult:
        """One country on its own (its Wikidata calls batched within the shard)."""
        self.setup()
        shards = {shard_id: load_shard(self.store, self.registry, shard_id)}
        return self._build_shard(shard_id, self._fetch(shards))

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        """Shards in waves: Wikidata batched over a wave, then its shards built on `executor`."""
        self.setup()
        for shards in plan_waves(self.store, self.registry, shard_ids, self.wave_landmarks):
            wave = self._fetch(shards)
            yield from executor.map_unordered(partial(self._build_shard, wave=wave), list(shards))

    def _fetch(self, shards: dict[str, ShardInputs]) -> Wave:
        assert self._wikidata is not None, "setup() creates the clients"
        return fetch_wave(self._wikidata, shards)

    def _build_shard(self, shard_id: str, wave: Wave) -> ShardResult:
        shard = wave.shards[shard_id]
        records: list[KnowledgeRecord] = []
        rejections: list[Rejection] = []
        stats: Counter[str] = Counter(landmarks=len(shard.located))
        for located in shard.located:
            outcome = build_or_reject(
                partial(self._landmark, located, shard, wave, stats),
                qid=located.qid,
                country=located.country,
                stage=self.name,
            )
            if isinstance(outcome, KnowledgeRecord):
                records.append(outcome)
            else:
                rejections.append(outcome)
                stats[f"rejected_{outcome.reason.value}"] += 1
        stats["records"] = len(records)
        logger.info(
            "knowledge %s: %d records, %d rejected", shard_id, len(records), len(rejections)
        )
        return ShardResult(
            records=records, rejections=rejections, stats=dict(sorted(stats.items()))
        )

    def _landmark(
        self, located: LocatedLandmark, shard: ShardInputs, wave: Wave, stats: Counter[str]
    ) -> KnowledgeRecord | Rejection:
        """The record of one landmark, or why there is none."""
        assert self._articles is not None, "setup() creates the clients"
        if (why := wave.failure(located.qid)) is not None:
            return self._reject(located, RejectReason.FETCH_FAILED, why, None)
        if not located.articles:
            detail = "locate found no Wikipedia article in any edition"
            return self._reject(located, RejectReason.NO_ARTICLE, detail, None)
        problems: list[tuple[RejectReason, str, FetchedArticle | None]] = []
        for position, ref in enumerate(
            edition_order(located.articles, shard.country.languages, self.min_words)
        ):
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
            stats[f"language_{ref.language}"] += 1
            stats["fallback_edition"] += int(position > 0)
            return self._record(located, shard, wave, ref, article)
        return self._reject_all(located, problems)

    def _record(
        self,
        located: LocatedLandmark,
        shard: ShardInputs,
        wave: Wave,
        ref: ArticleRef,
        article: FetchedArticle,
    ) -> KnowledgeRecord:
        facts = wave.facts(located.qid)
        sources = self.config.sources
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
                ref_labels=wave.labels.labels,
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
            url = EntitySource.build(self.config.sources.wikidata, located.qid, None, utc_now()).url
            when = utc_now()
        return Rejection(
            qid=located.qid,
            country=located.country,
            stage=self.name,
            reason=reason,
            detail=detail,
            source_url=url,
            rejected_at=when,
        )


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
