"""`rswk crawl`: the contributor's preview, bad input, and quota changes between runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.records import DiscoveredLandmark, KnowledgeRecord
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.running import ENV_VAR
from rswk.sampleworld.server import SampleWorld


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as world:
        yield world


@pytest.fixture
def sample_world_env(server: SampleWorld, monkeypatch: pytest.MonkeyPatch) -> SampleWorld:
    monkeypatch.setenv(ENV_VAR, server.base_url)
    return server


def test_unknown_country_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "work"
    assert main(["crawl", "--country", "FR", "--country", "ZZ", "--workdir", str(workdir)]) == 2
    err = capsys.readouterr().err
    assert "--country ZZ" in err and "rswk country list" in err
    assert not workdir.exists()


def test_unknown_profile_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--profile", "mars", "--workdir", str(tmp_path)]) == 2
    assert "'sample'" in capsys.readouterr().err


def test_preview_prints_found_and_rejected(
    sample_world_env: SampleWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "work"
    args = [
        "crawl",
        "--country",
        "za",
        "--country",
        "IT",
        "--limit",
        "3",
        "--workdir",
        str(workdir),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 4}
    assert [cell.strip() for cell in rows["IT"].split("│")[2:6]] == ["3", "3", "3", "0"]
    # Table Mountain has only a German article; the shipped ZA file reads English only.
    assert "Q213360" in out and "no_article" in out
    saved = json.loads((workdir / "config.resolved.json").read_text())
    assert saved["sources"]["sparql"].startswith(sample_world_env.base_url)
    store = RunStore(workdir)
    assert store.stage("knowledge").done_shards() == ["IT", "ZA"]


def test_a_different_limit_redoes_the_country_from_the_cache(
    sample_world_env: SampleWorld, tmp_path: Path
) -> None:
    """A new --limit changes discover's lineage: the shard and its downstream are redone."""
    base = ["crawl", "--country", "FR", "--workdir", str(tmp_path)]
    assert main([*base, "--limit", "3"]) == 0
    store = RunStore(tmp_path)
    assert len(store.stage("knowledge").read_shard("FR", KnowledgeRecord)) == 3
    assert main([*base, "--limit", "2"]) == 0
    records = store.stage("discover").read_shard("FR", DiscoveredLandmark)
    assert [r.rank for r in records] == [1, 2]
    assert len(store.stage("knowledge").read_shard("FR", KnowledgeRecord)) == 2
