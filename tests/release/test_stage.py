"""The `release` stage at the end of the pipeline: builds the next release once, records which
landmarks went into it, and builds nothing new when nothing changed."""

from __future__ import annotations

from pathlib import Path

from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore
from rswk.pipeline import STAGES, run_pipeline
from rswk.release.assemble import read_curated
from rswk.release.manifest import verify_release
from rswk.release.stage import ReleasedLandmark


def test_release_is_the_last_stage_and_runs_after_index(workdir: Path, tmp_path: Path) -> None:
    # The registry lists one upstream stage (a list of them once lineage lands): index.
    assert list(STAGES)[-1] == "release" and "index" in STAGES["release"][1]
    releases = tmp_path / "releases"
    config = load_config("sample", workdir=workdir)
    config = config.model_copy(
        update={"release": config.release.model_copy(update={"releases_dir": releases})}
    )
    store = RunStore(workdir)
    countries = store.stage("index").done_shards()
    registry = CountryRegistry.from_dir()

    [report] = run_pipeline(config, registry, countries, stages=["release"])
    assert sorted(report.written) == countries
    assert [p.name for p in releases.iterdir()] == ["rswk-1.0.0"]
    assert verify_release(releases / "rswk-1.0.0") == []
    released = {
        r.qid: r for c in countries for r in store.stage("release").read_shard(c, ReleasedLandmark)
    }
    curated = read_curated(store)
    assert sorted(released) == sorted(lm.qid for lm in curated)
    assert {r.version for r in released.values()} == {"1.0.0"}
    assert all(released[lm.qid].split == lm.split for lm in curated)

    [again] = run_pipeline(config, registry, countries, stages=["release"], force=True)
    assert sorted(again.written) == countries
    assert [p.name for p in releases.iterdir()] == ["rswk-1.0.0"], "nothing changed: no release"
    assert store.stage("release").read_stats(countries[0]) == {"version": "1.0.0"}
