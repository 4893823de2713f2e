"""The locate stage against the bundled sample world: traps, batching, reruns, faults."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.locate.pages import PageFound, PageProblem, resolve
from crawlers.locate.plan import Wanted, chunk
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark, LocatedLandmark, RejectReason
from rswk.core.runstore import RunStore, ShardResult
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.crawlers.crawl_support import (
    run_crawl_stages,
    sample_config,
    shard_rows,
    total_requests,
    write_registry,
)

# The shipped ZA file reads only English; Table Mountain's one article is a German
# disambiguation page, which the trap needs the crawl to see.
OVERRIDES = {"ZA": {"languages": ["en", "de"]}}


@dataclass
class Crawled:
    server: SampleWorld
    registry: CountryRegistry
    workdir: Path
    countries: list[str]
    stats: dict[str, dict[str, int]]

    @property
    def store(self) -> RunStore:
        return RunStore(self.workdir)

    def located(self) -> dict[str, LocatedLandmark]:
        stage = self.store.stage("locate")
        return {
            r.qid: r for iso2 in self.countries for r in stage.read_shard(iso2, LocatedLandmark)
        }

    def rejected(self) -> dict[str, RejectReason]:
        stage = self.store.stage("locate")
        return {r.qid or "": r.reason for c in self.countries for r in stage.read_rejections(c)}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    world = load_world("bundled")
    countries = sorted({lm.country for lm in world.landmarks})
    root = tmp_path_factory.mktemp("locate")
    registry = write_registry(root / "countries", countries, OVERRIDES)
    with SampleWorld(world) as server:
        config = sample_config(server, root / "work")
        run_crawl_stages(config, registry, countries)
        yield Crawled(server, registry, config.workdir, countries, server.stats())


def test_traps_become_the_right_rejections(crawled: Crawled) -> None:
    rejected = crawled.rejected()
    assert rejected == {
        "Q12501": RejectReason.NO_COORDINATES,  # Great Wall: no P625, no article coordinate
        "Q990000002": RejectReason.OUTSIDE_LAND,  # a platform 66 km out at sea
        "Q213360": RejectReason.DISAMBIGUATION,  # its only article is a disambiguation page
        "Q990000003": RejectReason.MISSING_PAGE,  # its article is gone
    }


def test_located_records(crawled: Crawled) -> None:
    located = crawled.located()
    world = {lm.qid: lm for lm in load_world("bundled").landmarks}
    assert set(located) | set(crawled.rejected()) == set(world)
    for qid, record in located.items():
        assert record.articles, qid
        assert record.entity_revision > 0
        for ref in record.articles:
            assert ref.revid == world[qid].articles[ref.language].revid
            assert ref.length and ref.length > 0
        if record.coordinate_source == "wikidata:P625":  # the world's own P625, not swapped
            assert (record.lat, record.lon) == pytest.approx((world[qid].lat, world[qid].lon))
    # The (Spanish) article has no coordinates: P625 alone places it.
    iguazu = located["Q36332"]
    assert iguazu.coordinate_source == "wikidata:P625"
    assert [(a.language, a.lat) for a in iguazu.articles] == [("es", None)]
    assert iguazu.sources_disagree_m is None
    eiffel = located["Q243"]  # both sources: their distance is recorded
    assert eiffel.sources_disagree_m is not None and not eiffel.disagreement_over_1km
    # Same name, same place, two QIDs: both kept, each pointing at the other.
    assert located["Q10285"].possible_duplicates == ["Q990000001"]
    assert located["Q990000001"].possible_duplicates == ["Q10285"]
    assert located["Q714828"].articles[0].title == "伏見稲荷大社"
    # Coastal and border landmarks sit just outside their polygon and are kept.
    assert 1000 < located["Q9202"].distance_to_country_m < 2000  # Statue of Liberty
    assert located["Q513"].country == "NP"  # Everest, on the NP/CN border
    assert located["Q482485"].articles  # a short article is the knowledge stage's business


def test_requests_are_batched(crawled: Crawled) -> None:
    requests, items = crawled.stats["requests"], crawled.stats["items"]
    landmarks = len(crawled.located()) + len(crawled.rejected())
    assert requests["sparql"] == len(crawled.countries)
    assert items["mediawiki"] / requests["mediawiki"] > 4  # titles per request
    assert items["wikidata"] / requests["wikidata"] > 20  # ids per request
    assert requests["mediawiki"] + requests["wikidata"] < landmarks / 3


def test_rerun_sends_nothing_and_writes_the_same_bytes(crawled: Crawled) -> None:
    stage = crawled.store.stage("locate")
    before = {c: stage.marker(c)["sha256"] for c in crawled.countries}
    crawled.server.reset_stats()
    config = sample_config(crawled.server, crawled.workdir)
    reports = run_crawl_stages(config, crawled.registry, crawled.countries)
    assert all(not r.written for r in reports)  # finished shards are skipped
    run_crawl_stages(config, crawled.registry, crawled.countries, force=True)
    assert total_requests(crawled.server) == 0  # redone entirely from the HTTP cache
    assert {c: stage.marker(c)["sha256"] for c in crawled.countries} == before


def _discovered_records_alive() -> int:
    gc.collect()
    return sum(isinstance(o, DiscoveredLandmark) for o in gc.get_objects())


def test_the_job_lets_go_of_each_shard_it_finishes(crawled: Crawled) -> None:
    """A locate crawl holds the shards in flight, not every API answer and entity of the run."""
    from crawlers.locate.stage import LocateStage
    from crawlers.scrapy_runner import ReactorlessCrawl

    config = sample_config(crawled.server, crawled.workdir)  # answered from the HTTP cache
    stage = LocateStage(config, crawled.registry, crawled.store)
    alive = _discovered_records_alive()
    job = stage.make_job(crawled.countries)
    # The job keeps QIDs and titles, not the discovered records: it reads a shard's again when
    # it finishes the shard.
    assert _discovered_records_alive() == alive
    assert job.entities == {} and job.groups == {} and job.articles == {}
    # Nor the borders: they load at the first shard's finish, while the crawl sends requests.
    assert stage.borders is None
    done = {d.shard_id: d.result for d in ReactorlessCrawl(job, stage.crawl_settings())}
    assert stage.borders is not None
    assert sorted(done) == sorted(crawled.countries)
    located = [r for res in done.values() for r in res.records if isinstance(r, LocatedLandmark)]
    assert sorted(r.qid for r in located) == sorted(crawled.located())
    # Each shard's records were read again at its finish: every landmark sits where the world
    # puts it, in the country the world gives it (not another shard's re-read records).
    world = {lm.qid: lm for lm in load_world("bundled").landmarks}
    for shard_id, result in done.items():
        for record in result.records:
            assert isinstance(record, LocatedLandmark)
            assert record.country == shard_id == world[record.qid].country
            if record.coordinate_source == "wikidata:P625":
                assert (record.lat, record.lon) == pytest.approx(
                    (world[record.qid].lat, world[record.qid].lon)
                )
    assert (job.entities, job.groups, job.articles) == ({}, {}, {})
    # What counted the shards still needing an entity or an article is gone too.
    assert not job._entity_users and not job._article_users


def test_the_job_asks_from_two_columns_what_the_records_hold(crawled: Crawled) -> None:
    """The job's requests are built from each shard's QID and titles columns (no records built
    before the first request): the same values, in the same order, as the records give."""
    from crawlers.locate.stage import ShardRecords

    stage = crawled.store.stage("discover")
    shards = ShardRecords(stage, crawled.countries, DiscoveredLandmark)
    for shard_id in crawled.countries:
        from_records = [(r.qid, list(r.titles.items())) for r in shards[shard_id]]
        from_columns = [(q, list(t.items())) for q, t in shards.qids_and_titles(shard_id)]
        assert from_columns == from_records
    assert sum(len(shards.qids_and_titles(s)) for s in crawled.countries) > 0
    with pytest.raises(KeyError):
        shards.qids_and_titles("ZZ")


def test_faults_change_nothing(crawled: Crawled, tmp_path: Path) -> None:
    countries = crawled.countries
    with SampleWorld(load_world("bundled"), faults=FaultConfig(rate=0.2), seed=7) as faulty:
        run_crawl_stages(sample_config(faulty, tmp_path), crawled.registry, countries)
        assert sum(faulty.stats()["faults"].values()) > 0
        faulty_base = faulty.base_url
    base = crawled.server.base_url
    for stage, model in (("discover", DiscoveredLandmark), ("locate", LocatedLandmark)):
        expected = shard_rows(crawled.workdir, stage, model, base)
        assert shard_rows(tmp_path, stage, model, faulty_base) == expected


def test_maxlag_refusals_and_cut_bodies_are_retried_never_cached(
    crawled: Crawled, tmp_path: Path
) -> None:
    countries = crawled.countries
    faults = FaultConfig(rate_maxlag=0.4, rate_truncated=0.3, retry_after_seconds=0)
    with SampleWorld(load_world("bundled"), faults=faults, seed=3) as faulty:
        config = sample_config(faulty, tmp_path)
        run_crawl_stages(config, crawled.registry, countries)
        seen = faulty.stats()["faults"]
        assert seen.get("maxlag", 0) > 0 and seen.get("truncated", 0) > 0
        faulty.reset_stats()
        run_crawl_stages(config, crawled.registry, countries, force=True)
        assert total_requests(faulty) == 0  # only good answers were cached
        base = faulty.base_url
    for stage, model in (("discover", DiscoveredLandmark), ("locate", LocatedLandmark)):
        expected = shard_rows(crawled.workdir, stage, model, crawled.server.base_url)
        got = shard_rows(tmp_path, stage, model, base)
        assert got == expected


def _discovered(qid: str, titles: dict[str, str]) -> DiscoveredLandmark:
    from datetime import UTC, datetime

    from rswk.core.records import Provenance

    provenance = Provenance(
        source_url="test", retrieved_at=datetime(2026, 1, 1, tzinfo=UTC), licence="CC0-1.0",
        attribution="test",
    )  # fmt: skip
    return DiscoveredLandmark(
        qid=qid, country="BR", label=qid, classes=[], sitelinks=1, rank=1, titles=titles,
        provenance=provenance,
    )  # fmt: skip


def test_redirects_missing_pages_and_foreign_articles(crawled: Crawled, tmp_path: Path) -> None:
    from crawlers.locate.stage import LocateStage
    from rswk.core.stage import run_stage

    store = RunStore(tmp_path)
    shard = [
        # A redirect (followed), and a title that does not exist (dropped).
        _discovered("Q79961", {"pt": "Cristo Redentor (nenhum)", "en": "Christ the Redeemer"}),
        _discovered("Q1", {"pt": "Nenhuma página"}),  # nothing usable: missing page
        _discovered("Q2", {"en": "Eiffel Tower"}),  # an article about Q243, not Q2
    ]
    store.stage("discover").write_shard("BR", DiscoveredLandmark, ShardResult(shard, [], {}))
    config = sample_config(crawled.server, tmp_path)
    run_stage(LocateStage(config, crawled.registry, store), store, ["BR"])
    (christ,) = store.stage("locate").read_shard("BR", LocatedLandmark)
    assert [(a.language, a.requested_title, a.title) for a in christ.articles] == [
        ("en", "Christ the Redeemer", "Christ the Redeemer (statue)")
    ]
    rejected = {r.qid: r.reason for r in store.stage("locate").read_rejections("BR")}
    # Q1 and Q2 have no Wikidata item in the world either; the article problem is not reached.
    assert rejected == {"Q1": RejectReason.MISSING_PAGE, "Q2": RejectReason.MISSING_PAGE}


def test_resolve_follows_normalisation_and_redirects_and_sees_loops() -> None:
    query = {
        "normalized": [{"from": "a_page", "to": "A page"}],
        "redirects": [
            {"from": "A page", "to": "B"},
            {"from": "Loop 1", "to": "Loop 2"},
            {"from": "Loop 2", "to": "Loop 1"},
        ],
        "pages": {
            "7": {"pageid": 7, "title": "B", "lastrevid": 70, "length": 900,
                  "pageprops": {"wikibase_item": "Q7"},
                  "coordinates": [{"lat": 1.5, "lon": 2.5, "primary": "", "globe": "earth"}]},
            "8": {"pageid": 8, "title": "Double", "redirect": ""},
            "9": {"pageid": 9, "title": "Disamb", "pageprops": {"disambiguation": ""}},
            "-1": {"title": "Gone", "missing": ""},
        },
    }  # fmt: skip
    out = resolve(query, ["a_page", "Loop 1", "Double", "Disamb", "Gone", "Unasked"])
    assert out["a_page"] == PageFound("B", 7, 70, "Q7", 1.5, 2.5, 900)
    reasons = {t: o.reason for t, o in out.items() if isinstance(o, PageProblem)}
    assert reasons == {
        "Loop 1": RejectReason.REDIRECT_LOOP,
        "Double": RejectReason.REDIRECT_LOOP,
        "Disamb": RejectReason.DISAMBIGUATION,
        "Gone": RejectReason.MISSING_PAGE,
        "Unasked": RejectReason.MISSING_PAGE,
    }


def test_chunks_hold_50_unique_values_across_shards() -> None:
    wanted = [Wanted(f"C{i % 7}", f"T{i % 120}") for i in range(300)]
    chunks = chunk(wanted, 50)
    assert [len(c.values) for c in chunks] == [50, 50, 20]
    assert sorted(v for c in chunks for v in c.values) == sorted({w.value for w in wanted})
    # Every shard waits on every chunk holding one of its titles.
    for w in wanted:
        assert any(w.value in c.values and w.shard in c.shards for c in chunks)
    long_titles = [Wanted("JP", "伏見稲荷大社" * 20 + str(i)) for i in range(50)]
    assert len(chunk(long_titles, 50)) > 1  # the URL budget splits long non-Latin titles
