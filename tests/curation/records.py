"""Seeded builders of stage records for curation and validation tests (no network, no server)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Any

import numpy as np

from rswk.core.records import (
    DiscoveredLandmark,
    ImageRecord,
    KnowledgeField,
    KnowledgeRecord,
    LocatedLandmark,
    Provenance,
)
from rswk.core.records.claims import claims_from_wikidata
from rswk.harness.locate_records import located_record

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def provenance(detail: str = "test") -> Provenance:
    return Provenance(
        source_url="https://example.org/x",
        retrieved_at=NOW,
        licence="CC0-1.0",
        attribution="Wikidata",
        detail=detail,
    )


def text_field(value: str, language: str = "en") -> KnowledgeField:
    return KnowledgeField(value=value, language=language, provenance=provenance())


def knowledge_record(qid: str = "Q243", country: str = "FR", **texts: str) -> KnowledgeRecord:
    name = texts.pop("name", "Eiffel Tower")
    return KnowledgeRecord(
        qid=qid,
        country=country,
        name=text_field(name),
        category=text_field("tower"),
        country_name=text_field("France"),
        lat=48.8584,
        lon=2.2945,
        **{key: text_field(value) for key, value in texts.items()},
    )


def claims(prop: str, *qids: str) -> dict[str, list[dict[str, Any]]]:
    """Wikidata claims of item values, in wbgetentities' shape."""
    return {
        prop: [
            {
                "mainsnak": {
                    "snaktype": "value",
                    "property": prop,
                    "datatype": "wikibase-item",
                    "datavalue": {
                        "value": {"entity-type": "item", "numeric-id": int(q[1:]), "id": q},
                        "type": "wikibase-entityid",
                    },
                },
                "type": "statement",
                "rank": "normal",
            }
            for q in qids
        ]
    }


def located(
    qid: str,
    country: str,
    lat: float,
    lon: float,
    label: str,
    *,
    entity_claims: dict[str, list[dict[str, Any]]] | None = None,
) -> LocatedLandmark:
    return located_record(qid, country, lat, lon, label, provenance()).model_copy(
        update={
            "entity_claims": claims_from_wikidata(entity_claims or {}),
            "entity_labels": {"en": label},
        }
    )


def discovered(
    qid: str, country: str, classes: list[str], sitelinks: int, rank: int = 1
) -> DiscoveredLandmark:
    return DiscoveredLandmark(
        qid=qid,
        country=country,
        label=qid,
        classes=classes,
        sitelinks=sitelinks,
        rank=rank,
        provenance=provenance(),
    )


def image_record(
    qid: str, country: str, pixels: np.ndarray, *, width: int | None = None
) -> ImageRecord:
    """A PNG of `pixels` (H x W x 3 uint8); `width` overrides the declared width."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(buffer, format="PNG")
    data = buffer.getvalue()
    height, real_width = pixels.shape[:2]
    return ImageRecord(
        qid=qid,
        country=country,
        image=data,
        format="png",
        width=width or real_width,
        height=height,
        provider="test",
        gsd_m=1.0,
        bbox_4326=(2.29, 48.85, 2.30, 48.86),
        bbox_3857=(255000.0, 6250000.0, 256000.0, 6251000.0),
        attribution="test",
        licence="CC0-1.0",
        sha256=hashlib.sha256(data).hexdigest(),
        provenance=provenance(),
    )


def textured(seed: int, size: int = 64) -> np.ndarray:
    """A seeded random image: not blank, distinct perceptual hash per seed."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (8, 8, 3))
    return np.kron(coarse, np.ones((size // 8, size // 8, 1))).astype(np.uint8)
