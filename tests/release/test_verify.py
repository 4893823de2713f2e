"""The manifest verifies, and a tampered, deleted or added file is caught by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.release.manifest import sha256_file, verify_release


def test_release_verifies_and_manifest_describes_it(release_copy: Path) -> None:
    assert verify_release(release_copy) == []
    manifest = json.loads((release_copy / "manifest.json").read_text())
    assert manifest["release_version"] == "1.0.0"
    entry = manifest["files"]["README.md"]
    assert entry["sha256"] == sha256_file(release_copy / "README.md")
    assert entry["size"] == (release_copy / "README.md").stat().st_size
    parquet = sorted((release_copy / "data" / "landmarks").glob("train-*.parquet"))[0]
    assert manifest["files"][parquet.relative_to(release_copy).as_posix()]["rows"] > 0
    assert {"wikipedia", "wikidata", "sentinel-2-l2a"} <= set(manifest["source_snapshots"])
    assert manifest["code"]["rswk"] and manifest["schema_version"]
    configs = manifest["configs"]
    assert configs["landmarks"]["train"] == configs["classification"]["train"]


def test_tampered_deleted_and_added_files_are_named(
    release_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parquet = sorted((release_copy / "data" / "vqa").glob("test-*.parquet"))[0]
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 0xFF
    parquet.write_bytes(bytes(data))
    (release_copy / "report" / "sample_grid.png").unlink()
    (release_copy / "data" / "landmarks" / "extra.parquet").write_bytes(b"x")

    problems = verify_release(release_copy)
    vqa = parquet.relative_to(release_copy).as_posix()
    assert f"changed: {vqa} (sha256 differs)" in problems
    assert "missing: report/sample_grid.png" in problems
    assert "extra: data/landmarks/extra.parquet (not in the manifest)" in problems
    assert len(problems) == 3

    assert main(["verify", str(release_copy)]) == 1
    err = capsys.readouterr().err
    assert vqa in err and "sample_grid.png" in err and "extra.parquet" in err


def test_index_header_must_match_index_json(release_copy: Path) -> None:
    meta_path = release_copy / "index" / "index.json"
    meta = json.loads(meta_path.read_text())
    meta["indexes"]["image"]["count"] += 1
    meta_path.write_text(json.dumps(meta))
    problems = verify_release(release_copy)
    assert problems[0].startswith("changed: index/index.json")
    assert any(p.startswith("index: image.usearch holds") for p in problems)


def test_verify_of_a_folder_without_manifest_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(tmp_path)]) == 2
    assert "manifest.json: missing" in capsys.readouterr().err
