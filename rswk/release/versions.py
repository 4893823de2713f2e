"""Release versions: parse, find the previous release, propose the next one.

Semantic versioning for data: a schema change (the published features differ) forces a major
bump, landmarks added or removed a minor one, corrections to existing landmarks a patch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rswk.core.errors import RSWKError
from rswk.release.changelog import Changes

VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
RELEASE_DIR = re.compile(r"^rswk-(\d+\.\d+\.\d+)$")
FIRST_VERSION = "1.0.0"


def parse_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch) of `X.Y.Z`; anything else is an error naming the value."""
    match = VERSION.match(text)
    if not match:
        raise RSWKError(f"--version {text!r}: use MAJOR.MINOR.PATCH, e.g. 1.2.0")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def release_path(releases: Path, version: str) -> Path:
    """Where release `version` lives under `releases`."""
    return releases / f"rswk-{version}"


@dataclass(frozen=True)
class PreviousRelease:
    """The newest complete release in a releases folder, and its features hash."""

    version: str
    path: Path
    features_sha256: str


def previous_release(releases: Path) -> PreviousRelease | None:
    """The newest complete release (a folder with a manifest) under `releases`, if any."""
    if not releases.exists():
        return None
    found = []
    for child in releases.iterdir():
        match = RELEASE_DIR.match(child.name)
        if match and child.is_dir() and (child / "manifest.json").exists():
            found.append((parse_version(match.group(1)), child))
    if not found:
        return None
    _, path = max(found)
    manifest = json.loads((path / "manifest.json").read_text())
    return PreviousRelease(
        version=str(manifest["release_version"]),
        path=path,
        features_sha256=str(manifest["features_sha256"]),
    )


def bump_kind(previous: PreviousRelease | None, features_sha256: str, changes: Changes) -> str:
    """ "major", "minor", "patch" or "none" for the change from `previous`."""
    if previous is None:
        return "major"
    if previous.features_sha256 != features_sha256:
        return "major"
    if changes.added or changes.removed:
        return "minor"
    return "patch" if changes.changed else "none"


def propose_version(previous: PreviousRelease | None, kind: str) -> str:
    """The next version after `previous` for a change of `kind` (1.0.0 for the first release)."""
    if previous is None:
        return FIRST_VERSION
    major, minor, patch = parse_version(previous.version)
    if kind == "major":
        return f"{major + 1}.0.0"
    if kind == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
