"""manifest.json: what a release is (versions, config, code, sources) and every file's checksum.

`verify_release` re-reads a release folder against its manifest: every file's sha256, size and
(for Parquet) row count, the per-split row totals, no file missing and none extra, and the
index files' own headers against `index/index.json`.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from rswk import __version__
from rswk.core.errors import RSWKError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "rswk-release-manifest/1"


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parquet_rows(path: Path) -> int:
    """Row count from a Parquet footer (no data read)."""
    return int(pq.ParquetFile(path).metadata.num_rows)


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """relative path -> {sha256, size[, rows]} for every file under `root` but the manifest."""
    entries = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative == MANIFEST:
            continue
        entry: dict[str, Any] = {"sha256": sha256_file(path), "size": path.stat().st_size}
        if path.suffix == ".parquet":
            entry["rows"] = parquet_rows(path)
        entries[relative] = entry
    return entries


def code_version() -> dict[str, Any]:
    """The rswk version and, when the code runs from a git checkout, its commit."""
    here = Path(__file__).resolve().parent
    version: dict[str, Any] = {"rswk": __version__, "git_commit": None, "git_dirty": None}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if commit.returncode == 0:
            version["git_commit"] = commit.stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=here,
                capture_output=True,
                text=True,
                timeout=10,
            )
            version["git_dirty"] = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass  # no git: the package version alone identifies the code
    return version


def config_sha256(workdir: Path) -> str | None:
    """sha256 of the run's resolved config (`config.resolved.json`), without its paths."""
    path = workdir / "config.resolved.json"
    if not path.exists():
        return None
    config = json.loads(path.read_text())
    for key in ("workdir", "cache_dir", "store_url"):
        config.pop(key, None)
    text = json.dumps(config, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def write_manifest(root: Path, header: Mapping[str, Any]) -> dict[str, Any]:
    """Write `manifest.json` (the header plus every file's entry) last; returns it."""
    manifest = {"format": MANIFEST_FORMAT, **header, "files": file_entries(root)}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (root / MANIFEST).write_text(text)
    return manifest


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of release folder `root`; a missing or unreadable one is a user error."""
    path = root / MANIFEST
    if not root.is_dir():
        raise RSWKError(f"{root}: no such release folder")
    if not path.exists():
        raise RSWKError(f"{path}: missing; not a complete release (was it built by rswk release?)")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise RSWKError(f"{path}: not valid JSON ({exc})") from None
    return manifest


def _check_files(root: Path, files: Mapping[str, Mapping[str, Any]]) -> list[str]:
    problems = []
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {MANIFEST}
    for relative in sorted(set(files) - on_disk):
        problems.append(f"missing: {relative}")
    for relative in sorted(on_disk - set(files)):
        problems.append(f"extra: {relative} (not in the manifest)")
    for relative in sorted(set(files) & on_disk):
        expected, path = files[relative], root / relative
        if path.stat().st_size != expected["size"]:
            problems.append(
                f"changed: {relative} (size {path.stat().st_size} != {expected['size']})"
            )
        elif sha256_file(path) != expected["sha256"]:
            problems.append(f"changed: {relative} (sha256 differs)")
        elif "rows" in expected and parquet_rows(path) != expected["rows"]:
            problems.append(f"changed: {relative} (rows differ)")
    return problems


def _check_splits(manifest: Mapping[str, Any]) -> list[str]:
    problems = []
    files = manifest.get("files", {})
    for config, splits in manifest.get("configs", {}).items():
        for split, rows in splits.items():
            prefix = f"data/{config}/{split}-"
            found = sum(e.get("rows", 0) for p, e in files.items() if p.startswith(prefix))
            if found != rows:
                problems.append(f"rows: {config}/{split} has {found} rows, manifest says {rows}")
    return problems


def _check_index(root: Path) -> list[str]:
    """The index files against `index.json`: each file's sha256, each USearch header's vector
    count and dimensions against the index's own entry."""
    meta_path = root / "index" / "index.json"
    if not meta_path.exists():
        return []
    from usearch.index import Index

    problems = []
    meta = json.loads(meta_path.read_text())
    for file_name, digest in sorted(meta.get("sha256", {}).items()):
        path = root / "index" / file_name
        if not path.exists():
            problems.append(f"index: index.json names {file_name}, which is missing")
        elif sha256_file(path) != digest:
            problems.append(f"index: {file_name} does not match its sha256 in index.json")
    for name, entry in sorted(meta.get("indexes", {}).items()):
        path = root / "index" / str(entry["file"])
        if not path.exists():
            problems.append(f"index: {name} names {path.name}, which is missing")
            continue
        header = Index.metadata(str(path))
        if header is None:
            problems.append(f"index: {path.name} is not a USearch index")
            continue
        if header["count_present"] != entry["count"]:
            problems.append(
                f"index: {path.name} holds {header['count_present']} vectors, "
                f"index.json says {entry['count']}"
            )
        if header["dimensions"] != entry["dim"]:
            problems.append(
                f"index: {path.name} has {header['dimensions']} dims, not {entry['dim']}"
            )
    return problems


def verify_release(root: Path) -> list[str]:
    """Every problem found in release folder `root` (an empty list: it verifies)."""
    manifest = read_manifest(root)
    return [*_check_files(root, manifest["files"]), *_check_splits(manifest), *_check_index(root)]
