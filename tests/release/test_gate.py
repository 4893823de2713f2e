"""The release refuses an unvalidated, failed or changed run and an existing version; a kill
during assembly leaves only an `.incomplete` folder that the next build replaces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore
from rswk.release.manifest import verify_release
from tests.release.fixtures import write_curated, write_validation


def release_args(workdir: Path, releases: Path, *extra: str) -> list[str]:
    return ["release", "--workdir", str(workdir), "--releases", str(releases), *extra]


def test_unvalidated_run_is_refused(
    workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "validate" / "pass.json").unlink()
    assert main(release_args(workdir, tmp_path / "rel")) == 2
    assert "no validation has run" in capsys.readouterr().err
    assert not (tmp_path / "rel").exists() or not any((tmp_path / "rel").iterdir())


def test_failed_validation_is_refused(
    workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_validation(workdir, success=False)
    assert main(release_args(workdir, tmp_path / "rel")) == 2
    assert "validation failed (coordinates_in_country)" in capsys.readouterr().err


def test_data_changed_after_validation_is_refused(
    workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RunStore(workdir)
    rows = store.stage("curate").read_shard("FR", CuratedLandmark)
    write_curated(store, [rows[0].model_copy(update={"name": "Changed"}), *rows[1:]])
    assert main(release_args(workdir, tmp_path / "rel")) == 2
    assert "curated shards changed since validation" in capsys.readouterr().err


def test_existing_version_is_refused_and_unchanged_run_needs_a_version(
    workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "rel"
    assert main(release_args(workdir, releases)) == 0
    assert (releases / "rswk-1.0.0" / "manifest.json").exists()
    assert main(release_args(workdir, releases, "--version", "1.0.0")) == 2
    assert "rswk-1.0.0 already exists" in capsys.readouterr().err
    assert main(release_args(workdir, releases)) == 2
    assert "nothing changed since rswk 1.0.0" in capsys.readouterr().err
    assert main(release_args(workdir, releases, "--version", "1.0.1")) == 0
    assert verify_release(releases / "rswk-1.0.1") == []
    assert main(release_args(workdir, releases, "--version", "1.2")) == 2
    assert "use MAJOR.MINOR.PATCH" in capsys.readouterr().err


KILLER = """
import os, signal, sys
from rswk.release import assemble
real = assemble.write_report
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
assemble.write_report = die
from rswk.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_kill_during_assembly_leaves_only_incomplete_then_next_build_replaces_it(
    workdir: Path, tmp_path: Path
) -> None:
    releases = tmp_path / "rel"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, *release_args(workdir, releases)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -9
    assert sorted(p.name for p in releases.iterdir()) == ["rswk-1.0.0.incomplete"]
    assert (releases / "rswk-1.0.0.incomplete" / "data" / "landmarks").is_dir()
    assert not (releases / "rswk-1.0.0.incomplete" / "manifest.json").exists()

    assert main(release_args(workdir, releases)) == 0
    assert sorted(p.name for p in releases.iterdir()) == ["rswk-1.0.0"]
    assert verify_release(releases / "rswk-1.0.0") == []
