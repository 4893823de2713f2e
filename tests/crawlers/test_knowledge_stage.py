"""The knowledge stage against the bundled sample world served on 127.0.0.1.

Upstream shards are written from the World itself (knowledge_support), so these tests are about
the knowledge stage alone. One fault-free crawl of every country is shared by most tests.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.knowledge import KnowledgeStage, run_knowledge
from crawlers.knowledge.editions import edition_order, preference
from crawlers.knowledge.fields import pick_label
from crawlers.knowledge.quality import field_quality
from rswk.core.config import KnowledgeConfig, ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import KnowledgeRecord, LocatedLandmark, Rejection, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World, WorldLandmark
from tests.crawlers.knowledge_support import (
    FIXED_TIME,
    locatable,
    located_from,
    write_upstream,
)

WORLD = load_world("bundled")
REGISTRY = CountryRegistry.from_dir()
COUNTRIES = sorted({lm.country for lm in WORLD.landmarks if locatable(lm)})
_HEADING = re.compile(r"\n\n *(==+) (.*?) (==+) *\n")


@dataclass
class Crawl:
    """One finished knowledge run: its server, store, config and stage."""

    world: SampleWorld
    store: RunStore
    config: ProjectConfig
    stage: KnowledgeStage

    def records(self) -> dict[str, KnowledgeRecord]:
        shards = self.store.stage("knowledge")
        return {r.qid: r for c in COUNTRIES for r in shards.read_shard(c, KnowledgeRecord)}

    def rejections(self) -> dict[str, Rejection]:
        shards = self.store.stage("knowledge")
        return {r.qid or "": r for c in COUNTRIES for r in shards.read_rejections(c)}


def _crawl(
    workdir: Path, server: SampleWorld, countries: list[str], languages: list[str] | None = None
) -> Crawl:
    config = load_config("sample", workdir=workdir).with_sources(server.urls())
    if languages is not None:
        config = config.model_copy(update={"knowledge": KnowledgeConfig(languages=languages)})
    store = RunStore(workdir)
    write_upstream(WORLD, store, countries)
    _, stage = run_knowledge(config, REGISTRY, store, countries, workers=2)
    return Crawl(server, store, config, stage)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    with SampleWorld(WORLD) as server:
        yield _crawl(tmp_path_factory.mktemp("knowledge"), server, COUNTRIES)


LOCAL_FIRST = ["DE", "FR", "JP"]


@pytest.fixture(scope="module")
def local_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """A release configured to prefer each country's own language over English."""
    with SampleWorld(WORLD) as server:
        yield _crawl(tmp_path_factory.mktemp("local"), server, LOCAL_FIRST, ["local", "en"])


def _landmark(qid: str) -> WorldLandmark:
    return next(lm for lm in WORLD.landmarks if lm.qid == qid)


def _section_text(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading, cut straight from the world's article."""
    matches = list(_HEADING.finditer(text))
    for i, match in enumerate(matches):
        if match.group(2) == heading:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            return text[match.end() : end].strip()
    raise AssertionError(f"no heading {heading!r}")


@pytest.mark.parametrize(
    ("qid", "language", "heading"),
    [("Q243", "fr", "Histoire"), ("Q4152", "de", "Geschichte"), ("Q183536", "ja", "沿革")],
)
def test_history_comes_from_the_heading_in_three_languages(
    local_crawl: Crawl, qid: str, language: str, heading: str
) -> None:
    landmark = _landmark(qid)
    article = landmark.articles[language]
    shards = local_crawl.store.stage("knowledge")
    record = next(r for r in shards.read_shard(landmark.country, KnowledgeRecord) if r.qid == qid)
    history = record.historical_background
    assert history is not None
    assert history.value == _section_text(article.text, heading)
    assert history.language == language
    assert history.provenance.detail == heading
    assert history.provenance.revision == str(article.revid)
    assert history.provenance.licence == "CC-BY-SA-4.0"
    assert article.title in history.provenance.attribution
    assert record.name.value == landmark.labels[language]
    assert record.languages[0] == language


def test_other_text_fields_follow_their_headings(crawl: Crawl) -> None:
    eiffel = crawl.records()["Q243"]  # en: History (3 sub-sections), Design (2), Tourism...
    en = _landmark("Q243").articles["en"].text
    assert eiffel.languages[0] == "en"
    design = eiffel.architectural_characteristics
    assert design is not None and design.provenance.detail == "Design / Materials"
    assert _section_text(en, "Materials") in design.value  # sub-sections stay with their parent
    assert eiffel.cultural_significance is not None
    assert eiffel.cultural_significance.provenance.detail == "Cultural significance"
    assert eiffel.details is not None
    assert eiffel.details.provenance.detail is not None
    assert eiffel.details.provenance.detail.startswith("introduction")
    # "References" and "External links" are dropped, not read as details.
    assert "Official website" not in eiffel.details.value


def test_primary_function_from_has_use_never_the_intro(crawl: Crawl) -> None:
    for qid, record in crawl.records().items():
        landmark = _landmark(qid)
        function = record.primary_function
        if landmark.uses:
            assert function is not None and function.provenance.detail is not None
            assert function.provenance.detail.startswith("P366")
            expected = [pick_label(u.labels, function.language) for u in landmark.uses]
            assert function.value.startswith(", ".join(label[0] for label in expected if label))
        if function is not None and record.details is not None:
            intro = record.details.value.split("\n\n")[0]
            first = intro.split(". ")[0]
            assert first not in function.value, qid


def test_category_matches_the_worlds_true_class(crawl: Crawl) -> None:
    records = crawl.records()
    right = [q for q, r in records.items() if r.category_qid == _landmark(q).true_class]
    assert len(right) / len(records) >= 0.95, sorted(set(records) - set(right))
    assert records["Q243"].category.value == "tower"  # P31 lists "tourist attraction" too


def test_no_event_twice_on_the_sample_world(crawl: Crawl) -> None:
    for qid, record in crawl.records().items():
        claimed = [e.qid for e in record.major_events if e.qid]
        assert len(claimed) == len(set(claimed)), qid
        descriptions = [e.description for e in record.major_events if e.description]
        assert len(descriptions) == len(set(descriptions)), qid
        for event in _landmark(qid).events:
            if event.year is None:
                continue
            # The world's P793 event, and no sentence of its year that names its words again.
            words = {w for w in event.labels["en"].casefold().split() if len(w) > 4}
            restating = [
                e
                for e in record.major_events
                if e.year == event.year
                and e.qid is None
                and words
                and words <= set(re.findall(r"\w+", e.description.casefold()))
            ]
            assert not restating, (qid, event.labels["en"], restating)
    taj = crawl.records()["Q9141"]
    assert [e.qid for e in taj.major_events if e.year == 1983] == ["Q990004002"]
    assert "1983" in next(e.description for e in taj.major_events if e.year == 1983)


def test_visitors_are_people_of_the_world(crawl: Crawl) -> None:
    records = crawl.records()
    humans = {
        e.qid
        for lm in WORLD.landmarks
        for e in [*lm.linked, *(p for ev in lm.events for p in ev.participants)]
        if "Q5" in e.classes
    }
    for record in records.values():
        assert all(p.qid in humans for p in record.notable_visitors)
    assert [p.name for p in records["Q9141"].notable_visitors] == [
        "Diana, Princess of Wales",
        "Bill Clinton",
    ]
    assert [p.name for p in records["Q243"].notable_visitors] == ["Thomas Edison"]
    assert [p.qid for p in records["Q513"].notable_visitors] == ["Q990008007", "Q990008008"]
    assert [p.name for p in records["Q12495"].notable_visitors] == ["Tom Cruise"]


def _true_region(landmark: WorldLandmark) -> str | None:
    chain = []
    place = landmark.located_in
    while place is not None:
        chain.append(place)
        if "Q10864048" in place.classes:
            return place.qid
        place = place.located_in
    return chain[-1].qid if len(chain) >= 2 else None


def test_region_and_period_match_the_world(crawl: Crawl) -> None:
    records = crawl.records()
    for qid, record in records.items():
        landmark = _landmark(qid)
        region = _true_region(landmark)
        if region is None:
            assert record.region is None, qid
        else:
            assert record.region is not None and record.region.provenance.detail is not None
            assert region in record.region.provenance.detail, qid
        start = landmark.start_year if landmark.start_year is not None else landmark.inception
        end = landmark.end_year if landmark.end_year is not None else landmark.opening_year
        if landmark.inception_precision == 9 and start is not None:
            assert record.construction_start_year == start, qid
            assert record.construction_end_year == end, qid
    expected = {
        "Q12495": "2004–2010",
        "Q37200": "c. 2560 BCE",
        "Q43473": "12th century",
        "Q10288": "447–432 BCE",
        "Q47476": "1250–1350",
    }
    for qid, text in expected.items():
        period = records[qid].construction_period
        assert period is not None and period.value == text, qid
    region = records["Q243"].region
    assert region is not None and region.value == "Île-de-France"


def test_english_first_unless_the_english_article_is_a_stub(crawl: Crawl) -> None:
    records = crawl.records()
    assert records["Q243"].languages[0] == "en"  # French landmark, long English article
    neuschwanstein = _landmark("Q4152")
    assert len(neuschwanstein.articles["en"].text.encode()) < 150 * 5  # under 150 words
    assert records["Q4152"].languages[0] == "de"


def test_field_quality_is_in_the_shard_stats(crawl: Crawl) -> None:
    shards = crawl.store.stage("knowledge")
    report = field_quality(shards.read_stats(c) for c in COUNTRIES)
    assert report["records"] == len(crawl.records())
    assert report["duplicate_event_rate"] == 0.0
    assert report["cross_field_duplicate_share"] == 0.0
    assert report["fill_rate"]["notable_visitors"] > 0
    assert report["generic_class_share"] == 0.0


def test_structured_claims(crawl: Crawl) -> None:
    records = crawl.records()
    checked = 0
    for qid, record in records.items():
        landmark = _landmark(qid)
        language = record.languages[0]
        assert record.height_m == landmark.height_m
        assert record.area_m2 == landmark.area_m2
        year_precise = landmark.inception_precision >= 9
        assert record.inception_year == (landmark.inception if year_precise else None)
        expected_architects = [pick_label(e.labels, language) for e in landmark.architects]
        assert record.architects == [label[0] for label in expected_architects if label]
        assert len(record.heritage_designations) == len(landmark.heritage)
        if landmark.inception is not None or landmark.start_year is not None:
            assert record.construction_period is not None
            assert record.construction_period.provenance.licence == "CC0-1.0"
        checked += landmark.height_m is not None and landmark.inception is not None
    assert checked >= 3
    eiffel = records["Q243"]
    assert eiffel.architects and eiffel.city is not None
    assert eiffel.construction_period is not None
    assert eiffel.construction_period.provenance.detail == "P571/P1619"


def test_events_from_p793_and_dated_sentences(crawl: Crawl) -> None:
    record = crawl.records()["Q243"]
    landmark = _landmark("Q243")
    claimed = {(e.year, e.qid) for e in record.major_events if e.provenance.detail == "P793"}
    for significant in landmark.events:
        assert (significant.year, significant.qid) in claimed
    from_text = [e for e in record.major_events if e.qid is None]
    assert from_text
    for event in from_text:
        assert str(event.year) in event.description
        assert event.description in landmark.articles["en"].text
    years = [e.year for e in record.major_events if e.year is not None]
    assert years == sorted(years)


def test_short_article_is_rejected(crawl: Crawl) -> None:
    rejection = crawl.rejections()["Q482485"]
    assert rejection.reason == RejectReason.ARTICLE_TOO_SHORT
    assert re.fullmatch(r"en: \d+ words, fewer than 40", rejection.detail)
    assert "Q482485" not in crawl.records()


def test_every_other_landmark_has_a_record(crawl: Crawl) -> None:
    expected = {lm.qid for lm in WORLD.landmarks if locatable(lm)} - {"Q482485"}
    assert set(crawl.records()) == expected
    assert set(crawl.rejections()) == {"Q482485"}


def test_one_mediawiki_request_per_landmark_and_batched_wikidata(crawl: Crawl) -> None:
    stats = crawl.world.stats()
    landmarks = sum(1 for lm in WORLD.landmarks if locatable(lm))
    assert stats["requests"]["mediawiki"] == landmarks  # text and links in one call
    assert stats["items"]["mediawiki"] == landmarks
    wikidata_items = stats["items"]["wikidata"]
    # Five batched passes (landmarks, referenced items, two levels of P131 parents, linked
    # titles of one edition), 50 per request: at most one part-filled request per pass.
    passes = 5
    assert math.ceil(wikidata_items / 50) <= stats["requests"]["wikidata"]
    assert stats["requests"]["wikidata"] <= math.ceil(wikidata_items / 50) + passes


def test_articles_are_fetched_within_the_per_host_politeness(crawl: Crawl) -> None:
    # Two shards at a time, each parsing one answer while its next request is sent: still
    # never more MediaWiki + Wikidata requests in flight than the host allows (one here).
    stats = crawl.world.stats()
    allowed = crawl.config.politeness.requests_per_host
    assert allowed == 1
    assert stats["max_concurrent"]["mediawiki"] == allowed
    assert stats["max_concurrent"]["wikidata"] == allowed


def test_rerun_makes_zero_requests_and_identical_records(crawl: Crawl) -> None:
    before = crawl.records()
    crawl.world.reset_stats()
    report, _ = run_knowledge(crawl.config, REGISTRY, crawl.store, COUNTRIES)
    assert report.skipped == COUNTRIES and not report.written
    report, stage = run_knowledge(crawl.config, REGISTRY, crawl.store, COUNTRIES, force=True)
    assert sorted(report.written) == COUNTRIES
    assert crawl.world.stats()["requests"] == {}
    assert stage.transport is not None and stage.transport.counts["requests"] == 0
    assert crawl.records() == before  # retrieved_at comes from the cached Date header


def _comparable(value: Any, base_url: str) -> Any:
    """Drop retrieval times and the server's port: what differs between two live crawls."""
    if isinstance(value, dict):
        return {
            k: _comparable(v, base_url)
            for k, v in value.items()
            if k not in {"retrieved_at", "rejected_at"}
        }
    if isinstance(value, list):
        return [_comparable(v, base_url) for v in value]
    if not isinstance(value, str):
        return value
    return value.replace(base_url, "BASE").replace(base_url.split("://", 1)[1], "BASE")


def test_faults_do_not_change_the_output(crawl: Crawl, tmp_path: Path) -> None:
    faults = FaultConfig(rate=0.2, retry_after_seconds=0, slow_seconds=1.5)
    countries = ["DE", "FR", "JP", "KR", "US"]
    with SampleWorld(WORLD, faults=faults, seed=7) as faulty:
        rerun = _crawl(tmp_path, faulty, countries)
        assert sum(faulty.stats()["faults"].values()) > 0
        faulty_base = faulty.base_url
    clean, noisy = crawl.store.stage("knowledge"), rerun.store.stage("knowledge")
    for country in countries:
        want = [r.model_dump(mode="json") for r in clean.read_shard(country, KnowledgeRecord)]
        got = [r.model_dump(mode="json") for r in noisy.read_shard(country, KnowledgeRecord)]
        assert _comparable(got, faulty_base) == _comparable(want, crawl.world.base_url)
        want_rej = [r.model_dump(mode="json") for r in clean.read_rejections(country)]
        got_rej = [r.model_dump(mode="json") for r in noisy.read_rejections(country)]
        assert _comparable(got_rej, faulty_base) == _comparable(want_rej, crawl.world.base_url)


def test_one_shard_through_process(crawl: Crawl) -> None:
    result = KnowledgeStage(crawl.config, REGISTRY, crawl.store).process("GB")
    records = [r for r in result.records if isinstance(r, KnowledgeRecord)]
    gb = {lm.qid for lm in WORLD.landmarks if lm.country == "GB" and locatable(lm)}
    assert {r.qid for r in records} == gb
    assert result.stats["records"] == len(gb) and not result.rejections
    base = crawl.world.base_url
    alone = [_comparable(r.model_dump(mode="json"), base) for r in records]
    in_wave = [crawl.records()[r.qid].model_dump(mode="json") for r in records]
    assert alone == [_comparable(r, base) for r in in_wave]


def test_a_page_gone_since_locate_is_a_missing_page(tmp_path: Path) -> None:
    gone = _landmark("Q990000003")
    assert gone.articles["en"].missing
    store = RunStore(tmp_path)
    write_upstream(WORLD, store, ["EG"])
    located = store.stage("locate").read_shard("EG", LocatedLandmark)
    located.append(located_from(gone, keep_missing=True))
    store.stage("locate").write_shard("EG", LocatedLandmark, ShardResult(located, [], {}))
    with SampleWorld(WORLD) as server:
        config = load_config("sample", workdir=tmp_path).with_sources(server.urls())
        run_knowledge(config, REGISTRY, store, ["EG"])
    rejections = {r.qid: r for r in store.stage("knowledge").read_rejections("EG")}
    assert rejections["Q990000003"].reason == RejectReason.MISSING_PAGE
    assert rejections["Q990000003"].detail == "en: no page 'Cairo Museum of Lost Maps'"


def test_fetch_failures_become_rejections(tmp_path: Path) -> None:
    with SampleWorld(WORLD) as server:
        # Wikidata answers; the MediaWiki base points at a closed loopback port.
        urls = server.urls() | {"mediawiki": "http://127.0.0.1:9/wikipedia/{lang}/w/api.php"}
        config = load_config("sample", workdir=tmp_path).with_sources(urls)
        config = config.model_copy(
            update={"politeness": config.politeness.model_copy(update={"retries": 1})}
        )
        store = RunStore(tmp_path)
        write_upstream(WORLD, store, ["GB"])
        report, _ = run_knowledge(config, REGISTRY, store, ["GB"])
    rejections = store.stage("knowledge").read_rejections("GB")
    assert report.records == 0 and len(rejections) == report.rejected > 0
    assert {r.reason for r in rejections} == {RejectReason.FETCH_FAILED}
    assert all(r.detail.startswith("en: transport error") for r in rejections)
    # No response to date them: the time locate saw the landmark, never the clock.
    assert {r.rejected_at for r in rejections} == {FIXED_TIME}


def test_missing_upstream_fails_the_shard_clearly(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path)
    report, _ = run_knowledge(config, REGISTRY, RunStore(tmp_path), ["FR"])
    assert report.written == []
    assert re.search(r"no finished shard 'FR'.*rswk locate", report.failed["FR"])
    assert RunStore(tmp_path).stage("knowledge").failures() == report.failed


def test_stub_editions_are_tried_last() -> None:
    eiffel = located_from(_landmark("Q243"))
    order = [a.language for a in edition_order(eiffel.articles, ("fr", "en"), 40)]
    assert order == ["fr", "en", "ru"]
    stub = [
        a.model_copy(update={"length": 120}) if a.language == "fr" else a for a in eiffel.articles
    ]
    assert [a.language for a in edition_order(stub, ("fr", "en"), 40)] == ["en", "ru", "fr"]
    unknown = [a.model_copy(update={"length": None}) for a in stub]
    assert [a.language for a in edition_order(unknown, ("fr", "en"), 40)] == ["fr", "en", "ru"]
    default = preference(KnowledgeConfig().languages, ["fr", "en"])
    assert next(a.language for a in edition_order(eiffel.articles, default, 150)) == "en"


def test_world_fixture_matches_the_registry() -> None:
    world: World = WORLD
    assert all(REGISTRY.get(lm.country) for lm in world.landmarks)
