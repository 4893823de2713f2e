"""The locate crawl: MediaWiki `prop=coordinates|pageprops|info` and Wikidata `wbgetentities`,
50 titles / ids per request across countries, then one decision per landmark (decide.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from crawlers.api_urls import asked_values, mediawiki_api, wbgetentities_url, with_query
from crawlers.batch_job import Batch, BatchJob, Fetched
from crawlers.locate.decide import (
    ArticleAnswer,
    Problem,
    Source,
    choose_coordinate,
    fetch_problem,
    located,
    usable_articles,
)
from crawlers.locate.duplicates import flag_duplicates, name_key
from crawlers.locate.geo import COUNTRY_TOLERANCE_M, check_country, is_marine
from crawlers.locate.pages import Outcome, PageProblem, merge_answers, resolve
from crawlers.locate.plan import Wanted, chunk
from crawlers.wikidata_entity import Entity, parse_entities
from rswk.core.borders import CountryBorders
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryFile
from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import DiscoveredLandmark, LocatedLandmark, Rejection, RejectReason
from rswk.core.runstore import ShardResult

QUERY_PARAMS = (
    ("action", "query"),
    ("format", "json"),
    ("prop", "coordinates|pageprops|info"),
    ("ppprop", "wikibase_item|disambiguation"),
    ("coprimary", "primary"),
    # The default colimit (10) is counted over all pages of a request: 50 titles need more.
    ("colimit", "max"),
    ("redirects", "1"),
)


@dataclass
class TitleGroup:
    """One MediaWiki request for a chunk of titles, and the answers of its continuations."""

    lang: str
    titles: tuple[str, ...]
    bodies: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class EntityAnswer:
    entity: Entity | None
    error: str | None
    source: Source


def _qids_and_titles(
    discovered: Mapping[str, Sequence[DiscoveredLandmark]], iso2: str
) -> list[tuple[str, Mapping[str, str]]]:
    """What the requests need of a shard's landmarks: from two columns when the mapping reads
    them so (the stage's `ShardRecords`), else from the records."""
    columns = getattr(discovered, "qids_and_titles", None)
    if columns is not None:
        return list(columns(iso2))
    return [(landmark.qid, landmark.titles) for landmark in discovered[iso2]]


class LocateJob(BatchJob):
    """Locate the discovered landmarks of a set of countries."""

    name = "locate"

    def __init__(
        self,
        config: ProjectConfig,
        countries: Mapping[str, CountryFile],
        discovered: Mapping[str, Sequence[DiscoveredLandmark]],
        load_borders: Callable[[], CountryBorders],
    ) -> None:
        super().__init__(list(discovered))
        self.config = config
        self.countries = dict(countries)
        # Only what the requests need is kept of the discovered records (QIDs and titles): a
        # shard's records are read from `discovered` again when the shard is finished, so with a
        # mapping that reads shards on access (the stage's) the crawl holds the shards in flight,
        # not every landmark of the run (~9 KB each as records: 1.3 GB at 105,144 landmarks).
        self.discovered = discovered
        self._load_borders = load_borders
        self.groups: dict[str, TitleGroup] = {}
        self.articles: dict[tuple[str, str], tuple[Outcome, Source]] = {}
        self.entities: dict[str, EntityAnswer] = {}
        self.requests: Counter[str] = Counter()
        self._wanted_titles: dict[str, list[Wanted]] = {}
        self._wanted_qids: list[Wanted] = []
        # Shards still to finish per QID and per article: an entity (with all its claims) or an
        # article's outcome goes once no shard needs it (a QID may be listed by two countries).
        self._entity_users: Counter[str] = Counter()
        self._article_users: Counter[tuple[str, str]] = Counter()
        for iso2 in discovered:
            for qid, titles in _qids_and_titles(discovered, iso2):
                self._wanted_qids.append(Wanted(iso2, qid))
                self._entity_users[qid] += 1
                for lang, title in titles.items():
                    self._wanted_titles.setdefault(lang, []).append(Wanted(iso2, title))
                    self._article_users[(lang, title)] += 1

    def initial_batches(self) -> list[Batch]:
        size = self.config.politeness.batch_size
        batches = [*self._title_batches(size), *self._entity_batches(size)]
        order = {iso2: i for i, iso2 in enumerate(self.shard_ids)}
        # Requests serving the first shards go first, so shards complete one after another.
        return [
            Batch(b.key, b.url, b.shards, b.headers, priority=-min(order[s] for s in b.shards))
            for b in batches
        ]

    def _title_batches(self, size: int) -> list[Batch]:
        by_lang, self._wanted_titles = self._wanted_titles, {}
        batches = []
        for lang in sorted(by_lang):
            for n, piece in enumerate(chunk(by_lang[lang], size)):
                key = f"mw:{lang}:{n}"
                self.groups[key] = TitleGroup(lang, piece.values)
                batches.append(Batch(key, self._query_url(lang, piece.values), piece.shards))
        return batches

    def _query_url(self, lang: str, titles: Sequence[str], more: Sequence[Any] = ()) -> str:
        params = [*QUERY_PARAMS, ("titles", "|".join(titles)), *more]
        return with_query(mediawiki_api(self.config.sources, lang), params)

    def _entity_batches(self, size: int) -> list[Batch]:
        wanted, self._wanted_qids = self._wanted_qids, []
        batches = []
        for n, piece in enumerate(chunk(wanted, size)):
            languages = [lang for s in piece.shards for lang in self.countries[s].languages]
            url = wbgetentities_url(self.config.sources, piece.values, languages)
            batches.append(Batch(f"wd:{n}", url, piece.shards))
        return batches

    def on_fetched(self, fetched: Fetched) -> list[Batch]:
        for shard in fetched.batch.shards:
            self.requests[shard] += 1
        if fetched.batch.key.startswith("wd:"):
            self._on_entities(fetched)
            return []
        return self._on_titles(fetched)

    def _on_entities(self, fetched: Fetched) -> None:
        qids = asked_values(fetched.batch.url, "ids")
        parsed = parse_entities(fetched.body, qids) if fetched.error is None else {}
        for qid in qids:
            source = Source(self._entity_url(qid), fetched.retrieved_at)
            self.entities[qid] = EntityAnswer(parsed.get(qid), fetched.error, source)

    def _on_titles(self, fetched: Fetched) -> list[Batch]:
        root, _, step = fetched.batch.key.partition("+")
        group = self.groups[root]
        if fetched.error is None and isinstance(fetched.body.get("continue"), dict):
            group.bodies.append(fetched.body)
            more = list(fetched.body["continue"].items())
            url = self._query_url(group.lang, group.titles, more)
            n = int(step or 0) + 1
            return [Batch(f"{root}+{n}", url, fetched.batch.shards, priority=1)]
        # The group is answered: its bodies (whole API answers) go, so the job holds only the
        # decisions' inputs, not every answer of the run.
        del self.groups[root]
        if fetched.error is None:
            group.bodies.append(fetched.body)
            outcomes = resolve(merge_answers(group.bodies), group.titles)
        else:
            problem = PageProblem(RejectReason.FETCH_FAILED, fetched.error)
            outcomes = dict.fromkeys(group.titles, problem)
        for title, outcome in outcomes.items():
            source = Source(self._title_url(group.lang, title), fetched.retrieved_at)
            self.articles[(group.lang, title)] = (outcome, source)
        return []

    def _entity_url(self, qid: str) -> str:
        params = [("action", "wbgetentities"), ("format", "json"), ("ids", qid)]
        return with_query(self.config.sources.wikidata, params)

    def _title_url(self, lang: str, title: str) -> str:
        params = [*QUERY_PARAMS, ("titles", title)]
        return with_query(mediawiki_api(self.config.sources, lang), params)

    @property
    def borders(self) -> CountryBorders:
        """The country borders, loaded on first use (the first shard finished); the loader
        keeps them."""
        return self._load_borders()

    def finish(self, shard_id: str) -> ShardResult:
        country = self.countries[shard_id]
        records: list[LocatedLandmark] = []
        rejections: list[Rejection] = []
        names: dict[str, set[str]] = {}
        unchecked = 0
        discovered = self.discovered[shard_id]  # read again (see __init__)
        for landmark in discovered:
            result = build_or_reject(
                partial(self._decide, landmark, country),
                qid=landmark.qid,
                country=landmark.country,
                stage="locate",
            )
            if isinstance(result, Rejection):
                rejections.append(result)
                continue
            record, checked = result
            unchecked += not checked
            records.append(record)
            names[record.qid] = self._names(landmark, country)
        records = flag_duplicates(records, names)
        # Nothing asks for the shard's entities and articles again: the job's memory stays that
        # of the shards in flight, not of every shard done.
        for landmark in discovered:
            self._entity_users[landmark.qid] -= 1
            if self._entity_users[landmark.qid] == 0:
                del self._entity_users[landmark.qid]
                self.entities.pop(landmark.qid, None)
            for article in landmark.titles.items():
                self._article_users[article] -= 1
                if self._article_users[article] == 0:
                    del self._article_users[article]
                    self.articles.pop(article, None)
        stats = {
            "landmarks": len(discovered),
            "located": len(records),
            "rejected": dict(Counter(r.reason.value for r in rejections)),
            "disagreement_over_1km": sum(r.disagreement_over_1km for r in records),
            "possible_duplicates": sum(bool(r.possible_duplicates) for r in records),
            "country_check_skipped": unchecked,
            "requests": self.requests[shard_id],
        }
        return ShardResult(records=records, rejections=rejections, stats=stats)

    def _names(self, landmark: DiscoveredLandmark, country: CountryFile) -> set[str]:
        answer = self.entities.get(landmark.qid)
        labels = dict(answer.entity.labels) if answer and answer.entity else {}
        wanted = [*country.languages, "en"]
        return {name_key(landmark.label)} | {name_key(labels[x]) for x in wanted if x in labels}

    def _answers(self, landmark: DiscoveredLandmark, country: CountryFile) -> list[ArticleAnswer]:
        order = {lang: i for i, lang in enumerate(country.languages)}
        titles = sorted(landmark.titles.items(), key=lambda kv: order.get(kv[0], len(order)))
        return [ArticleAnswer(lang, title, *self.articles[(lang, title)]) for lang, title in titles]

    def _decide(
        self, landmark: DiscoveredLandmark, country: CountryFile
    ) -> Rejection | tuple[LocatedLandmark, bool]:
        """The located record (and whether the country check ran), or the rejection."""
        answer = self.entities[landmark.qid]
        articles = self._answers(landmark, country)
        if answer.error is not None or answer.entity is None:
            why = answer.error or "no answer for the item"
            return self._reject(landmark, Problem(RejectReason.FETCH_FAILED, why, None), answer)
        if (problem := fetch_problem(articles)) is not None:
            return self._reject(landmark, problem, answer)
        entity = answer.entity
        if entity.missing:
            problem = Problem(
                RejectReason.MISSING_PAGE, f"Wikidata has no item {landmark.qid}", None
            )
            return self._reject(landmark, problem, answer)
        usable, problem = usable_articles(landmark.qid, articles)
        if problem is not None:
            return self._reject(landmark, problem, answer)
        coordinate = choose_coordinate(entity, usable)
        if coordinate is None:
            detail = "neither Wikidata (P625) nor the articles give a coordinate"
            problem = Problem(RejectReason.NO_COORDINATES, detail, None)
            return self._reject(landmark, problem, answer)
        check = check_country(
            self.borders,
            coordinate.lat,
            coordinate.lon,
            landmark.country,
            COUNTRY_TOLERANCE_M,
            marine=is_marine(landmark.classes),
        )
        if check.problem is not None:
            return self._reject(landmark, Problem(check.problem, check.detail, None), answer)
        record = located(
            landmark, entity, answer.source, usable, coordinate, check, country.languages
        )
        return record, check.checked

    def _reject(
        self, landmark: DiscoveredLandmark, problem: Problem, answer: EntityAnswer
    ) -> Rejection:
        return Rejection(
            qid=landmark.qid,
            country=landmark.country,
            stage="locate",
            reason=problem.reason,
            detail=problem.detail,
            source_url=problem.source_url or answer.source.url,
            rejected_at=answer.source.retrieved_at,
        )
