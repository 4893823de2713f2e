"""What changed between two releases, by QID and field group, and the version bump it implies.

Rows are compared as published (the `landmarks` config read back with pyarrow), group by group,
with retrieval and rejection times left out: a re-crawl that found the same facts is no change.
The image is compared by its `image_info` (which holds the sha256), not by its bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "names": ("name", "language"),
    "class": ("rswk_class", "fine_class", "fine_class_qid"),
    "location": ("country", "continent", "lat", "lon", "grid_cell", "location"),
    "split": ("split",),
    "knowledge": ("knowledge",),
    "image": ("image_info",),
    "attributes": ("attributes",),
    "curation": ("merged_qids", "flags", "rejections"),
}
VOLATILE_KEYS = frozenset({"retrieved_at", "rejected_at"})
DIGEST_COLUMNS = tuple(column for columns in FIELD_GROUPS.values() for column in columns)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def group_digests(row: Mapping[str, Any]) -> dict[str, str]:
    """sha256 of each field group of one published landmark row."""
    digests = {}
    for group, columns in FIELD_GROUPS.items():
        payload = {c: _strip(row.get(c)) for c in columns}
        text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        digests[group] = hashlib.sha256(text.encode()).hexdigest()
    return digests


@dataclass(frozen=True)
class LandmarkState:
    """What a release says about one landmark: its name, country and group digests."""

    name: str
    country: str
    digests: dict[str, str]


def states_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, LandmarkState]:
    """QID -> state, from landmark rows as pyarrow hands them back."""
    return {
        str(row["qid"]): LandmarkState(str(row["name"]), str(row["country"]), group_digests(row))
        for row in rows
    }


def states_of_release(release: Path) -> dict[str, LandmarkState]:
    """The landmark states published in a built release folder."""
    files = sorted((release / "data" / "landmarks").glob("*.parquet"))
    rows: list[dict[str, Any]] = []
    for path in files:
        table = pq.read_table(path)
        present = [c for c in ("qid", *DIGEST_COLUMNS) if c in table.column_names]
        rows.extend(table.select(present).to_pylist())
    return states_from_rows(rows)


@dataclass
class Changes:
    """Landmarks added, removed and changed (QID -> changed field groups)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


def _qid_order(qid: str) -> int:
    return int(qid[1:])


def compare(old: Mapping[str, LandmarkState], new: Mapping[str, LandmarkState]) -> Changes:
    """The changes from `old` to `new`, QIDs in numeric order."""
    changes = Changes(
        added=sorted(set(new) - set(old), key=_qid_order),
        removed=sorted(set(old) - set(new), key=_qid_order),
    )
    for qid in sorted(set(old) & set(new), key=_qid_order):
        groups = [g for g in FIELD_GROUPS if old[qid].digests.get(g) != new[qid].digests.get(g)]
        if groups:
            changes.changed[qid] = groups
    return changes


def render_changelog(
    version: str,
    previous: str | None,
    changes: Changes,
    old: Mapping[str, LandmarkState],
    new: Mapping[str, LandmarkState],
) -> str:
    """CHANGELOG.md: one table each for added, removed and changed landmarks."""
    against = f"against rswk {previous}" if previous else "(first release: every landmark added)"
    lines = [
        f"# Changelog — rswk {version}",
        "",
        f"Changes {against}: {len(changes.added)} added, {len(changes.removed)} removed, "
        f"{len(changes.changed)} changed.",
        "",
    ]

    def table(title: str, qids: list[str], states: Mapping[str, LandmarkState]) -> None:
        lines.extend([f"## {title} ({len(qids)})", ""])
        if not qids:
            lines.extend(["None.", ""])
            return
        lines.extend(["| QID | name | country |", "| --- | --- | --- |"])
        lines.extend(f"| {q} | {states[q].name} | {states[q].country} |" for q in qids)
        lines.append("")

    table("Added", changes.added, new)
    table("Removed", changes.removed, old)
    lines.extend([f"## Changed ({len(changes.changed)})", ""])
    if changes.changed:
        lines.extend(["| QID | name | field groups |", "| --- | --- | --- |"])
        lines.extend(
            f"| {q} | {new[q].name} | {', '.join(groups)} |"
            for q, groups in changes.changed.items()
        )
    else:
        lines.append("None.")
    lines.append("")
    return "\n".join(lines)
