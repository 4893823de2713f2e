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
from crawlers.knowledge.editions import edition_order
from crawlers.knowledge.fields import pick_label
from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import KnowledgeRecord, LocatedLandmark, Rejection, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World, WorldLandmark
from tests.crawlers.knowledge_support import locatable, located_from, write_upstream

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


def _crawl(workdir: Path, server: SampleWorld, countries: list[str]) -> Crawl:
    config = load_config("sample", workdir=workdir).with_sources(server.urls())
    store = RunStore(workdir)
    write_upstream(WORLD, store, countries)
    _, stage = run_knowledge(config, REGISTRY, store, countries, workers=2)
    return Crawl(server, store, config, stage)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    with SampleWorld(WORLD) as server:
        yield _crawl(tmp_path_factory.mktemp("knowledge"), server, COUNTRIES)


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
    [("Q243", "fr", "Histoire"), ("Q4152", "de", "Geschichte"), ("Q183536", "ja", "歴史")],
)
def test_history_comes_from_the_heading_in_three_languages(
    crawl: Crawl, qid: str, language: str, heading: str
) -> None:
    landmark = _landmark(qid)
    article = landmark.articles[language]
    record = crawl.records()[qid]
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
    eiffel = crawl.records()["Q243"]  # fr: Histoire, Architecture, Fréquentation
    fr = _landmark("Q243").articles["fr"].text
    assert eiffel.architectural_characteristics is not None
    assert eiffel.architectural_characteristics.value == _section_text(fr, "Architecture")
    assert eiffel.notable_visitors is not None
    assert eiffel.notable_visitors.provenance.detail == "Fréquentation"
    assert eiffel.details is not None and eiffel.details.provenance.detail == "introduction"
    assert eiffel.primary_function is not None
    assert fr.startswith(eiffel.primary_function.value)
    louvre = crawl.records()["Q19675"]  # fr: "Collections" is what a museum is for
    assert louvre.primary_function is not None
    assert louvre.primary_function.provenance.detail == "Collections"


def test_structured_claims(crawl: Crawl) -> None:
    records = crawl.records()
    checked = 0
    for qid, record in records.items():
        landmark = _landmark(qid)
        language = record.languages[0]
        assert record.height_m == landmark.height_m
        assert record.area_m2 == landmark.area_m2
        assert record.inception_year == landmark.inception
        expected_architects = [pick_label(e.labels, language) for e in landmark.architects]
        assert record.architects == [label[0] for label in expected_architects if label]
        assert len(record.heritage_designations) == len(landmark.heritage)
        if landmark.inception is not None:
            assert record.construction_period is not None
            assert record.construction_period.provenance.detail == "P571"
            assert record.construction_period.provenance.licence == "CC0-1.0"
        checked += landmark.height_m is not None and landmark.inception is not None
    assert checked >= 3
    eiffel = records["Q243"]
    assert eiffel.architects and eiffel.city is not None
    assert eiffel.category.value == "tower"


def test_events_from_p793_and_dated_sentences(crawl: Crawl) -> None:
    record = crawl.records()["Q243"]
    landmark = _landmark("Q243")
    claimed = {(e.year, e.provenance.detail) for e in record.major_events}
    for significant in landmark.events:
        assert (significant.year, "P793") in claimed
    from_text = [e for e in record.major_events if e.provenance.detail == "Histoire"]
    assert from_text
    for event in from_text:
        assert str(event.year) in event.description
        assert event.description in landmark.articles["fr"].text
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
    assert stats["requests"]["mediawiki"] == landmarks
    assert stats["items"]["mediawiki"] == landmarks
    wikidata_items = stats["items"]["wikidata"]
    assert wikidata_items > landmarks  # landmarks, then the items they refer to
    assert stats["requests"]["wikidata"] == math.ceil(landmarks / 50) + math.ceil(
        (wikidata_items - landmarks) / 50
    )


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


def test_world_fixture_matches_the_registry() -> None:
    world: World = WORLD
    assert all(REGISTRY.get(lm.country) for lm in world.landmarks)
