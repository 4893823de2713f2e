"""Lineage: a fingerprint of everything that made a shard, and why a shard is stale.

A shard's inputs are its stage's code version and the record schema version, the resolved values
of the config keys the stage declares it reads, the content of its country file, the class table
version (for stages that read it), stage-specific inputs such as an effective quota, and, for
each upstream stage, that upstream shard's own fingerprint and content hash. Each input is kept
as a short digest under a readable name (`config:imagery.size_px`, `country`, `upstream:locate`),
so comparing the recorded inputs with today's says not only *that* a shard is stale but *why*.

Source URLs are deliberately not inputs: they say where a service is reached, not what it
answers (the sample world gets a new port on every start; the HTTP cache is keyed by source
name for the same reason).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rswk.core.errors import RSWKError
from rswk.core.records.base import SCHEMA_VERSION

if TYPE_CHECKING:
    from rswk.core.config import ProjectConfig
    from rswk.core.countries import CountryRegistry
    from rswk.core.runstore import RunStore

ABSENT = "absent"
OLDER_RSWK = "made by an older RSWK (its done-marker records no lineage)"
_DIGEST_CHARS = 16


def digest(value: Any) -> str:
    """A short, stable digest of a JSON-ready value (sorted keys, so dict order never counts)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST_CHARS]


@dataclass(frozen=True)
class Lineage:
    """The named inputs of one shard (each a version or a digest) and their fingerprint."""

    inputs: dict[str, str]

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.inputs, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "inputs": dict(sorted(self.inputs.items()))}


@dataclass(frozen=True)
class LineageSpec:
    """What a stage declares about its inputs (class variables of `Stage`)."""

    stage: str
    version: str
    config_keys: tuple[str, ...] = ()
    reads_class_table: bool = False


def config_values(config: ProjectConfig | None, keys: Sequence[str], stage: str) -> dict[str, Any]:
    """Leaf values under each declared key: `imagery` gives every `imagery.*` leaf."""
    if not keys:
        return {}
    if config is None:
        raise RSWKError(f"stage {stage!r} declares config keys {list(keys)} but has no config")
    dumped = config.model_dump(mode="json")
    leaves: dict[str, Any] = {}
    for key in keys:
        node: Any = dumped
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise RSWKError(
                    f"stage {stage!r} declares config key {key!r}, which the project config "
                    "does not have (fix the stage's config_keys)"
                )
            node = node[part]
        _flatten(key, node, leaves)
    return leaves


def _flatten(prefix: str, node: Any, into: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for name, value in node.items():
            _flatten(f"{prefix}.{name}", value, into)
    else:
        into[prefix] = node


def country_digest(registry: CountryRegistry | None, shard_id: str) -> str:
    """The digest of the shard's country file as the registry validated it (XX for XX-NNNN).

    The validated content, not the bytes: a reworded comment changes nothing a stage reads.
    """
    iso2 = shard_id.split("-")[0]
    if registry is None or iso2 not in registry:
        return ABSENT
    return digest(registry.get(iso2).model_dump(mode="json"))


def upstream_digest(store: RunStore, stage: str, shard_id: str) -> str:
    """What a downstream shard saw of an upstream one: its fingerprint and its content hashes.

    The content hashes (records and rejections: attributes reads imagery's rejection reasons)
    count because an upstream shard can be redone with the same inputs and come out different
    (its transient failures healed): its downstream must follow.

    The upstream shards are those holding this shard's landmarks: the shard of the same id, or,
    where one of the two stages split the country into sub-shards (rswk/core/subshards.py), the
    whole country's shard for a sub-shard and every sub-shard for a whole country.
    """
    upstream = store.stage(stage)
    if not upstream.is_done(shard_id):
        return ABSENT
    seen = [_marker_digest_input(m) for m in upstream.covering_markers(shard_id)]
    return digest(seen[0] if len(seen) == 1 else seen)


def _marker_digest_input(marker: Mapping[str, Any]) -> dict[str, Any]:
    fingerprint = (marker.get("lineage") or {}).get("fingerprint")
    hashes = {k: marker.get(k) for k in ("sha256", "rejected_sha256")}
    return {"fingerprint": fingerprint, **hashes}


def compute_lineage(
    spec: LineageSpec,
    *,
    config: ProjectConfig | None,
    registry: CountryRegistry | None,
    store: RunStore,
    shard_id: str,
    upstream: Sequence[str],
    extra: Mapping[str, Any],
) -> Lineage:
    """The lineage of `shard_id` of the stage `spec` describes, as things stand now."""
    from rswk.core.landmark_classes import CLASS_TABLE_VERSION

    inputs = {"code": spec.version, "schema": SCHEMA_VERSION}
    for key, value in config_values(config, spec.config_keys, spec.stage).items():
        inputs[f"config:{key}"] = digest(value)
    inputs["country"] = country_digest(registry, shard_id)
    if spec.reads_class_table:
        inputs["class_table"] = str(CLASS_TABLE_VERSION)
    for name, value in extra.items():
        inputs[f"input:{name}"] = digest(value)
    for name in upstream:
        inputs[f"upstream:{name}"] = upstream_digest(store, name, shard_id)
    return Lineage(inputs)


def recorded_lineage(marker: Mapping[str, Any]) -> Lineage | None:
    """The lineage a done-marker records, or None for a marker written before lineage existed."""
    recorded = marker.get("lineage")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("inputs"), dict):
        return None
    return Lineage({str(k): str(v) for k, v in recorded["inputs"].items()})


def stale_reasons(recorded: Lineage | None, current: Lineage) -> list[str]:
    """Why a shard made with `recorded` inputs is stale now (empty: it is current)."""
    if recorded is None:
        return [OLDER_RSWK]
    if recorded.fingerprint == current.fingerprint:
        return []
    old, new = recorded.inputs, current.inputs
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    reasons: list[str] = []
    config_keys = [k.removeprefix("config:") for k in changed if k.startswith("config:")]
    for key in changed:
        kind, _, name = key.partition(":")
        if kind == "code":
            reasons.append(f"stage code changed (version {old.get(key)} -> {new.get(key)})")
        elif kind == "schema":
            reasons.append(f"record schema changed ({old.get(key)} -> {new.get(key)})")
        elif kind == "country":
            reasons.append("country file changed")
        elif kind == "class_table":
            reasons.append(f"class table changed ({old.get(key)} -> {new.get(key)})")
        elif kind == "input":
            reasons.append(f"{name} changed")
        elif kind == "upstream":
            reasons.append(f"upstream {name} changed")
    if config_keys:
        reasons.append(f"config {describe_keys(config_keys)} changed")
    return reasons


def describe_keys(keys: Sequence[str]) -> str:
    """`imagery.size_px` for one key, `imagery.*` for several of one section."""
    sections = sorted({key.split(".")[0] for key in keys})
    if len(keys) == 1:
        return keys[0]
    return ", ".join(f"{section}.*" for section in sections)
