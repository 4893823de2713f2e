"""Sub-shards: the split rule on its own, and the heavy stages over a split sample-world run."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from rswk.core.countries import CountryRegistry
from rswk.core.lineage import recorded_lineage
from rswk.core.records import AttributesRecord, ImageRecord, KnowledgeRecord, LocatedLandmark
from rswk.core.records.base import Rejection, RejectReason
from rswk.core.run_summary import RunSummary
from rswk.core.runstore import SHARD_ID, RunStore, ShardResult
from rswk.core.stage import StageReport
from rswk.core.stage_executors import LocalStageExecutor
from rswk.core.subshards import (
    SubShardRunStore,
    country_summary,
    split_records,
    sub_shard_count,
    sub_shard_ids,
    sub_shard_of,
)
from rswk.pipeline import assess, run_pipeline
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.scale.support import COUNTRIES, HEAVY_STAGES, copy_crawl, crawl, sample_config


def random_qids(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"Q{q}" for q in rng.sample(range(1, 120_000_000), n)]


def test_sub_shard_count_follows_the_shard_size() -> None:
    assert sub_shard_count(0, 200) == 1
    assert sub_shard_count(200, 200) == 1
    assert sub_shard_count(201, 200) == 2
    assert sub_shard_count(4_000, 200) == 20
    assert sub_shard_ids("FR", 1) == ["FR"]
    assert sub_shard_ids("US", 3) == ["US-0001", "US-0002", "US-0003"]
    assert all(SHARD_ID.match(s) for s in sub_shard_ids("US", 9999))


def test_sub_shards_cover_every_landmark_exactly_once_and_are_balanced() -> None:
    qids = random_qids(4_321, seed=7)
    n = sub_shard_count(len(qids), 200)
    groups = split_records([LocatedStub(q) for q in qids], "US", n)
    assert list(groups) == sub_shard_ids("US", n) and n == 22
    members = Counter(r.qid for group in groups.values() for r in group)
    assert set(members) == set(qids) and set(members.values()) == {1}
    sizes = [len(g) for g in groups.values()]
    mean = len(qids) / n
    # Hash buckets spread binomially: far from the 50x a per-country shard can be.
    assert max(sizes) < 1.4 * mean and min(sizes) > 0.6 * mean


def test_adding_landmarks_moves_none_of_the_others() -> None:
    before = random_qids(950, seed=3)
    after = before + random_qids(40, seed=4)
    n = sub_shard_count(len(before), 200)
    assert n == sub_shard_count(len(after), 200) == 5
    old = {q: sub_shard_of(q, "DE", n) for q in before}
    new = {q: sub_shard_of(q, "DE", n) for q in after}
    assert all(new[q] == old[q] for q in before)


class LocatedStub:
    def __init__(self, qid: str | None) -> None:
        self.qid = qid


def test_a_record_without_qid_goes_to_the_first_sub_shard() -> None:
    groups = split_records([LocatedStub(None), LocatedStub("Q1")], "FR", 3)
    assert next(r.qid for r in groups["FR-0001"]) is None


@pytest.fixture(scope="module")
def world() -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(world: SampleWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("crawled")
    crawl(workdir, world.urls())
    return workdir


def test_split_heavy_stages_cover_each_located_landmark_once(
    world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    config = sample_config(workdir, world.urls(), shard_size=2)
    world.reset_stats()
    summary = RunSummary()
    reports = run_pipeline(
        config,
        CountryRegistry.from_dir(),
        COUNTRIES,
        stages=HEAVY_STAGES,
        executor=LocalStageExecutor(config),
        summary=summary,
    )
    plain = RunStore(workdir)
    located = {
        c: [r.qid for r in plain.stage("locate").read_shard(c, LocatedLandmark)] for c in COUNTRIES
    }
    big = [c for c, qids in located.items() if len(qids) > 2]
    assert big, "the bundled world has countries with 3+ landmarks"
    for report in reports:
        expected = [
            s for c in COUNTRIES for s in sub_shard_ids(c, sub_shard_count(len(located[c]), 2))
        ]
        assert sorted(report.written) == sorted(expected)
    for country in COUNTRIES:
        n = sub_shard_count(len(located[country]), 2)
        images = plain.stage("imagery")
        by_shard: dict[str, list[str]] = {
            s: [r.qid for r in images.read_shard(s, ImageRecord)]
            + [r.qid for r in images.read_rejections(s) if r.qid is not None]
            for s in sub_shard_ids(country, n)
        }
        seen = Counter(q for qids in by_shard.values() for q in qids)
        assert set(seen) == set(located[country]) and set(seen.values()) <= {1}
        for shard, qids in by_shard.items():
            assert all(sub_shard_of(q, country, n) == shard for q in qids)
        # Attributes read the imagery sub-shards: every landmark measured once, with its image.
        attrs = [
            r
            for s in sub_shard_ids(country, n)
            for r in plain.stage("attributes").read_shard(s, AttributesRecord)
        ]
        assert sorted(r.qid for r in attrs) == sorted(located[country])
    # A whole-country read of a split stage gathers its sub-shards.
    split_store = SubShardRunStore(workdir, 2)
    whole = split_store.stage("imagery").read_shard(big[0], ImageRecord)
    parts = sub_shard_ids(big[0], sub_shard_count(len(located[big[0]]), 2))
    from_parts = [r.qid for s in parts for r in plain.stage("imagery").read_shard(s, ImageRecord)]
    assert [r.qid for r in whole] == from_parts and len(whole) >= 3
    # Reading columns only (the index files do) sees the same landmarks both ways round.
    columns = split_store.stage("imagery").read_columns(big[0], ["qid"])
    assert columns.column_names == ["qid"] and columns["qid"].to_pylist() == from_parts
    located_split = split_store.stage("locate")
    for part in parts:
        qids = [r.qid for r in located_split.read_shard(part, LocatedLandmark)]
        assert located_split.read_columns(part, ["qid"])["qid"].to_pylist() == qids
    # Status counts countries, not sub-shards.
    status = country_summary(plain.stage("imagery"))
    assert (status.done, status.planned) == (len(COUNTRIES), len(COUNTRIES))
    # The summary's requests per source are what the sample world answered.
    answered = world.stats()["requests"]
    rows = {line.stage: line for line in summary.lines}
    assert rows["imagery"].requests.get("tiles") == answered["tiles"]
    assert rows["attributes"].requests.get("climate") == answered["climate"]
    assert rows["attributes"].requests.get("sentinelhub") == answered["sh_statistics"]
    assert rows["imagery"].kept + rows["imagery"].rejected == sum(map(len, located.values()))


def test_per_country_command_reads_split_imagery(
    world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    from rswk.cli.attributes import run_attributes

    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    config = sample_config(workdir, world.urls(), shard_size=2)
    run_pipeline(
        config,
        CountryRegistry.from_dir(),
        ["FR"],
        stages=("imagery",),
        executor=LocalStageExecutor(config),
    )
    imagery = RunStore(workdir).stage("imagery")
    assert imagery.done_shards() == ["FR-0001", "FR-0002"]
    summary = run_attributes(config, ["FR"])
    assert summary["written"] == ["FR"]
    stats = RunStore(workdir).stage("attributes").read_stats("FR")
    images = len(imagery.read_shard("FR-0001", ImageRecord)) + len(
        imagery.read_shard("FR-0002", ImageRecord)
    )
    assert stats["with_image"] == stats["images_available"] == images >= 3


def test_pending_needs_every_upstream_finished(tmp_path: Path) -> None:
    from rswk.core.runstore import ShardResult
    from rswk.core.subshards import pending_for_stage

    store = SubShardRunStore(tmp_path, shard_size=1)
    empty = ShardResult(records=[], rejections=[], stats={})
    for stage, shards in {"locate": ["FR", "PT"], "knowledge": ["PT"]}.items():
        for shard in shards:
            store.stage(stage).write_shard(shard, LocatedLandmark, empty)
    assert pending_for_stage(store, ["FR", "PT", "EG"], "locate", split=False) == ["FR", "PT"]
    both = pending_for_stage(store, ["FR", "PT", "EG"], ["locate", "knowledge"], split=True)
    assert both == ["PT"]  # PT has no landmarks: one shard, not split
    assert pending_for_stage(store, ["FR"], None, split=True) == ["FR"]


def add_rejection(store: RunStore, stage: str, shard_id: str, model: type[BaseModel]) -> None:
    """Rewrite a finished shard with one more rejection, keeping its lineage: its content hash
    changes, as when a redo heals or loses a landmark."""
    stage_store = store.stage(stage)
    extra = Rejection(
        qid="Q1",
        country=shard_id[:2],
        stage=stage,
        reason=RejectReason.NO_DATA,
        detail="changed by the test",
    )
    result = ShardResult(
        records=stage_store.read_shard(shard_id, model),
        rejections=[*stage_store.read_rejections(shard_id), extra],
        stats=stage_store.read_stats(shard_id),
    )
    stage_store.write_shard(shard_id, model, result, recorded_lineage(stage_store.marker(shard_id)))


def test_sub_shard_lineage_reads_whole_country_upstream_and_the_reverse(
    world: SampleWorld, crawled: Path, tmp_path: Path
) -> None:
    from rswk.cli.attributes import run_attributes

    workdir = tmp_path / "run"
    copy_crawl(crawled, workdir)
    config = sample_config(workdir, world.urls(), shard_size=2)
    registry = CountryRegistry.from_dir()
    plain = RunStore(workdir)
    sizes = {c: plain.stage("locate").marker(c)["records"] for c in COUNTRIES}
    big = next(c for c in COUNTRIES if sizes[c] > 2)
    small = next(c for c in COUNTRIES if 0 < sizes[c] <= 2)

    def imagery() -> list[StageReport]:
        return run_pipeline(
            config, registry, [big, small], stages=("imagery",), executor=LocalStageExecutor(config)
        )

    imagery()
    parts = [s for s in plain.stage("imagery").done_shards() if s.startswith(f"{big}-")]
    assert parts == sub_shard_ids(big, sub_shard_count(sizes[big], 2))
    # Attributes of the big country as one whole shard (the per-stage command splits nothing).
    assert run_attributes(config, [big])["written"] == [big]

    def stale() -> dict[str, dict[str, list[str]]]:
        return {h.stage: h.stale for h in assess(config, registry, plain)}

    assert not any(stale().values())
    assert imagery()[0].written == []
    # The whole-country knowledge shard changes: every sub-shard reading it is stale, and the
    # whole attributes shard reading those sub-shards with them; the small country is not.
    add_rejection(plain, "knowledge", big, KnowledgeRecord)
    now = stale()
    assert sorted(now["imagery"]) == parts
    assert all("upstream knowledge changed" in why for why in now["imagery"].values())
    assert list(now["attributes"]) == [big]
    assert "upstream imagery is stale" in now["attributes"][big]
    assert sorted(imagery()[0].written) == parts
    # The redone sub-shards carry a new lineage: the whole shard reading them follows.
    assert stale() == {"imagery": {}, "attributes": {big: ["upstream imagery changed"]}} | {
        name: {} for name in ("discover", "locate", "knowledge")
    }
    assert run_attributes(config, [big])["written"] == [big]
    assert not any(stale().values())
    # One sub-shard changes: the whole-country shard reading it is stale, by that upstream.
    add_rejection(plain, "imagery", parts[-1], ImageRecord)
    assert stale()["attributes"] == {big: ["upstream imagery changed"]}
    assert run_attributes(config, [big])["written"] == [big]
    assert not any(stale().values())


def test_a_country_is_streamed_from_its_sub_shards_and_a_sub_shard_from_its_country(
    tmp_path: Path,
) -> None:
    from rswk.core.records import DiscoveredLandmark
    from tests.core.test_runstore import landmark

    store = SubShardRunStore(tmp_path, shard_size=2)
    records = [landmark(f"Q{i}", "FR") for i in range(1, 6)]
    parts = split_records(records, "FR", 3)

    def write(stage: str, shard_id: str, rows: list[DiscoveredLandmark]) -> None:
        result = ShardResult(records=rows, rejections=[], stats={})
        store.stage(stage).write_shard(shard_id, DiscoveredLandmark, result)

    write("locate", "FR", records)  # 5 located landmarks: 3 sub-shards of at most 2
    store.stage("imagery").plan(parts)
    for shard_id, rows in parts.items():
        write("imagery", shard_id, rows)  # a heavy stage, in sub-shards
    write("curate", "FR", records)  # a later stage, whole
    imagery = store.stage("imagery")
    assert sorted(imagery.done_shards()) == sub_shard_ids("FR", 3)
    streamed = list(imagery.iter_shard("FR", DiscoveredLandmark))
    assert streamed == [parts[s] for s in sub_shard_ids("FR", 3)]
    curate = store.stage("curate")
    assert list(curate.iter_shard("FR-0002", DiscoveredLandmark)) == [parts["FR-0002"]]
    assert [r for g in curate.iter_shard("FR", DiscoveredLandmark) for r in g] == records
