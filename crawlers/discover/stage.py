"""The discover stage: per country, the landmarks Wikidata knows, ranked by sitelinks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crawlers.discover.job import DiscoverJob
from crawlers.scrapy_stage import ScrapyStage
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark
from rswk.core.runstore import RunStore


class DiscoverStage(ScrapyStage):
    """Shards are ISO2 codes; records are `DiscoveredLandmark`, rank 1 = most sitelinks.

    `limit` caps every country's quota (the contributor's preview, `rswk crawl --limit`).
    """

    name = "discover"
    record_model = DiscoveredLandmark
    # The query asks for the table's classes (plus the country file's extra ones).
    reads_class_table = True

    def __init__(
        self,
        config: ProjectConfig,
        registry: CountryRegistry,
        store: RunStore,
        limit: int | None = None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.limit = limit

    def lineage_inputs(self, shard_id: str) -> dict[str, Any]:
        """The effective quota and reserve: a `--limit` or a new reserve changes what is listed."""
        iso2 = shard_id.split("-")[0]
        if iso2 not in self.registry:
            return {}  # the missing country file is in the lineage already
        quota = self.registry.get(iso2).quota
        if self.limit:
            return {"quota": min(quota, self.limit)}
        return {"quota": quota, "reserve_share": self.config.curation.quota_reserve_share}

    def make_job(self, shard_ids: Sequence[str]) -> DiscoverJob:
        return DiscoverJob(self.config, [self.registry.get(s) for s in shard_ids], self.limit)
