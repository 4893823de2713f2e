"""The benchmark runs end to end on a few landmarks; `rswk attributes` works and explains misuse."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer
from typer.testing import CliRunner

from rswk.cli.attributes import attributes
from rswk.core.records.attributes import AttributesRecord
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.attributes.upstream import write_located

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_attributes.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_attributes", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_bench().main(["--landmarks", "3"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["landmarks"] == 3
    assert figures["statistical_requests_per_landmark_per_collection"] == 1.0
    assert figures["climate_requests_per_landmark"] == 1.0
    assert figures["rerun_requests"] == 0


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(attributes)
    return app


def test_cli_measures_located_countries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_located(RunStore(tmp_path), ["FR", "IT"])
    with SampleWorld(load_world("bundled")) as server:
        monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.urls()["base"])
        result = CliRunner().invoke(cli(), ["--workdir", str(tmp_path), "--country", "fr"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output.strip().splitlines()[-1])
        assert summary["written"] == ["FR"] and summary["records"] == 4
        assert summary["requests"]["statistical_requests"] == 16
    records = RunStore(tmp_path).stage("attributes").read_shard("FR", AttributesRecord)
    assert [r.qid for r in records] == ["Q243", "Q2981", "Q19675", "Q64436"]
    assert (tmp_path / "config.resolved.json").exists()


def test_cli_names_what_to_run_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["--workdir", str(tmp_path)])
    assert result.exit_code != 0
    assert "no located landmarks yet (run `rswk crawl`" in str(result.exception)
    write_located(RunStore(tmp_path), ["FR"])
    result = CliRunner().invoke(cli(), ["--workdir", str(tmp_path), "--country", "JP"])
    assert "--country JP: not located in" in str(result.exception)
