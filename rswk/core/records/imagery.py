"""The imagery stage's output: one georeferenced image per landmark, with its terms and checksum."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from rswk.core.records.base import KeyedRecord, Provenance

ImageFormat = Literal["jpeg", "png"]
# (west, south, east, north) in the bbox's own CRS. In EPSG:4326 a box crossing the antimeridian
# has west > east (the GeoJSON convention); in EPSG:3857 x is left unwrapped instead.
BBox = tuple[float, float, float, float]


def _check_bbox(name: str, bbox: BBox, *, may_wrap: bool) -> None:
    west, south, east, north = bbox
    if south >= north or west == east or (west > east and not may_wrap):
        raise ValueError(f"{name} must be (west, south, east, north), got {bbox}")


class ImageRecord(KeyedRecord):
    """An image centred on the landmark, as delivered (PNG or JPEG bytes), and where it lies.

    `zoom` is the XYZ zoom level for tile providers (None for Sentinel-2, whose resolution is
    `gsd_m`); `gsd_m` is the ground sample distance at the landmark, in metres per pixel.
    `acquired` / `acquired_end` give the acquisition date, or the period a mosaic was built from;
    tiles carry no date (None).
    """

    image: bytes = Field(repr=False)
    format: ImageFormat
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    provider: str
    zoom: int | None = Field(default=None, ge=0, le=30)
    gsd_m: float = Field(gt=0)
    bbox_4326: BBox
    bbox_3857: BBox
    acquired: date | None = None
    acquired_end: date | None = None
    attribution: str
    licence: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    provenance: Provenance

    @model_validator(mode="after")
    def _consistent(self) -> ImageRecord:
        _check_bbox("bbox_4326", self.bbox_4326, may_wrap=True)
        _check_bbox("bbox_3857", self.bbox_3857, may_wrap=False)
        if hashlib.sha256(self.image).hexdigest() != self.sha256:
            raise ValueError("sha256 does not match the image bytes")
        if self.acquired_end is not None and (
            self.acquired is None or self.acquired > self.acquired_end
        ):
            raise ValueError("acquired_end needs an earlier or equal acquired date")
        return self
