"""Where a Sentinel Hub request looks: `input.bounds` (bbox and/or GeoJSON geometry, any EPSG
CRS) turned into a grid of pixel centres in lon/lat, rows north to south.

A WGS84 (EPSG:4326 / CRS84) box gives an open mesh (longitudes 1 x W, latitudes H x 1), which the
landscape renders fastest; other CRSs are transformed point by point with pyproj. A geometry
restricts the pixels to those inside it (`inside`); outside pixels are no data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry import shape

from rswk.sampleworld.noise import FloatArray

WGS84 = 4326
MAX_PIXELS_PER_SIDE = 2500
_EPSG = re.compile(r"EPSG(?:/0/|:+)(\d+)$", re.IGNORECASE)


class BoundsError(ValueError):
    """Bounds the sample world cannot use; the message says what was wrong."""


@dataclass(frozen=True)
class Bounds:
    """A request's area: its box (in `epsg` units) and optional geometry."""

    epsg: int
    box: tuple[float, float, float, float]  # minx, miny, maxx, maxy
    geometry: Any | None = None  # shapely geometry in the same CRS

    @property
    def centre_lonlat(self) -> tuple[float, float]:
        """The box centre in degrees."""
        x, y = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        if self.epsg == WGS84:
            return x, y
        lon, lat = _to_wgs84(self.epsg).transform(x, y)
        return float(lon), float(lat)

    def key(self) -> str:
        """A stable text for hashing decisions that depend on the place."""
        return f"{self.epsg}:" + ",".join(f"{v:.6f}" for v in self.box)


@dataclass(frozen=True)
class Grid:
    """Pixel centres of a W x H raster over the bounds, in degrees (broadcastable)."""

    lon: FloatArray
    lat: FloatArray
    inside: NDArray[np.bool_]  # H x W: inside the geometry (all True for a plain box)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.inside.shape[0]), int(self.inside.shape[1]))


@functools.cache
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, WGS84, always_xy=True)


def parse_crs(url: str | None) -> int:
    """The EPSG code of an OGC CRS URL (default WGS84; CRS84 is WGS84 lon/lat)."""
    if not url or url.upper().endswith("CRS84"):
        return WGS84
    found = _EPSG.search(url.strip())
    if not found:
        raise BoundsError(f"CRS '{url}' is not an EPSG URL like .../def/crs/EPSG/0/4326")
    return int(found.group(1))


def parse_bounds(bounds: Mapping[str, Any]) -> Bounds:
    """The `input.bounds` object of a Process or Statistical API request."""
    epsg = parse_crs((bounds.get("properties") or {}).get("crs"))
    geometry = None
    if bounds.get("geometry"):
        try:
            geometry = shape(bounds["geometry"])
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise BoundsError(f"input.bounds.geometry is not GeoJSON: {exc}") from None
    if bounds.get("bbox"):
        box = tuple(float(v) for v in bounds["bbox"])
    elif geometry is not None:
        box = tuple(float(v) for v in geometry.bounds)
    else:
        raise BoundsError("input.bounds needs a bbox or a geometry")
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        raise BoundsError(f"input.bounds.bbox must be [minx, miny, maxx, maxy] (got {list(box)})")
    if epsg != WGS84:
        _to_wgs84(epsg)  # fails early on an unknown code
    return Bounds(epsg, (box[0], box[1], box[2], box[3]), geometry)


def raster_size(
    bounds: Bounds, spec: Mapping[str, Any], default: tuple[int, int] = (256, 256)
) -> tuple[int, int]:
    """(width, height) from `width`/`height` or `resx`/`resy` (CRS units) in `spec`."""
    if spec.get("width") or spec.get("height"):
        width = int(spec.get("width") or spec.get("height") or 0)
        height = int(spec.get("height") or width)
    elif spec.get("resx") or spec.get("resy"):
        resx = float(spec.get("resx") or spec.get("resy") or 0)
        resy = float(spec.get("resy") or resx)
        width = round((bounds.box[2] - bounds.box[0]) / resx)
        height = round((bounds.box[3] - bounds.box[1]) / resy)
    else:
        width, height = default
    if not (1 <= width <= MAX_PIXELS_PER_SIDE and 1 <= height <= MAX_PIXELS_PER_SIDE):
        raise BoundsError(
            f"raster of {width} x {height} pixels: each side must be 1 to {MAX_PIXELS_PER_SIDE}"
        )
    return width, height


def pixel_grid(bounds: Bounds, width: int, height: int) -> Grid:
    """Pixel centres of a `width` x `height` raster over the box, rows north to south."""
    minx, miny, maxx, maxy = bounds.box
    xs = minx + (np.arange(width) + 0.5) * (maxx - minx) / width
    ys = maxy - (np.arange(height) + 0.5) * (maxy - miny) / height
    inside = np.ones((height, width), dtype=bool)
    if bounds.geometry is not None:
        inside = shapely.contains_xy(bounds.geometry, xs[None, :], ys[:, None])
    if bounds.epsg == WGS84:
        return Grid(xs[None, :], ys[:, None], np.asarray(inside))
    x2d, y2d = np.meshgrid(xs, ys)
    lon, lat = _to_wgs84(bounds.epsg).transform(x2d, y2d)
    return Grid(np.asarray(lon), np.asarray(lat), np.asarray(inside))
