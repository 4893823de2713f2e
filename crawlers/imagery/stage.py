"""The imagery stage: per located landmark, one image from the configured provider, or a rejection.

Reads the `locate` shards (where each landmark is) and, when present, the `knowledge` shards
(its footprint area, which sets the zoom). Landmarks of a shard are fetched concurrently
(`imagery.workers`; by default enough to keep the tile service's allowed concurrency busy, plus
`workers` more) in a spatial order (by the quadkey of each landmark's
tile, so neighbours follow each other and share the fetcher's memoised tiles) and written in QID
order, so a shard's content depends neither on timing nor on that order. The provider's terms are
checked in `setup()`, before any request.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from crawlers.imagery.providers import ImageryProvider, ImageTarget, create_provider
from crawlers.imagery.quality import ImageRejected
from crawlers.imagery.tilemath import visit_key
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.http import FetchFailed
from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import KnowledgeRecord, LocatedLandmark
from rswk.core.records.base import Rejection, RejectReason
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.source_limits import landmarks_in_flight
from rswk.core.stage import Stage

logger = logging.getLogger(__name__)
UPSTREAM = "locate"
FOOTPRINTS = "knowledge"


class ImageryStage(Stage):
    """Writes `ImageRecord`s keyed by QID; failures become rejections with their reason."""

    name = "imagery"
    record_model = ImageRecord
    executor_kind = "thread"
    config_keys = ("imagery",)

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        # Built now (no I/O) so that a bad provider name or template fails before any work.
        self.provider: ImageryProvider = create_provider(config.imagery.provider, config)
        self._opened = False
        # Targets of shards processed but not yet written, for `shard_written`. No lock: the
        # stage is pickled to Ray workers, and one dict store or pop is atomic.
        self._done_targets: dict[str, list[ImageTarget]] = {}

    def shard_written(self, shard_id: str) -> None:
        """Drop the shard's tiles from the HTTP cache (unless `cache.keep_tiles`): its images
        are in the run store now, and a rerun skips the shard."""
        targets = self._done_targets.pop(shard_id, [])
        if not self.config.cache.keep_tiles and targets:
            dropped = self.provider.forget_sources(targets)
            logger.debug("imagery %s: %d cached tile(s) dropped", shard_id, dropped)

    def setup(self) -> None:
        """Check the provider's terms (no request made if refused), then open its clients."""
        if self._opened:
            return
        self.provider.check_terms()
        self.provider.open()
        self._opened = True

    def close(self) -> None:
        """Log the provider's request and cache counters, then release its clients."""
        if self._opened:
            counters = ", ".join(f"{k} {v}" for k, v in sorted(self.provider.stats().items()))
            logger.info("imagery provider %s: %s", self.provider.name, counters or "no requests")
            self.provider.close()
            self._opened = False

    def process(self, shard_id: str) -> ShardResult:
        """Images for every located landmark of the shard, in QID order."""
        targets = self.targets(shard_id)
        self._done_targets[shard_id] = targets
        outcomes = self._fetch_all(targets)
        records = [o for o in outcomes if isinstance(o, ImageRecord)]
        rejections = [o for o in outcomes if isinstance(o, Rejection)]
        stats: Counter[str] = Counter(landmarks=len(targets), images=len(records))
        stats.update(f"rejected_{r.reason.value}" for r in rejections)
        logger.info("imagery %s: %d image(s), %d rejected", shard_id, len(records), len(rejections))
        return ShardResult(records=records, rejections=rejections, stats=dict(stats))

    def _fetch_all(self, targets: list[ImageTarget]) -> list[ImageRecord | Rejection]:
        """Outcomes in the order of `targets`, fetched in the order of `visit_order`."""
        order = visit_order(targets, self.config.imagery.max_zoom)
        # The XYZ provider asks the tile service; the others ask Sentinel Hub.
        source = "tiles" if self.config.imagery.provider == "xyz" else "sentinelhub"
        workers = self.config.imagery.workers or landmarks_in_flight(
            self.config.workers, [source], self.config.politeness.sources
        )
        with ThreadPoolExecutor(max_workers=workers) as pool:
            fetched = list(pool.map(self._one, (targets[i] for i in order)))
        by_position = dict(zip(order, fetched, strict=True))
        return [by_position[i] for i in range(len(targets))]

    def targets(self, shard_id: str) -> list[ImageTarget]:
        """The shard's located landmarks with their footprint areas, sorted by QID."""
        located = self.store.stage(UPSTREAM).read_shard(shard_id, LocatedLandmark)
        areas = self._areas(shard_id)
        targets = [
            ImageTarget(lm.qid, lm.country, lm.lat, lm.lon, areas.get(lm.qid)) for lm in located
        ]
        return sorted(targets, key=lambda t: (len(t.qid), t.qid))

    def _areas(self, shard_id: str) -> dict[str, float]:
        """QID -> P2046 area from the knowledge shard, if that stage has run (else empty)."""
        knowledge = self.store.stage(FOOTPRINTS)
        if not knowledge.is_done(shard_id):
            return {}
        records = knowledge.read_shard(shard_id, KnowledgeRecord)
        return {r.qid: r.area_m2 for r in records if r.area_m2}

    def _one(self, target: ImageTarget) -> ImageRecord | Rejection:
        """The landmark's image, or why there is none (any other error: `invalid_record`)."""
        return build_or_reject(
            partial(self._fetch, target), qid=target.qid, country=target.country, stage=self.name
        )

    def _fetch(self, target: ImageTarget) -> ImageRecord | Rejection:
        try:
            return self.provider.fetch(target)
        except ImageRejected as exc:
            return self._reject(target, exc.reason, exc.detail)
        except FetchFailed as exc:
            return self._reject(target, RejectReason.FETCH_FAILED, exc.why, exc.url)

    def _reject(
        self, target: ImageTarget, reason: RejectReason, detail: str, url: str | None = None
    ) -> Rejection:
        return Rejection(
            qid=target.qid,
            country=target.country,
            stage=self.name,
            reason=reason,
            detail=detail,
            source_url=url,
        )


def visit_order(targets: list[ImageTarget], zoom: int) -> list[int]:
    """Indexes of `targets` sorted by place (quadkey at `zoom`, then QID to break ties)."""
    return sorted(
        range(len(targets)),
        key=lambda i: (visit_key(targets[i].lat, targets[i].lon, zoom), targets[i].qid),
    )
