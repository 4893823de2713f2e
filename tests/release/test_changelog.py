"""The changelog between two sample releases (one landmark added, one changed, one removed) is
exact, and the proposed version follows the change: minor for added/removed, patch for fixes,
major for a schema change."""

from __future__ import annotations

import json
from pathlib import Path

from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore
from rswk.release.assemble import build_release, read_curated
from tests.release.fixtures import write_curated, write_validation

ADDED, CHANGED, REMOVED = "Q2981", "Q243", "Q9141"


def _store_with(workdir: Path, rows: list[CuratedLandmark]) -> None:
    write_curated(RunStore(workdir), rows)
    write_validation(workdir)


def test_changelog_between_two_releases_is_exact(workdir: Path, tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    everything = read_curated(RunStore(workdir))
    _store_with(workdir, [lm for lm in everything if lm.qid != ADDED])
    first = build_release(workdir, releases)
    assert first.version == "1.0.0"

    second_rows = []
    for lm in everything:
        if lm.qid == REMOVED:
            continue
        if lm.qid == CHANGED:
            assert lm.knowledge is not None
            knowledge = lm.knowledge.model_copy(update={"height_m": 324.0})
            lm = lm.model_copy(update={"knowledge": knowledge, "split": "test"})
        second_rows.append(lm)
    _store_with(workdir, second_rows)
    second = build_release(workdir, releases)

    assert second.version == "1.1.0" and second.bump == "minor"
    assert second.path is not None
    changes = json.loads((second.path / "report" / "changes.json").read_text())
    assert changes == {
        "added": [ADDED],
        "removed": [REMOVED],
        "changed": {CHANGED: ["split", "knowledge"]},
    }
    text = (second.path / "CHANGELOG.md").read_text()
    assert "Changes against rswk 1.0.0: 1 added, 1 removed, 1 changed." in text
    # Each landmark is listed under the name its curated row carries.
    name = {lm.qid: lm.name for lm in everything}
    assert f"| {ADDED} | {name[ADDED]} | FR |" in text
    assert f"| {CHANGED} | {name[CHANGED]} | split, knowledge |" in text
    assert f"| {REMOVED} | {name[REMOVED]} | IN |" in text
    assert name[REMOVED] == "Taj Mahal"
    manifest = json.loads((second.path / "manifest.json").read_text())
    assert manifest["previous_version"] == "1.0.0"


def test_a_correction_is_a_patch_and_a_schema_change_a_major(workdir: Path, tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    rows = read_curated(RunStore(workdir))
    assert build_release(workdir, releases).version == "1.0.0"
    fixed = [
        lm.model_copy(update={"flags": ["disputed"]}) if lm.qid == CHANGED else lm for lm in rows
    ]
    _store_with(workdir, fixed)
    patch = build_release(workdir, releases)
    assert (patch.version, patch.changes.changed) == ("1.0.1", {CHANGED: ["curation"]})

    # The newest release was published with another schema: the next one is a major version.
    assert patch.path is not None
    manifest_path = patch.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["features_sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    _store_with(workdir, rows)
    assert build_release(workdir, releases).version == "2.0.0"


def test_first_release_lists_every_landmark_as_added(workdir: Path, tmp_path: Path) -> None:
    result = build_release(workdir, tmp_path / "releases")
    qids = [lm.qid for lm in read_curated(RunStore(workdir))]
    assert result.changes.added == qids and not result.changes.changed
    assert result.path is not None
    assert "(first release: every landmark added)" in (result.path / "CHANGELOG.md").read_text()
