"""The locate stage: coordinates checked against borders, articles resolved, for each landmark."""

from __future__ import annotations

from collections.abc import Sequence

from crawlers.locate.job import LocateJob
from crawlers.scrapy_stage import ScrapyStage
from rswk.core.borders import CountryBorders
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark, LocatedLandmark
from rswk.core.runstore import RunStore


class LocateStage(ScrapyStage):
    """Reads the `discover` shards; records are `LocatedLandmark`, in discovery rank order."""

    name = "locate"
    record_model = LocatedLandmark
    upstream = "discover"

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.borders: CountryBorders | None = None

    def setup(self) -> None:
        """Load the country borders (seconds the first time, then cached on disk)."""
        if self.borders is None:
            self.borders = CountryBorders.load()

    def make_job(self, shard_ids: Sequence[str]) -> LocateJob:
        self.setup()
        assert self.borders is not None
        upstream = self.store.stage(self.upstream)
        discovered = {s: upstream.read_shard(s, DiscoveredLandmark) for s in shard_ids}
        countries = {s: self.registry.get(s) for s in shard_ids}
        return LocateJob(self.config, countries, discovered, self.borders)
