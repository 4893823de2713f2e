"""Build a release folder from a validated run store, crash-safely.

Everything is written into `releases/rswk-<version>.incomplete/` and renamed to
`releases/rswk-<version>/` only once the manifest (written last) is in place, so a kill leaves
an `.incomplete` folder that nothing mistakes for a release and the next build replaces.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rswk.core.config import RESOLVED_CONFIG, ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.base import SCHEMA_VERSION
from rswk.core.records.chunk import Chunk
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore, atomic_write_bytes
from rswk.core.validation_pass import read_validation_pass, validation_is_current
from rswk.release import changelog, manifest, versions
from rswk.release.card import CardInputs, collect_sources, render_card
from rswk.release.landmark_rows import chunk_features, chunk_row, landmark_features, landmark_row
from rswk.release.parquet_writer import WrittenSplit, write_config
from rswk.release.report import write_report
from rswk.release.task_views import VIEW_NAMES, view_features, view_row

logger = logging.getLogger(__name__)
CONFIGS = ("landmarks", *VIEW_NAMES, "chunks")


class ReleaseRefused(RSWKError):
    """The run store or the releases folder does not allow this release."""


# What a release reads from the run store.
RELEASE_INPUTS = ("curate", "validate", "index")


def release_workdir(config: ProjectConfig) -> Path:
    """The run store as a local folder for the release: the workdir itself, or, when the run
    store is a URL, a fresh copy of what the release reads in the run's local directory."""
    store = RunStore(config.run_store_location)
    if not store.is_remote:
        return config.workdir
    local = config.workdir / "release-input"
    for rel in RELEASE_INPUTS:
        store.download_folder(rel, local / rel)
    try:
        atomic_write_bytes(local / RESOLVED_CONFIG, store.files.read(RESOLVED_CONFIG))
    except FileNotFoundError:
        (local / RESOLVED_CONFIG).unlink(missing_ok=True)
    return local


@dataclass(frozen=True)
class ReleaseResult:
    """A built release, or (path None) why none was built."""

    version: str | None
    path: Path | None
    bump: str
    changes: changelog.Changes
    message: str


def read_curated(store: RunStore) -> list[CuratedLandmark]:
    """Every curated row in the run store, in QID order."""
    stage = store.stage("curate")
    rows = [r for shard in stage.done_shards() for r in stage.read_shard(shard, CuratedLandmark)]
    return sorted(rows, key=lambda lm: int(lm.qid[1:]))


def read_chunks(store: RunStore) -> list[Chunk]:
    """Every knowledge chunk the index stage wrote, in (QID, kind, number) order."""
    stage = store.stage("index")
    rows = [r for shard in stage.done_shards() for r in stage.read_shard(shard, Chunk)]
    return sorted(rows, key=lambda c: (int(c.qid[1:]), c.kind, c.number))


def all_features() -> dict[str, Any]:
    """The features of every config, in config order."""
    features = {"landmarks": landmark_features()}
    features.update({view: view_features(view) for view in VIEW_NAMES})
    features["chunks"] = chunk_features()
    return features


def features_sha256(features: dict[str, Any]) -> str:
    """A hash of the published schema: a change here is a major version."""
    plain = {name: f.to_dict() for name, f in features.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


def check_gate(workdir: Path) -> None:
    """Refuse a run whose validation did not pass on the curated shards as they are now."""
    current, why = validation_is_current(workdir)
    if not current:
        raise ReleaseRefused(f"{workdir}: cannot release: {why}")
    for needed, what in (("curate/shards", "curate"), ("index/files", "index")):
        if not (workdir / needed).is_dir():
            raise ReleaseRefused(f"{workdir}: no {needed}/ (run `rswk {what}` first)")


def _new_states(rows: Sequence[dict[str, Any]]) -> dict[str, changelog.LandmarkState]:
    """Group digests of the landmark rows as they will be published (read back through Arrow)."""
    import pyarrow as pa

    features = landmark_features()
    columns = ["qid", *changelog.DIGEST_COLUMNS]
    subset = {c: features[c] for c in columns}
    table = pa.Table.from_pylist(
        [{c: row[c] for c in columns} for row in rows],
        schema=_arrow_schema(subset),
    )
    return changelog.states_from_rows(table.to_pylist())


def _arrow_schema(features: dict[str, Any]) -> Any:
    from datasets import Features

    return Features(features).arrow_schema


def _source_dates(landmarks: Sequence[CuratedLandmark]) -> dict[str, dict[str, str]]:
    """First and last retrieval time per source, from the records' provenance."""
    spans: dict[str, list[datetime]] = {}

    def note(source: str, when: datetime | None) -> None:
        if when is not None:
            spans.setdefault(source, []).append(when)

    for lm in landmarks:
        note("wikidata", lm.location.provenance.retrieved_at)
        for prov in lm.location.article_provenance:
            note("wikipedia", prov.retrieved_at)
        if lm.image is not None:
            note(f"imagery:{lm.image.provider}", lm.image.provenance.retrieved_at)
        a = lm.attributes
        if a is not None:
            groups = (
                a.sentinel2_provenance,
                a.elevation_provenance,
                a.land_cover_provenance,
                a.lst_provenance,
                a.climate_provenance,
            )
            for measured in groups:
                if measured is not None:
                    note(measured.collection, measured.retrieved_at)
    return {
        source: {"first": min(times).isoformat(), "last": max(times).isoformat()}
        for source, times in sorted(spans.items())
    }


def _copy_validation(workdir: Path, target: Path) -> None:
    source = workdir / "validate"
    target.mkdir(parents=True)
    for name in ("pass.json", "results.json"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    if (source / "data_docs").is_dir():
        shutil.copytree(source / "data_docs", target / "data_docs")


def _write_split_ledger(workdir: Path, root: Path, landmarks: Sequence[CuratedLandmark]) -> None:
    """splits.parquet (cell -> split): what the next run's curation honours (curation/ledger.py).

    Curation's own ledger where it wrote one (it also holds cells whose landmarks left), else
    one built from the released rows.
    """
    from curation.ledger import LEDGER_FILE, write_ledger

    curated = workdir / "curate" / LEDGER_FILE
    if curated.exists():
        shutil.copy2(curated, root / LEDGER_FILE)
    else:
        write_ledger(root / LEDGER_FILE, {lm.grid_cell: lm.split for lm in landmarks})


def _write_data(
    root: Path,
    landmarks: Sequence[CuratedLandmark],
    landmark_rows: Sequence[dict[str, Any]],
    chunks: Sequence[Chunk],
) -> tuple[list[WrittenSplit], dict[str, Any]]:
    features = all_features()
    written: list[WrittenSplit] = []
    by_split: dict[str, list[CuratedLandmark]] = {}
    rows_by_split: dict[str, list[dict[str, Any]]] = {}
    for lm, row in zip(landmarks, landmark_rows, strict=True):
        by_split.setdefault(lm.split, []).append(lm)
        rows_by_split.setdefault(lm.split, []).append(row)
    written += write_config(
        root, "landmarks", rows_by_split, features["landmarks"], rows_per_file=1000
    )
    for view in VIEW_NAMES:
        view_rows = {
            s: [r for lm in rows if (r := view_row(view, lm)) is not None]
            for s, rows in by_split.items()
        }
        written += write_config(root, view, view_rows, features[view], rows_per_file=1000)
    split_of = {lm.qid: lm.split for lm in landmarks}
    chunk_rows: dict[str, list[dict[str, Any]]] = {}
    for chunk in chunks:
        if chunk.qid in split_of:
            chunk_rows.setdefault(split_of[chunk.qid], []).append(chunk_row(chunk))
    written += write_config(root, "chunks", chunk_rows, features["chunks"], rows_per_file=20_000)
    return written, features


def build_release(
    workdir: Path,
    releases: Path,
    *,
    version: str | None = None,
    repo_id: str | None = None,
    skip_unchanged: bool = False,
) -> ReleaseResult:
    """Build the next release of the run in `workdir` under `releases`.

    Refuses an unvalidated or changed run and an existing version. Without `version` it
    proposes one from the changes against the newest release there. With `skip_unchanged`
    (what `rswk run` uses) a run identical to the newest release builds nothing.
    """
    check_gate(workdir)
    store = RunStore(workdir)
    landmarks = read_curated(store)
    if not landmarks:
        raise ReleaseRefused(f"{workdir}: no curated landmarks to release (run `rswk curate`)")
    chunks = read_chunks(store)
    features_hash = features_sha256(all_features())
    previous = versions.previous_release(releases)
    old_states = changelog.states_of_release(previous.path) if previous else {}
    rows = [landmark_row(lm) for lm in landmarks]
    new_states = _new_states(rows)
    changes = changelog.compare(old_states, new_states)
    bump = versions.bump_kind(previous, features_hash, changes)
    if bump == "none" and version is None:
        assert previous is not None
        message = f"nothing changed since rswk {previous.version}; no release built"
        if skip_unchanged:
            return ReleaseResult(None, None, bump, changes, message)
        raise ReleaseRefused(f"{message} (pass --version to build one anyway)")
    if version is None:
        version = versions.propose_version(previous, bump)
    versions.parse_version(version)
    final = versions.release_path(releases, version)
    if final.exists():
        raise ReleaseRefused(
            f"{final} already exists: releases are immutable, pick another --version"
        )
    staging = final.with_name(final.name + ".incomplete")
    if staging.exists():
        logger.info("removing %s left by an interrupted build", staging)
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    states = (old_states, new_states)
    _assemble(
        staging, workdir, landmarks, rows, chunks, version, previous, changes, states, repo_id
    )
    manifest.write_manifest(
        staging,
        _manifest_header(workdir, version, previous, features_hash, landmarks, staging),
    )
    staging.rename(final)
    message = f"built {final} ({bump} bump" + (f" from {previous.version})" if previous else ")")
    return ReleaseResult(version, final, bump, changes, message)


def _assemble(
    root: Path,
    workdir: Path,
    landmarks: Sequence[CuratedLandmark],
    rows: Sequence[dict[str, Any]],
    chunks: Sequence[Chunk],
    version: str,
    previous: versions.PreviousRelease | None,
    changes: changelog.Changes,
    states: tuple[dict[str, changelog.LandmarkState], dict[str, changelog.LandmarkState]],
    repo_id: str | None,
) -> None:
    written, features = _write_data(root, landmarks, rows, chunks)
    _write_split_ledger(workdir, root, landmarks)
    shutil.copytree(workdir / "index" / "files", root / "index")
    _copy_validation(workdir, root / "validation")
    write_report(landmarks, root / "report", version)
    (root / "report" / "changes.json").write_text(
        json.dumps(changes.as_json(), indent=2, sort_keys=True) + "\n"
    )
    old_states, new_states = states
    (root / "CHANGELOG.md").write_text(
        changelog.render_changelog(
            version, previous.version if previous else None, changes, old_states, new_states
        )
    )
    inputs = CardInputs(
        version=version,
        landmarks=landmarks,
        written=written,
        features=features,
        sources=collect_sources(landmarks),
        repo_id=repo_id,
        previous=previous.version if previous else None,
    )
    (root / "README.md").write_text(render_card(inputs))


def _manifest_header(
    workdir: Path,
    version: str,
    previous: versions.PreviousRelease | None,
    features_hash: str,
    landmarks: Sequence[CuratedLandmark],
    root: Path,
) -> dict[str, Any]:
    configs: dict[str, dict[str, int]] = {}
    for path in sorted((root / "data").glob("*/*.parquet")):
        split = path.name.split("-")[0]
        rows = manifest.parquet_rows(path)
        configs.setdefault(path.parent.name, {}).setdefault(split, 0)
        configs[path.parent.name][split] += rows
    recorded = read_validation_pass(workdir)
    return {
        "schema_version": SCHEMA_VERSION,
        "release_version": version,
        "previous_version": previous.version if previous else None,
        "features_sha256": features_hash,
        "config_sha256": manifest.config_sha256(workdir),
        "code": manifest.code_version(),
        "source_snapshots": _source_dates(landmarks),
        "validation": {
            "success": recorded.success if recorded else None,
            "suite_version": recorded.suite_version if recorded else None,
        },
        "landmarks": len(landmarks),
        "configs": configs,
    }
