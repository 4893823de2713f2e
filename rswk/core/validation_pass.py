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

PASS_FILE = Path("validate") / "pass.json"
CURATED_SHARDS = Path("curate") / "shards"


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


def curated_fingerprint(workdir: Path) -> dict[str, str]:
    """sha256 of every curated shard in `workdir`, by shard id (file stem), sorted."""
    folder = workdir / CURATED_SHARDS
    return {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.parquet"))
    }


def read_validation_pass(workdir: Path) -> ValidationPass | None:
    """The recorded validation of `workdir`, or None when `rswk validate` never ran there."""
    path = workdir / PASS_FILE
    if not path.exists():
        return None
    return ValidationPass.model_validate(json.loads(path.read_text()))


def validation_is_current(workdir: Path) -> tuple[bool, str]:
    """Whether the run's curated data passed validation as it is now, and if not, why."""
    recorded = read_validation_pass(workdir)
    if recorded is None:
        return False, "no validation has run: run `rswk validate` first"
    if not recorded.success:
        failed = ", ".join(recorded.blocking_failed) or "see validate/results.json"
        return False, f"validation failed ({failed})"
    if recorded.curated != curated_fingerprint(workdir):
        return False, "curated shards changed since validation: run `rswk validate` again"
    return True, "validation passed on the curated shards as they are"
