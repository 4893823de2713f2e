"""The executor registry and its command-line switches, landmark progress, the run summary."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.attributes.stage import AttributesStage
from crawlers.imagery.stage import ImageryStage
from crawlers.knowledge.stage import KnowledgeStage
from crawlers.locate.stage import LocateStage
from rswk.cli import main
from rswk.core import progress as progress_module
from rswk.core.config import load_config
from rswk.core.errors import RSWKError
from rswk.core.progress import format_duration, progress_line
from rswk.core.run_summary import RunSummary
from rswk.core.stage import StageReport
from rswk.core.stage_executors import (
    LocalStageExecutor,
    executor_for,
    spreads,
    with_executor,
)

REPO = Path(__file__).resolve().parents[2]


def test_registry_finds_executors_by_name_and_names_the_choices(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path)
    assert isinstance(executor_for(config), LocalStageExecutor)
    ray_config = with_executor(config, "ray", None)
    assert executor_for(ray_config).name == "ray"
    with pytest.raises(RSWKError, match="local, ray"):
        with_executor(config, "dask", None)
    addressed = with_executor(config, None, "ray://head:10001")
    assert addressed.executor == "ray" and addressed.ray.address == "ray://head:10001"
    with pytest.raises(RSWKError, match="--executor ray"):
        with_executor(config, "local", "ray://head:10001")
    unknown = config.model_copy(update={"executor": "spark"})
    with pytest.raises(RSWKError, match="executor 'spark' is not known"):
        executor_for(unknown)


def test_executor_in_the_config_file(tmp_path: Path) -> None:
    toml = tmp_path / "scale.toml"
    toml.write_text('executor = "ray"\nshard_size = 50\n[ray]\naddress = "auto"\n')
    config = load_config("world", toml)
    assert (config.executor, config.shard_size, config.ray.address) == ("ray", 50, "auto")


def test_crawl_stages_stay_in_one_process_heavy_stages_spread() -> None:
    assert not spreads(LocateStage.__new__(LocateStage))
    assert not spreads(KnowledgeStage.__new__(KnowledgeStage))
    assert spreads(ImageryStage.__new__(ImageryStage))
    assert spreads(AttributesStage.__new__(AttributesStage))


def test_run_rejects_an_unknown_executor_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--workdir", str(tmp_path), "--executor", "dask"]) != 0
    err = capsys.readouterr().err
    assert "--executor 'dask': use one of local, ray" in err and "Traceback" not in err


def test_help_does_not_import_ray() -> None:
    code = "import sys; from rswk.cli import main; main(['--help']); print('ray' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    ).stdout
    assert out.strip().endswith("False")


def test_progress_line_has_rate_and_eta() -> None:
    assert progress_line("imagery", 0, 14_141, "landmarks", 0.0) == (
        "imagery: 0/14,141 landmarks (0%)"
    )
    line = progress_line("imagery", 1_200, 14_141, "landmarks", 100.0)
    # 12 landmarks/s, 12,941 left: 1078 s.
    assert line == "imagery: 1,200/14,141 landmarks (8%), 12.0/s, ETA 17m58s"
    assert format_duration(3_725) == "1h02m" and format_duration(42) == "42s"


def test_log_mode_reports_landmarks_with_rate(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = {"now": 0.0}
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(progress_module, "interactive", lambda: False)
    caplog.set_level(logging.INFO, logger="rswk.core.progress")
    with progress_module.progress("attributes", 300, "landmarks") as ticker:
        clock["now"] = 20.0
        ticker.advance(100)
        clock["now"] = 25.0
        ticker.advance(100)  # within 10 s of the last line: not logged
        clock["now"] = 30.0
        ticker.advance(100)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "attributes: 100/300 landmarks (33%), 5.0/s, ETA 40s",
        "attributes: 300/300 landmarks (100%), 10.0/s, ETA 0s",
    ]


def test_run_summary_table_rows() -> None:
    summary = RunSummary()
    report = StageReport(stage="imagery", written=["FR", "US-0001"], skipped=["IT"])
    report.records, report.rejected = 41, 4

    class Crawl:
        def __init__(self) -> None:
            self.last_crawl_stats = {"downloader/request_count": 12}

    with summary.stage("imagery") as line:
        summary.record(line, report, {"tiles": 396, "climate": 0}, object())
    with summary.stage("locate") as line:
        summary.record(line, StageReport(stage="locate"), {}, Crawl())
    rows = summary.as_json()
    assert rows[0]["requests"] == {"tiles": 396}
    assert (rows[0]["shards_written"], rows[0]["shards_skipped"]) == (2, 1)
    assert (rows[0]["kept"], rows[0]["rejected"]) == (41, 4)
    assert rows[1]["requests"] == {"wikimedia": 12}
    assert summary.table().row_count == 2
