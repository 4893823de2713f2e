"""Lineage through `rswk run` on the sample world: what an edit makes stale is redone, only that.

The country registry is a copy in a temp folder (the shipped files stay untouched); the sample
world runs once per test and its `/_stats` counters say how many requests a rerun sent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core import countries
from rswk.core.countries import CountryRegistry, write_country_file
from rswk.core.records import DiscoveredLandmark, KnowledgeRecord, RejectReason
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore
from rswk.pipeline import STAGES
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld

COUNTRIES = ["FR", "PT"]
# Curate and validate decide over the whole run (a QID listed twice, quotas, the suite), so any
# redone upstream shard redoes all of theirs, and of the stages after them (index, release);
# every stage before them works country by country.
RUN_WIDE = ("curate", "validate", "index", "release")


def other_country_redone(redone: set[str], iso2: str = "PT") -> bool:
    """Whether a per-country stage rewrote a file of `iso2`."""
    return any(iso2 in path for path in redone if path.split("/")[0] not in RUN_WIDE)


@pytest.fixture
def sample_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as server:
        monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.base_url)
        yield server


@pytest.fixture
def registry_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An editable copy of the shipped country files, used by every command of the test."""
    folder = tmp_path / "countries"
    shutil.copytree(countries.shipped_countries_dir(), folder)
    monkeypatch.setattr(countries, "shipped_countries_dir", lambda: folder)
    return folder


def edit_country(folder: Path, iso2: str, **changes: object) -> None:
    current = CountryRegistry.from_dir(folder).get(iso2)
    write_country_file(current.model_copy(update=changes), folder / f"{iso2}.yaml")


def run(workdir: Path, *extra: str) -> int:
    codes = [arg for code in COUNTRIES for arg in ("--country", code)]
    return main(["run", "--workdir", str(workdir), *codes, *extra])


def snapshot(workdir: Path) -> dict[str, int]:
    """Every file and folder of the run store with its modification time."""
    return {str(p.relative_to(workdir)): p.stat().st_mtime_ns for p in workdir.rglob("*")}


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {path for path, mtime in after.items() if before.get(path) != mtime}


def shard_files(stages: tuple[str, ...] | list[str], iso2: str) -> set[str]:
    """The records and done-marker files of `iso2` in each of `stages`."""
    return {f"{s}/shards/{iso2}.parquet" for s in stages} | {
        f"{s}/done/{iso2}.json" for s in stages
    }


def test_country_file_edits_redo_exactly_that_country_downstream_included(
    sample_world: SampleWorld,
    registry_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    workdir = tmp_path / "work"
    # Text from the country file's own languages only (by default English comes first), so a
    # language edit shows in the records.
    local = tmp_path / "local.toml"
    local.write_text('[knowledge]\nlanguages = ["local"]\n')
    settings = ("--config", str(local))
    assert run(workdir, *settings) == 0
    store = RunStore(workdir)
    assert "Q243" in {r.qid for r in store.stage("discover").read_shard("FR", DiscoveredLandmark)}

    # Exclusion: FR is stale in every stage (status says why), PT in none.
    edit_country(registry_dir, "FR", excluded=("Q243",))
    capsys.readouterr()
    assert main(["status", "--workdir", str(workdir), *settings]) == 0
    out = capsys.readouterr().out
    assert "discover FR: country file changed" in out
    assert "attributes FR: country file changed" in out and "PT:" not in out
    before = snapshot(workdir)
    assert run(workdir, *settings) == 0
    redone = changed(before, snapshot(workdir))
    assert shard_files(list(STAGES), "FR") <= redone
    assert not other_country_redone(redone)
    for name, model in [("discover", DiscoveredLandmark), ("knowledge", KnowledgeRecord)]:
        assert "Q243" not in {r.qid for r in store.stage(name).read_shard("FR", model)}
    excluded = store.stage("discover").read_rejections("FR")
    assert [(r.qid, r.reason) for r in excluded] == [("Q243", RejectReason.EXCLUDED)]

    # Quota: FR lists fewer landmarks (2, plus a reserve of 1 for curation), downstream follows,
    # and curation keeps the quota.
    edit_country(registry_dir, "FR", quota=2)
    before = snapshot(workdir)
    assert run(workdir, *settings) == 0
    redone = changed(before, snapshot(workdir))
    assert shard_files(list(STAGES), "FR") <= redone and not other_country_redone(redone)
    assert len(store.stage("discover").read_shard("FR", DiscoveredLandmark)) == 3
    assert len(store.stage("knowledge").read_shard("FR", KnowledgeRecord)) == 3
    assert len(store.stage("curate").read_shard("FR", CuratedLandmark)) == 2

    # Language: with English in the country file, the knowledge comes from English articles.
    knowledge = store.stage("knowledge").read_shard("FR", KnowledgeRecord)
    assert {r.languages[0] for r in knowledge} == {"fr"}
    edit_country(registry_dir, "FR", languages=("en",))
    before = snapshot(workdir)
    assert run(workdir, *settings) == 0
    redone = changed(before, snapshot(workdir))
    assert shard_files(list(STAGES), "FR") <= redone and not other_country_redone(redone)
    records = store.stage("knowledge").read_shard("FR", KnowledgeRecord)
    assert records and {r.languages[0] for r in records} == {"en"}


def test_a_config_change_redoes_that_stage_and_downstream_only(
    sample_world: SampleWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "work"
    assert run(workdir) == 0
    config = tmp_path / "smaller.toml"
    config.write_text("[imagery]\nsize_px = 256\n")
    capsys.readouterr()
    assert main(["status", "--workdir", str(workdir), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "imagery FR, PT: config imagery.size_px changed" in out
    assert "attributes FR, PT: upstream imagery is stale" in out
    assert "discover" not in out.split("stale (")[1]
    before = snapshot(workdir)
    assert run(workdir, "--config", str(config)) == 0
    redone = changed(before, snapshot(workdir))
    assert shard_files(["imagery", "attributes"], "FR") <= redone
    assert shard_files(["imagery", "attributes"], "PT") <= redone
    untouched = ("discover/", "locate/", "knowledge/")
    assert not any(path.startswith(untouched) for path in redone)


def test_an_unchanged_rerun_sends_nothing_and_touches_no_file(
    sample_world: SampleWorld, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    assert run(workdir) == 0
    before = snapshot(workdir)
    sample_world.reset_stats()
    assert run(workdir) == 0
    assert main(["crawl", "--workdir", str(workdir), "--country", "FR"]) == 0
    assert main(["imagery", "--workdir", str(workdir)]) == 0
    assert sum(sample_world.stats()["requests"].values()) == 0
    assert snapshot(workdir) == before
