"""The imagery stage with a stand-in provider: order, rejections, footprints, terms first."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

import pytest

from crawlers.imagery.providers import (
    PROVIDERS,
    ImageryProvider,
    ImageTarget,
    create_provider,
    register_provider,
)
from crawlers.imagery.quality import ImageRejected
from crawlers.imagery.stage import ImageryStage
from rswk.core.config import ImageryConfig, ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.http import FetchFailed
from rswk.core.records.base import RejectReason
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore
from rswk.core.stage import run_stage
from tests.imagery import images
from tests.imagery.sites import SITES, Site, cluster, provenance, write_upstream


@register_provider("stand-in")
class StandIn(ImageryProvider):
    """Answers a small image per landmark; QIDs ending in 7 fail to fetch, in 9 are blank."""

    seen: ClassVar[list[ImageTarget]] = []
    events: ClassVar[list[str]] = []

    def check_terms(self) -> None:
        self.events.append("check_terms")
        if self.config.imagery.restrictive and not self.config.imagery.accept_terms:
            raise RSWKError("stand-in terms not accepted")

    def open(self) -> None:
        self.events.append("open")

    def fetch(self, target: ImageTarget) -> ImageRecord:
        self.seen.append(target)
        if target.qid.endswith("7"):
            raise FetchFailed("http://127.0.0.1/x", "HTTP 503 after 6 retries")
        if target.qid.endswith("9"):
            raise ImageRejected(RejectReason.BLANK_IMAGE, "uniform colour")
        data = images.encode(images.textured(int(target.qid[1:]), 32), "PNG")
        lat, lon = target.lat, target.lon
        return ImageRecord(
            qid=target.qid, country=target.country, image=data, format="png", width=32,
            height=32, provider=self.name, zoom=17, gsd_m=1.0,
            bbox_4326=(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001),
            bbox_3857=(0.0, 0.0, 32.0, 32.0), attribution="stand-in", licence="CC0-1.0",
            sha256=hashlib.sha256(data).hexdigest(), provenance=provenance("http://127.0.0.1/x"),
        )  # fmt: skip


def config_for(tmp_path: Path, **imagery: object) -> ProjectConfig:
    base = load_config("sample", workdir=tmp_path)
    settings = ImageryConfig.model_validate({"provider": "stand-in", **imagery})
    return base.model_copy(update={"imagery": settings})


@pytest.fixture(autouse=True)
def _fresh_stand_in() -> None:
    StandIn.seen.clear()
    StandIn.events.clear()


def test_records_in_qid_order_and_failures_kept_as_rejections(tmp_path: Path) -> None:
    sites = cluster(3, "FR", (48.8584, 2.2945), 12, first=10)
    store = RunStore(tmp_path)
    shards = write_upstream(store, sites)
    report = run_stage(
        ImageryStage(config_for(tmp_path), CountryRegistry.from_dir(), store), store, shards
    )
    assert (report.records, report.rejected) == (10, 2)
    stage = store.stage("imagery")
    qids = [r.qid for r in stage.read_shard("FR", ImageRecord)]
    assert qids == sorted(qids, key=lambda q: int(q[1:]))
    reasons = {r.qid: r.reason for r in stage.read_rejections("FR")}
    assert reasons == {"Q17": RejectReason.FETCH_FAILED, "Q19": RejectReason.BLANK_IMAGE}
    stats = stage.read_stats("FR")
    assert stats["rejected_fetch_failed"] == 1 and stats["images"] == 10


def test_footprint_areas_come_from_the_knowledge_shard_when_present(tmp_path: Path) -> None:
    sites = [Site("Q1", "FR", 48.0, 2.0, area_m2=5000.0), Site("Q2", "FR", 48.1, 2.1)]
    store = RunStore(tmp_path)
    write_upstream(store, sites, with_knowledge=True)
    stage = ImageryStage(config_for(tmp_path), CountryRegistry.from_dir(), store)
    assert [t.area_m2 for t in stage.targets("FR")] == [5000.0, None]
    # Without a knowledge shard every landmark gets the default zoom (area None).
    other = RunStore(tmp_path / "other")
    write_upstream(other, sites)
    assert [
        t.area_m2
        for t in ImageryStage(config_for(tmp_path), CountryRegistry.from_dir(), other).targets("FR")
    ] == [None, None]


def test_terms_are_checked_before_anything_opens(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    shards = write_upstream(store, SITES[:2])
    stage = ImageryStage(config_for(tmp_path, restrictive=True), CountryRegistry.from_dir(), store)
    with pytest.raises(RSWKError, match="not accepted"):
        run_stage(stage, store, shards)
    assert StandIn.events == ["check_terms"] and StandIn.seen == []
    assert store.stage("imagery").done_shards() == []


def test_unknown_provider_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(RSWKError, match=r"unknown imagery provider 'nope'.*sentinelhub.*xyz"):
        create_provider("nope", load_config("sample", workdir=tmp_path))
    assert {"xyz", "sentinelhub"} <= set(PROVIDERS)
