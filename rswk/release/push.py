"""Publish a release folder to a Hub dataset repo as one commit, tagged `v<version>`.

Retrying is safe: a tag that already exists means the release is published (nothing is sent);
otherwise the commit is created with `huggingface_hub`, whose preupload step compares each file
with what the repo already holds, so a retry after a commit that landed (but whose tag did not)
makes no second commit, and the tag then goes on the repo's head.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from rswk.core.errors import RSWKError
from rswk.release.manifest import read_manifest, verify_release

TOKEN_ENV = "HF_TOKEN"


class PushError(RSWKError):
    """The release could not be published; the local release is untouched."""


@dataclass(frozen=True)
class PushResult:
    """Where the release went: repo, tag, the commit the tag points at, and whether it was new."""

    repo_id: str
    tag: str
    commit: str
    created: bool


def push_release(
    release: Path, repo_id: str, *, endpoint: str | None = None, private: bool = False
) -> PushResult:
    """Upload `release` to dataset repo `repo_id` as one commit and tag it `v<version>`."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise PushError(
            f"cannot push {release.name}: no Hub token; set {TOKEN_ENV} to a write token for "
            f"{repo_id} (the local release is intact)"
        )
    problems = verify_release(release)
    if problems:
        raise PushError(f"{release}: does not verify ({problems[0]}); not pushing")
    version = str(read_manifest(release)["release_version"])
    tag = f"v{version}"

    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint, token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        existing = next((t for t in refs.tags if t.name == tag), None)
        if existing is not None:
            return PushResult(repo_id, tag, existing.target_commit, created=False)
        operations = [
            CommitOperationAdd(path_in_repo=p.relative_to(release).as_posix(), path_or_fileobj=p)
            for p in sorted(release.rglob("*"))
            if p.is_file()
        ]
        commit = api.create_commit(
            repo_id,
            operations,
            repo_type="dataset",
            commit_message=f"RSWK release {version}",
            commit_description=_description(release),
        )
        api.create_tag(
            repo_id,
            tag=tag,
            revision=commit.oid,
            repo_type="dataset",
            tag_message=f"RSWK release {version}",
        )
    except HfHubHTTPError as exc:
        raise PushError(
            f"push of {release.name} to {repo_id} failed: {exc}; the local release is intact, "
            "run the push again to resume"
        ) from None
    return PushResult(repo_id, tag, commit.oid, created=True)


def _description(release: Path) -> str:
    manifest = read_manifest(release)
    summary = {k: manifest.get(k) for k in ("landmarks", "configs", "code", "features_sha256")}
    return "manifest summary:\n" + json.dumps(summary, indent=2, sort_keys=True)
