"""The record of a validation run, and the fingerprint of the curated data it checked.

`rswk validate` writes `WORKDIR/validate/pass.json`; the release reads it and refuses to publish
unless it says `success` and its `curated` hashes equal the curated shards in the run store now
(so a change to the data after validation invalidates the pass).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from rswk.core.runstore import RunStore

PASS_FILE = "validate/pass.json"
CURATED_SHARDS = "curate/shards"


class ValidationPass(BaseModel):
    """What `rswk validate` decided, about which curated shards (shard id -> sha256)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    success: bool
    suite_version: str
    curated: dict[str, str]
    blocking_failed: list[str] = []
    warnings: list[str] = []
    results_path: str = "validate/results.json"
    data_docs_path: str = "validate/data_docs/index.html"


def _store(run: RunStore | Path | str) -> RunStore:
    return run if isinstance(run, RunStore) else RunStore(run)


def curated_fingerprint(run: RunStore | Path | str) -> dict[str, str]:
    """sha256 of every curated shard in the run store, by shard id (file stem), sorted."""
    files = _store(run).files
    return {
        name.removesuffix(".parquet"): hashlib.sha256(
            files.read(f"{CURATED_SHARDS}/{name}")
        ).hexdigest()
        for name in files.names(CURATED_SHARDS)
        if name.endswith(".parquet")
    }


def read_validation_pass(run: RunStore | Path | str) -> ValidationPass | None:
    """The recorded validation of the run, or None when `rswk validate` never ran there."""
    try:
        data = _store(run).files.read(PASS_FILE)
    except FileNotFoundError:
        return None
    return ValidationPass.model_validate(json.loads(data))


def validation_is_current(run: RunStore | Path | str) -> tuple[bool, str]:
    """Whether the run's curated data passed validation as it is now, and if not, why."""
    recorded = read_validation_pass(run)
    if recorded is None:
        return False, "no validation has run: run `rswk validate` first"
    if not recorded.success:
        failed = ", ".join(recorded.blocking_failed) or "see validate/results.json"
        return False, f"validation failed ({failed})"
    if recorded.curated != curated_fingerprint(run):
        return False, "curated shards changed since validation: run `rswk validate` again"
    return True, "validation passed on the curated shards as they are"
