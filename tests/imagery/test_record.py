"""ImageRecord: construction checks and a lossless trip through a run-store shard."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore, ShardResult
from tests.imagery import images
from tests.imagery.sites import RETRIEVED, provenance


def record(**changes: object) -> ImageRecord:
    data = images.encode(images.textured(11, 64), "JPEG")
    values: dict[str, object] = {
        "qid": "Q243",
        "country": "FR",
        "image": data,
        "format": "jpeg",
        "width": 64,
        "height": 64,
        "provider": "xyz",
        "zoom": 17,
        "gsd_m": 0.78,
        "bbox_4326": (2.29, 48.85, 2.30, 48.86),
        "bbox_3857": (254_900.0, 6_250_000.0, 255_000.0, 6_250_100.0),
        "attribution": "test",
        "licence": "CC0-1.0",
        "sha256": hashlib.sha256(data).hexdigest(),
        "provenance": provenance("http://127.0.0.1/tiles"),
    }
    return ImageRecord.model_validate(values | changes)


def test_record_round_trips_through_a_shard(tmp_path: Path) -> None:
    original = record(acquired=date(2024, 6, 1), acquired_end=date(2024, 8, 31), zoom=None)
    stage = RunStore(tmp_path).stage("imagery")
    stage.write_shard("FR", ImageRecord, ShardResult([original], [], {}))
    assert stage.read_shard("FR", ImageRecord) == [original]
    assert original.provenance.retrieved_at == RETRIEVED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sha256": "0" * 64}, "sha256 does not match"),
        ({"bbox_3857": (10.0, 0.0, 5.0, 1.0)}, "bbox_3857 must be"),
        ({"bbox_4326": (2.0, 49.0, 3.0, 48.0)}, "bbox_4326 must be"),
        ({"acquired_end": date(2024, 1, 1)}, "acquired_end needs"),
        ({"gsd_m": 0.0}, "greater than 0"),
    ],
)
def test_inconsistent_records_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        record(**changes)


def test_antimeridian_box_in_degrees_is_allowed() -> None:
    assert record(bbox_4326=(179.99, -16.6, -179.99, -16.5)).bbox_4326[0] > 0
