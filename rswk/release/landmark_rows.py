"""The `landmarks` and `chunks` configs: curated rows and knowledge chunks as typed release rows.

A landmark row is the curated record with its image lifted out into a real `datasets.Image`
column (bytes embedded, named `<QID>.<ext>`) and the image's metadata beside it as `image_info`.
"""

from __future__ import annotations

from typing import Any

from rswk.core.records.chunk import Chunk
from rswk.core.records.imagery import ImageRecord
from rswk.core.records.landmark import CuratedLandmark
from rswk.release.typed_features import encode_model, model_features

# Columns the Hub viewer shows first; the rest follow in record order.
LEADING = ("qid", "name", "image", "rswk_class", "country")
IMAGE_EXTENSIONS = {"jpeg": "jpg", "png": "png"}


def image_cell(image: ImageRecord | None, qid: str) -> dict[str, Any] | None:
    """The `datasets.Image` value of a landmark: its bytes and a file name (None without one)."""
    if image is None:
        return None
    return {"bytes": image.image, "path": f"{qid}.{IMAGE_EXTENSIONS[image.format]}"}


def landmark_features() -> Any:
    """Features of the `landmarks` config."""
    from datasets import Features, Image

    rest = model_features(CuratedLandmark, exclude=("image",))
    columns: dict[str, Any] = {"image": Image()}
    columns.update(rest)
    columns["image_info"] = model_features(ImageRecord, exclude=("image",))
    ordered = {name: columns[name] for name in LEADING}
    ordered.update({k: v for k, v in columns.items() if k not in ordered})
    return Features(ordered)


def landmark_row(landmark: CuratedLandmark) -> dict[str, Any]:
    """One `landmarks` row (matching `landmark_features()`)."""
    row = encode_model(landmark, exclude=("image",))
    row["image"] = image_cell(landmark.image, landmark.qid)
    row["image_info"] = (
        encode_model(landmark.image, exclude=("image",)) if landmark.image is not None else None
    )
    return row


def chunk_features() -> Any:
    """Features of the `chunks` config (one row per knowledge chunk)."""
    from datasets import Features

    return Features(model_features(Chunk))


def chunk_row(chunk: Chunk) -> dict[str, Any]:
    """One `chunks` row."""
    return encode_model(chunk)
