"""The locate stage: coordinates checked against borders, articles resolved, for each landmark."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from crawlers.locate.job import LocateJob
from crawlers.scrapy_stage import ScrapyStage
from rswk.core.borders import CountryBorders
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark, LocatedLandmark
from rswk.core.runstore import RunStore, StageStore


class ShardRecords(Mapping[str, list[DiscoveredLandmark]]):
    """Shard id -> its records, read from the stage store on each access (none held)."""

    def __init__(
        self, stage: StageStore, shard_ids: Sequence[str], model: type[DiscoveredLandmark]
    ) -> None:
        self.stage = stage
        self.shard_ids = list(shard_ids)
        self.model = model

    def __getitem__(self, shard_id: str) -> list[DiscoveredLandmark]:
        if shard_id not in self.shard_ids:
            raise KeyError(shard_id)
        return self.stage.read_shard(shard_id, self.model)

    def __iter__(self) -> Iterator[str]:
        return iter(self.shard_ids)

    def qids_and_titles(self, shard_id: str) -> list[tuple[str, dict[str, str]]]:
        """Each landmark's QID and titles (in the records' order), read as two columns: the
        crawl's requests need nothing else, and building every record of every shard before
        the first request took ~0.35 s at 1,000 landmarks."""
        if shard_id not in self.shard_ids:
            raise KeyError(shard_id)
        table = self.stage.read_columns(shard_id, ["qid", "titles"])
        qids = table.column("qid").to_pylist()
        titles = table.column("titles").to_pylist()
        return [(qid, dict(pairs or [])) for qid, pairs in zip(qids, titles, strict=True)]

    def __len__(self) -> int:
        return len(self.shard_ids)


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

    def load_borders(self) -> CountryBorders:
        """The country borders (seconds the first time, then cached on disk)."""
        if self.borders is None:
            self.borders = CountryBorders.load()
        return self.borders

    def make_job(self, shard_ids: Sequence[str]) -> LocateJob:
        discovered = ShardRecords(self.store.stage(self.upstream), shard_ids, DiscoveredLandmark)
        countries = {s: self.registry.get(s) for s in shard_ids}
        # The job loads the borders when it finishes its first shard, on this thread while the
        # crawl's thread sends requests: loaded before the crawl, they delayed the first request
        # by ~0.3 s (a tenth of the time a crawl of 51 requests spent off the network).
        return LocateJob(self.config, countries, discovered, self.load_borders)
