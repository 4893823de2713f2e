"""`rswk run` (what `make rswk-release` calls): every stage, resumable, no request on rerun."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.records import AttributesRecord, ImageRecord, KnowledgeRecord
from rswk.core.runstore import RunStore
from rswk.pipeline import STAGES
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld

COUNTRIES = ["FR", "PT", "EG"]


@pytest.fixture
def sample_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as server:
        monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.base_url)
        yield server


def run_args(workdir: Path, *extra: str) -> list[str]:
    countries = [arg for code in COUNTRIES for arg in ("--country", code)]
    releases = ["--releases", str(workdir / "releases")]
    return ["run", "--workdir", str(workdir), *countries, *releases, *extra]


def test_run_builds_every_stage_then_reruns_without_a_request(
    sample_world: SampleWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_args(tmp_path)) == 0
    store = RunStore(tmp_path)
    # The release is checked in tests/release (it needs curate, validate and index upstream).
    for name in (n for n in STAGES if n != "release"):
        assert store.stage(name).done_shards() == sorted(COUNTRIES), name
    knowledge = {
        r.qid for c in COUNTRIES for r in store.stage("knowledge").read_shard(c, KnowledgeRecord)
    }
    images = {r.qid for c in COUNTRIES for r in store.stage("imagery").read_shard(c, ImageRecord)}
    attributes = {
        r.qid for c in COUNTRIES for r in store.stage("attributes").read_shard(c, AttributesRecord)
    }
    assert "Q243" in knowledge and "Q243" in images and "Q243" in attributes
    # The sea trap is rejected by locate and never reaches imagery; the missing page likewise.
    rejected = {r.qid: r.reason.value for r in store.stage("locate").read_rejections("PT")}
    assert rejected == {"Q990000002": "outside_land"}
    assert "Q990000002" not in images
    out = capsys.readouterr().out
    assert "attributes" in out and "3/3" in out

    sample_world.reset_stats()
    assert main(run_args(tmp_path)) == 0
    assert sum(sample_world.stats()["requests"].values()) == 0
    assert main(run_args(tmp_path, "--force")) == 0
    assert sum(sample_world.stats()["requests"].values()) == 0, "forced rerun reads the caches"


def test_run_until_stops_after_the_named_stage(sample_world: SampleWorld, tmp_path: Path) -> None:
    assert main(run_args(tmp_path, "--until", "locate")) == 0
    assert [s.name for s in RunStore(tmp_path).stages()] == ["discover", "locate"]
    assert main(run_args(tmp_path, "--until", "nowhere")) == 2


def test_knowledge_reuses_the_claims_locate_fetched(
    sample_world: SampleWorld, tmp_path: Path
) -> None:
    assert main(run_args(tmp_path, "--until", "locate")) == 0
    sample_world.reset_stats()
    assert main(run_args(tmp_path, "--until", "knowledge")) == 0
    stats = sample_world.stats()
    store = RunStore(tmp_path)
    records = [
        r for c in COUNTRIES for r in store.stage("knowledge").read_shard(c, KnowledgeRecord)
    ]
    # One article request per landmark; Wikidata only for the items the claims refer to, their
    # P131 parents and the people the articles link to: one batch each here, no landmark again.
    assert stats["requests"]["mediawiki"] == len(records)
    assert stats["requests"].get("wikidata", 0) <= 3
    eiffel = next(r for r in records if r.qid == "Q243")
    assert eiffel.height_m and eiffel.inception_year and eiffel.architects
    assert eiffel.construction_period is not None
    assert eiffel.construction_period.provenance.detail == "P571/P1619"
