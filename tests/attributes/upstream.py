"""Upstream shards for stage tests, generated from the bundled sample world (no hand-written data).

`write_located` writes `locate` shards for the chosen countries exactly as the locate stage would
shape them (QID, country, label, coordinates); `write_imagery` adds an imagery shard with a seeded
image for some landmarks and a rejection for others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from rswk.core.records import LocatedLandmark, Provenance, Rejection
from rswk.core.records.base import RejectReason
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore, ShardResult
from rswk.harness.locate_records import located_records
from rswk.sampleworld.loader import load_world
from tests.attributes.factories import noisy_image

WHEN = datetime(2025, 1, 1, tzinfo=UTC)


def provenance(url: str) -> Provenance:
    return Provenance(
        source_url=url, retrieved_at=WHEN, licence="CC0-1.0", attribution="RSWK sample world"
    )


def located(countries: Sequence[str]) -> dict[str, list[LocatedLandmark]]:
    """The bundled world's landmarks with coordinates in `countries`, as `locate` records."""
    return located_records(load_world("bundled"), countries)


def write_located(store: RunStore, countries: Sequence[str]) -> dict[str, list[LocatedLandmark]]:
    """Write one finished `locate` shard per country; returns the records by shard."""
    shards = located(countries)
    for shard_id, records in shards.items():
        store.stage("locate").write_shard(
            shard_id, LocatedLandmark, ShardResult(records=records, rejections=[], stats={})
        )
    return shards


def image_record(landmark: LocatedLandmark, colour: tuple[int, int, int]) -> ImageRecord:
    data = noisy_image(colour, seed=int(landmark.qid[1:]) % 1000, size=128)
    lat, lon = landmark.lat, landmark.lon
    return ImageRecord(
        qid=landmark.qid,
        country=landmark.country,
        image=data,
        format="jpeg",
        width=128,
        height=128,
        provider="xyz",
        zoom=17,
        gsd_m=1.0,
        bbox_4326=(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001),
        bbox_3857=(0.0, 0.0, 128.0, 128.0),
        attribution="RSWK sample world tiles",
        licence="CC0-1.0",
        sha256=hashlib.sha256(data).hexdigest(),
        provenance=provenance("http://127.0.0.1/tiles/{z}/{y}/{x}"),
    )


def write_imagery(
    store: RunStore,
    shard_id: str,
    images: dict[str, tuple[int, int, int]],
    rejected: dict[str, RejectReason],
    landmarks: Sequence[LocatedLandmark],
) -> None:
    """An imagery shard: a uniform-colour image per QID in `images`, rejections for `rejected`."""
    records = [image_record(lm, images[lm.qid]) for lm in landmarks if lm.qid in images]
    rejections = [
        Rejection(
            qid=qid, country=shard_id, stage="imagery", reason=reason, detail="uniform colour"
        )
        for qid, reason in rejected.items()
    ]
    store.stage("imagery").write_shard(
        shard_id, ImageRecord, ShardResult(records=records, rejections=rejections, stats={})
    )
