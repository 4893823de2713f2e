"""`rswk validate` on a sample run: exit 0 and a current pass; on a broken run: exit 1, no pass.
Data Docs exist and reference no remote asset."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.lineage import Lineage
from rswk.core.records import CuratedLandmark
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.validation_pass import read_validation_pass, validation_is_current
from tests.curation.sample_run import copy_run
from validation.docs import (
    OFFLINE_CSS_PATH,
    make_offline,
    make_site_offline,
    missing_local_assets,
    remote_assets,
)


@pytest.fixture
def run(sample_workdir: Path, tmp_path: Path) -> Path:
    return copy_run(sample_workdir.parent, tmp_path)


def test_the_sample_run_already_passed_validation(sample_workdir: Path) -> None:
    # `rswk run` ends with curate and validate (what `make rswk-release` runs).
    current, why = validation_is_current(sample_workdir)
    assert current, why
    recorded = read_validation_pass(sample_workdir)
    assert recorded is not None and recorded.suite_version == "landmarks-1.0.0"


def test_validate_passes_on_the_sample_and_writes_offline_docs(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--workdir", str(run)]) == 0
    out = capsys.readouterr().out
    assert "point_in_country" in out and "passed" in out
    results = json.loads((run / "validate" / "results.json").read_text())
    assert results["success"] and results["blocking_failed"] == []
    docs = run / "validate" / "data_docs"
    index = docs / "index.html"
    assert index.exists() and len(list(docs.rglob("*.html"))) >= 2
    assert remote_assets(docs) == []
    # What the pages reference locally is there: GX's static files, the offline stylesheet
    # (linked from every page at its depth) and the logo, now GX's local copy.
    assert missing_local_assets(docs) == []
    assert (docs / OFFLINE_CSS_PATH).is_file()
    for page in docs.rglob("*.html"):
        assert "rswk_offline.css" in page.read_text(), page
    assert 'src="static/images/logo-long.png"' in index.read_text()
    html = index.read_text()
    assert "<table" in html or "<div" in html  # a real page, not an empty file
    assert not re.search(r"""src=["']https?://""", html)
    assert validation_is_current(run)[0]


def _break(run: Path) -> None:
    """Move the Eiffel Tower to the mid-Atlantic in the curated FR shard.

    The done-marker keeps its lineage, as if the shard had been curated that way: otherwise the
    next run would see a shard of unknown lineage and curate it again, healing the break.
    """
    stage = RunStore(run).stage("curate")
    marker = run / "curate" / "done" / "FR.json"
    lineage = Lineage(json.loads(marker.read_text())["lineage"]["inputs"])
    rows = stage.read_shard("FR", CuratedLandmark)
    broken = [
        r.model_copy(update={"lat": 30.0, "lon": -40.0}) if r.qid == "Q243" else r for r in rows
    ]
    stage.write_shard(
        "FR", CuratedLandmark, ShardResult(broken, [], stage.read_stats("FR")), lineage=lineage
    )


def test_a_changed_shard_makes_the_pass_stale_and_validate_fail(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validation_is_current(run)[0]
    _break(run)
    current, why = validation_is_current(run)
    assert not current and "changed since validation" in why
    assert main(["validate", "--workdir", str(run)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "point_in_country" in out
    recorded = read_validation_pass(run)
    assert recorded is not None and not recorded.success
    assert recorded.blocking_failed == ["point_in_country"]
    assert not validation_is_current(run)[0]


def test_the_pipeline_stops_on_a_blocking_failure(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(run)
    for marker in (run / "validate" / "done").glob("*.json"):
        marker.unlink()
    args = ["run", "--workdir", str(run), "--country", "FR", "--until", "validate"]
    # Every stage before validate is done; validate runs again, fails, and marks nothing done.
    assert main(args) == 1
    assert "point_in_country" in capsys.readouterr().err
    assert RunStore(run).stage("validate").done_shards() == []


def test_make_offline_removes_every_remote_asset() -> None:
    page = """<html><head>
    <link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">
    <script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
    <style>@import url("https://fonts.example.org/x.css");
    body{background:url(//cdn.example.org/bg.png)}</style>
    </head><body><img src="https://great-expectations-web-assets.s3.amazonaws.com/logo.png">
    <a href="https://docs.greatexpectations.io/">docs</a>
    <script>var local = 1;</script></body></html>"""
    clean = make_offline(page)
    for host in ("bootstrapcdn", "jquery.com", "fonts.example", "cdn.example", "amazonaws"):
        assert host not in clean
    assert "docs.greatexpectations.io" in clean  # a link is navigation, not an asset
    assert "var local = 1;" in clean and "<style>" in clean


def test_every_local_asset_a_page_references_must_exist(tmp_path: Path) -> None:
    page = tmp_path / "validations" / "run" / "page.html"
    page.parent.mkdir(parents=True)
    (tmp_path / "static" / "images").mkdir(parents=True)
    (tmp_path / "static" / "images" / "logo-long.png").write_bytes(b"png")
    page.write_text(
        '<html><head><link rel="icon" href="../../static/images/favicon.ico"></head><body>'
        '<img src="https://great-expectations-web-assets.s3.amazonaws.com/logo-long.png?d=1">'
        '<img src="data:image/gif;base64,R0lGOD"><a href="../../index.html">home</a>'
        "</body></html>"
    )
    assert make_site_offline(tmp_path) == 1
    html = page.read_text()
    assert 'href="../../static/styles/rswk_offline.css"' in html
    assert 'src="../../static/images/logo-long.png"' in html
    # A static file referenced one `../` short (GX's depth for validation pages) is repointed.
    (tmp_path / "static" / "images" / "short-logo.png").write_bytes(b"png")
    page.write_text(
        page.read_text().replace("<body>", '<body><img src="../static/images/short-logo.png">')
    )
    make_site_offline(tmp_path)
    assert 'src="../../static/images/short-logo.png"' in page.read_text()
    # The favicon is the one local asset missing; a link (<a href>) is not an asset.
    assert missing_local_assets(tmp_path) == [
        "validations/run/page.html: ../../static/images/favicon.ico"
    ]
    (tmp_path / "static" / "images" / "favicon.ico").write_bytes(b"ico")
    assert missing_local_assets(tmp_path) == [] and remote_assets(tmp_path) == []
    assert make_site_offline(tmp_path) == 0  # idempotent: the stylesheet is linked once


def test_validate_a_run_store_at_a_url_uploads_results_then_the_pass(
    run: Path, tmp_path: Path
) -> None:
    # The run store behind a file:// URL: the same code as s3:// (tests/scale/test_s3_workdir.py).
    shutil.rmtree(run / "validate")
    local = tmp_path / "local"
    assert main(["validate", "--workdir", f"file://{run}", "--cache-dir", str(local)]) == 0
    # Data Docs are built on this machine, then copied into the run store; the pass comes last.
    assert (local / "validate" / "data_docs" / "index.html").exists()
    assert (run / "validate" / "data_docs" / "index.html").exists()
    assert (run / "validate" / "results.json").exists()
    assert not (local / "validate" / "pass.json").exists()
    assert validation_is_current(RunStore(f"file://{run}"))[0]
    assert validation_is_current(run)[0]


def test_the_landmarks_table_is_the_same_however_many_rows_a_frame_holds(
    sample_workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The table is built in typed frames of FRAME_ROWS rows (memory); their concatenation must be
    # the table one frame would have been: same rows in order, same dtypes, categories included.
    import pandas as pd

    import validation.run as validation_run

    store = RunStore(sample_workdir)
    whole = validation_run.curated_frame(store)
    assert len(whole) > 7 and whole["country"].dtype == "category"
    monkeypatch.setattr(validation_run, "FRAME_ROWS", 3)
    pd.testing.assert_frame_equal(validation_run.curated_frame(store), whole)
