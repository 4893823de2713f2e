"""`rswk export`: the paper's JSON layout and ms-swift JSONL, from a built release.

The rswk-v1 export is checked against the sample world here and read back through
`rswk import rswk-v1` in test_rswk_v1_round_trip.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from rswk.cli import main
from rswk.core import rswk_v1
from rswk.core.records.landmark import SPLITS
from rswk.release.assemble import ReleaseResult


@pytest.fixture(scope="module")
def release(sample_release: ReleaseResult) -> Path:
    assert sample_release.path is not None
    return sample_release.path


def test_rswk_v1_has_the_papers_layout_and_the_images(release: Path, tmp_path: Path) -> None:
    out = tmp_path / "v1"
    assert main(["export", "--format", "rswk-v1", str(release), str(out)]) == 0
    records = json.loads((out / "rswk_v1.json").read_text())
    manifest = json.loads((release / "manifest.json").read_text())
    assert len(records) == manifest["landmarks"]
    assert all(tuple(r) == rswk_v1.TOP_KEYS for r in records)
    eiffel = next(r for r in records if r["ID"] == "Q243")
    world = eiffel["world knowledge"]
    assert world["Category"] == "Tower"
    assert world["Area"] == "Paris, Île-de-France, France"
    assert world["Location"] == "48.858260, 2.294500"
    assert world["Construction_Period"] == "1887–1889"
    assert world["Major_Events"] and all("Year" in e for e in world["Major_Events"])
    expert = eiffel["remote sensing expert knowledge"]
    assert isinstance(expert["elevation (m)"], float)
    assert expert["surface_pressure (Pa)"] > 90_000  # the paper's unit; RSWK keeps hPa
    assert len(expert["Monthly_Indices"]) >= 1
    image = out / "images" / eiffel["image_name"]
    rows = [
        r
        for p in sorted((release / "data" / "landmarks").glob("*.parquet"))
        for r in pq.read_table(p, columns=["qid", "image_info"]).to_pylist()
    ]
    expected = next(r["image_info"]["sha256"] for r in rows if r["qid"] == "Q243")
    assert hashlib.sha256(image.read_bytes()).hexdigest() == expected


def test_ms_swift_lines_are_fine_tuning_ready(release: Path, tmp_path: Path) -> None:
    out = tmp_path / "swift"
    assert main(["export", "--format", "ms-swift", str(release), str(out)]) == 0
    manifest = json.loads((release / "manifest.json").read_text())
    for split in SPLITS:
        lines = (out / "classification" / f"{split}.jsonl").read_text().splitlines()
        assert len(lines) == manifest["configs"]["classification"][split]
    vqa = [json.loads(line) for line in (out / "vqa" / "train.jsonl").read_text().splitlines()]
    for line in vqa:
        user, assistant = line["messages"]
        assert user["role"] == "user" and user["content"].startswith("<image>")
        assert assistant["role"] == "assistant" and assistant["content"]
        assert (out / line["images"][0]).exists()
    eiffel_country = next(
        line
        for line in vqa
        if line["images"] == ["images/Q243.jpg"]
        and line["messages"][0]["content"] == "<image>In which country is this landmark located?"
    )
    assert eiffel_country["messages"][1]["content"] == "France"
    assert eiffel_country["task"] == "vqa:world_knowledge"
    caption = json.loads((out / "captioning" / "train.jsonl").read_text().splitlines()[0])
    assert caption["task"] == "captioning"


def test_export_refuses_a_release_that_does_not_verify(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / "CHANGELOG.md").write_text("edited")
    assert main(["export", "--format", "rswk-v1", str(copy), str(tmp_path / "o")]) == 2
    assert "does not verify (changed: CHANGELOG.md" in capsys.readouterr().err
    assert main(["export", "--format", "csv", str(release), str(tmp_path / "o")]) == 2
