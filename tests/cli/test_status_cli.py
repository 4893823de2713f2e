"""`rswk status` reports each stage's shards done / planned, records and rejections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.records import DiscoveredLandmark
from rswk.core.runstore import RunStore
from tests.core.test_runstore import result


def test_status_lists_stages_in_pipeline_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RunStore(tmp_path)
    for stage_name in ("locate", "discover"):
        stage = store.stage(stage_name)
        stage.plan(["FR", "DE"])
        stage.write_shard("FR", DiscoveredLandmark, result("FR", 3))
    assert main(["status", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.index("discover") < out.index("locate")
    assert "1/2" in out and "3" in out


def test_status_on_an_empty_workdir_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--workdir", str(tmp_path / "none")]) == 0
    assert "rswk crawl" in capsys.readouterr().out


def test_version_and_user_errors_exit_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "rswk" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2


def test_exit_codes_reach_the_shell() -> None:
    """Through the installed script: a failed check exits 1, a user error 2, success 0."""

    def rswk(*args: str) -> int:
        code = "import sys; from rswk.cli import main; sys.exit(main(sys.argv[1:]))"
        return subprocess.run([sys.executable, "-c", code, *args], capture_output=True).returncode

    assert rswk("country", "check", "ZZ") == 1
    assert rswk("crawl", "--country", "ZZ") == 2
    assert rswk("country", "check", "FR") == 0
