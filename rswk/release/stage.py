"""The `release` stage: the last step of `rswk run`, building the next release of the run.

A release is one folder for the whole run, not one file per country, so the stage builds it
once in `process_many` over every curated shard and then records, per country shard, which
landmarks went into which version. A run whose data did not change since the newest release
builds nothing new (its shards point at that release).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel

from rswk.core.config import ProjectConfig, resolve_releases_dir
from rswk.core.countries import CountryRegistry
from rswk.core.executor import LocalExecutor
from rswk.core.records.base import KeyedRecord
from rswk.core.records.landmark import Split
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage

logger = logging.getLogger(__name__)


class ReleasedLandmark(KeyedRecord):
    """One landmark of a release: which version published it, in which split."""

    version: str
    split: Split


class ReleaseStage(Stage):
    """Builds `releases/rswk-<next version>/` from the validated curated shards."""

    name: ClassVar[str] = "release"
    record_model: ClassVar[type[BaseModel]] = ReleasedLandmark
    # Lineage declarations (read by the lineage-aware stage runner): what shapes the output.
    version: ClassVar[str] = "1"
    config_keys: ClassVar[tuple[str, ...]] = ("release",)

    def __init__(
        self, config: ProjectConfig, registry: CountryRegistry, store: RunStore, **_: Any
    ) -> None:
        self.config = config
        self.store = store
        self.releases = resolve_releases_dir(config.release.releases_dir)

    def process(self, shard_id: str) -> ShardResult:
        """One shard alone cannot make a release; the stage works through `process_many`."""
        raise NotImplementedError("the release stage builds all shards at once")

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        from rswk.release.assemble import build_release, read_curated, release_workdir
        from rswk.release.versions import previous_release

        result = build_release(
            release_workdir(self.config),
            self.releases,
            repo_id=self.config.release.repo_id,
            skip_unchanged=True,
        )
        logger.info("release: %s", result.message)
        version = result.version
        if version is None:
            newest = previous_release(self.releases)
            version = newest.version if newest else "unreleased"
        by_country: dict[str, list[ReleasedLandmark]] = {}
        for lm in read_curated(self.store):
            record = ReleasedLandmark(
                qid=lm.qid, country=lm.country, version=version, split=lm.split
            )
            by_country.setdefault(lm.country, []).append(record)
        for shard_id in shard_ids:
            records = by_country.get(shard_id.split("-")[0], [])
            # Only what the release holds: whether this run built it or found it unchanged is
            # in the log, so a forced rerun rewrites the same bytes.
            stats = {"version": version}
            yield shard_id, ShardResult(records, [], stats)
