"""The attributes stage: remote-sensing attributes of every located landmark, a shard per country.

Reads the `locate` shard (where each landmark is) and, when present, the `imagery` shard (the
image to analyse). Every located landmark gets a record: a landmark without an image still gets
its Sentinel-2, collection and climate attributes, with the image-derived ones absent and the
reason (no imagery shard yet, or the imagery stage's rejection). A landmark whose source stayed
unreachable after every retry (Sentinel Hub, climate) is rejected `fetch_failed` instead, so the
next run measures it again. Landmarks of a shard are measured on enough threads to keep
Sentinel Hub's and the climate API's allowed concurrency busy (plus `workers`); records keep
the locate order.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from crawlers.attributes.measure import Measurer, TransientFailure
from crawlers.attributes.sh_access import StatisticalFetcher
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.http import PoliteTransport
from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import LocatedLandmark, RejectReason
from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.base import Rejection
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.source_limits import landmarks_in_flight
from rswk.core.stage import Stage

logger = logging.getLogger(__name__)

UPSTREAM = "locate"
IMAGERY = "imagery"


class AttributesStage(Stage):
    """Records are `AttributesRecord`; a group a source has no value for is an absence, a
    source that stayed unreachable is a `fetch_failed` rejection (retried by the next run), and a
    landmark whose record cannot be built at all is rejected as `invalid_record`."""

    name = "attributes"
    record_model = AttributesRecord
    executor_kind = "thread"
    config_keys = ("attributes",)

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.http: httpx.Client | None = None
        self.transport: PoliteTransport | None = None
        self.fetcher: StatisticalFetcher | None = None
        self.measurer: Measurer | None = None
        self._counts_at_close: dict[str, int] = {}

    def setup(self) -> None:
        """Open the polite HTTP client and the Sentinel Hub fetcher (credentials checked here)."""
        if self.measurer is not None:
            return
        politeness = self.config.politeness
        # polite_client's transport, kept so its request counters can be reported.
        self.transport = PoliteTransport(
            politeness,
            cache_dir=self.config.http_cache_dir / "climate",
            sources={"climate": self.config.sources.climate},
        )
        self.http = httpx.Client(transport=self.transport, timeout=politeness.timeout_s)
        self.fetcher = StatisticalFetcher.for_project(self.config)
        self.measurer = Measurer(self.config, self.http, self.fetcher)

    def process(self, shard_id: str) -> ShardResult:
        """Measure every landmark of the shard's `locate` records."""
        self.setup()
        assert self.measurer is not None
        measurer = self.measurer
        located = self.store.stage(UPSTREAM).read_shard(shard_id, LocatedLandmark)
        images, no_image = self._images(shard_id)

        def one(landmark: LocatedLandmark) -> AttributesRecord | Rejection:
            image = images.get(landmark.qid)
            reason = no_image.get(landmark.qid, no_image.get("*", "no image"))

            def measure() -> AttributesRecord | Rejection:
                try:
                    return measurer.measure(landmark, image, reason)
                except TransientFailure as exc:
                    return Rejection(
                        qid=landmark.qid,
                        country=landmark.country,
                        stage=self.name,
                        reason=RejectReason.FETCH_FAILED,
                        detail=str(exc),
                        source_url=exc.url,
                    )

            return build_or_reject(
                measure, qid=landmark.qid, country=landmark.country, stage=self.name
            )

        # A landmark alternates between Sentinel Hub and the climate API: enough in flight to
        # keep both sources' allowed slots busy.
        workers = landmarks_in_flight(
            self.config.workers, ["sentinelhub", "climate"], self.config.politeness.sources
        )
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(one, located))
        records = [o for o in outcomes if isinstance(o, AttributesRecord)]
        rejections = [o for o in outcomes if isinstance(o, Rejection)]
        fetch_failed = sum(r.reason is RejectReason.FETCH_FAILED for r in rejections)
        stats = shard_stats(records, images) | {"fetch_failed": fetch_failed}
        return ShardResult(records=records, rejections=rejections, stats=stats)

    def _images(self, shard_id: str) -> tuple[dict[str, ImageRecord], dict[str, str]]:
        """The shard's images by QID, and why a landmark has none (key "*" for all of them)."""
        imagery = self.store.stage(IMAGERY)
        if not imagery.is_done(shard_id):
            why = f"no finished imagery shard {shard_id} (run `rswk imagery` first)"
            return {}, {"*": why}
        images = {r.qid: r for r in imagery.read_shard(shard_id, ImageRecord)}
        reasons = {
            r.qid: f"imagery stage rejected it: {r.reason.value} ({r.detail})"
            for r in imagery.read_rejections(shard_id)
            if r.qid is not None
        }
        reasons["*"] = "the imagery stage produced no image for it"
        return images, reasons

    def request_counts(self) -> dict[str, int]:
        """Requests and cache hits so far: Statistical API and the climate API."""
        counts: dict[str, int] = dict(self._counts_at_close)
        if self.fetcher is not None:
            counts |= {f"statistical_{k}": v for k, v in self.fetcher.counts.items()}
        if self.transport is not None:
            counts |= {f"climate_{k}": v for k, v in self.transport.counts.items()}
        return counts

    def close(self) -> None:
        """Close the HTTP client (the stage can be set up again afterwards), keeping the counts."""
        self._counts_at_close = self.request_counts()
        if self.http is not None:
            self.http.close()
        self.http, self.transport, self.fetcher, self.measurer = None, None, None, None


def shard_stats(records: list[AttributesRecord], images: dict[str, Any]) -> dict[str, Any]:
    """What the shard's records are missing, by attribute, for `rswk status` and the logs."""
    absent: Counter[str] = Counter()
    months_absent = 0
    for record in records:
        for name in record.absent:
            if name.startswith("monthly_"):
                months_absent += 1
            else:
                absent[name] += 1
    return {
        "landmarks": len(records),
        "with_image": sum(1 for r in records if r.image_sha256 is not None),
        "images_available": len(images),
        "months_absent": months_absent,
        "absent_by_attribute": dict(sorted(absent.items())),
    }
