"""Web Mercator tile math: zoom from a footprint, the pixel window around a landmark, its bboxes.

Pixel coordinates are global at one zoom: the world is `tile_size * 2**zoom` pixels square, x
grows east from the antimeridian and y grows south from the top of the Mercator square (the XYZ
convention). A window is cut at whole pixels around the landmark, so no resampling is needed and
the landmark falls within half a pixel of the image centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mercantile

EARTH_RADIUS_M = 6378137.0
# Half the width of the EPSG:3857 square (20,037,508.34 m).
ORIGIN_SHIFT_M = math.pi * EARTH_RADIUS_M
MAX_MERCATOR_LAT = 85.0511287798066

BBox = tuple[float, float, float, float]


class OutsideMercator(ValueError):
    """The window would reach beyond the Web Mercator square (too close to a pole)."""


def metres_per_pixel(zoom: int, tile_size: int = 256) -> float:
    """Size of one pixel in EPSG:3857 metres at `zoom` (true on the ground only at the equator)."""
    return 2 * ORIGIN_SHIFT_M / (tile_size * 2**zoom)


def ground_sample_distance(lat: float, zoom: int, tile_size: int = 256) -> float:
    """Ground metres per pixel at latitude `lat` and `zoom` (156543.03392 * cos(lat) / 2**z)."""
    return metres_per_pixel(zoom, tile_size) * math.cos(math.radians(lat))


def zoom_for_footprint(
    area_m2: float | None,
    lat: float,
    size_px: int,
    *,
    min_zoom: int,
    max_zoom: int,
    default_zoom: int,
    margin: float = 1.5,
    tile_size: int = 256,
) -> int:
    """The largest zoom in [min_zoom, max_zoom] whose frame holds the footprint with `margin`.

    The footprint is taken as a square of side sqrt(area_m2); it fits at zoom z when
    side * margin <= size_px * ground_sample_distance(lat, z). No known area gives
    `default_zoom`; a footprint too large even for `min_zoom` gives `min_zoom`.
    """
    if area_m2 is None or area_m2 <= 0:
        return default_zoom
    needed_m = math.sqrt(area_m2) * margin
    for zoom in range(max_zoom, min_zoom - 1, -1):
        if needed_m <= size_px * ground_sample_distance(lat, zoom, tile_size):
            return zoom
    return min_zoom


def world_pixel(lat: float, lon: float, zoom: int, tile_size: int = 256) -> tuple[float, float]:
    """Global (x, y) pixel position of a point at `zoom`, as floats."""
    x_m, y_m = mercantile.xy(lon, lat)
    resolution = metres_per_pixel(zoom, tile_size)
    return (x_m + ORIGIN_SHIFT_M) / resolution, (ORIGIN_SHIFT_M - y_m) / resolution


@dataclass(frozen=True)
class TileRef:
    """One tile of a window: `x` as the server knows it (wrapped), `column` unwrapped for
    placement, both at `zoom`."""

    zoom: int
    x: int
    y: int
    column: int


@dataclass(frozen=True)
class PixelWindow:
    """A whole-pixel window at one zoom: left/top are global pixel indices (left may be
    negative or beyond the world width near the antimeridian; the tiles wrap)."""

    zoom: int
    left: int
    top: int
    width: int
    height: int
    tile_size: int = 256

    @property
    def resolution_m(self) -> float:
        """EPSG:3857 metres per pixel."""
        return metres_per_pixel(self.zoom, self.tile_size)

    def tiles(self) -> list[TileRef]:
        """Every tile the window touches, row by row."""
        size, count = self.tile_size, 2**self.zoom
        columns = range(self.left // size, (self.left + self.width - 1) // size + 1)
        rows = range(self.top // size, (self.top + self.height - 1) // size + 1)
        return [TileRef(self.zoom, col % count, row, col) for row in rows for col in columns]

    def tile_offset(self, tile: TileRef) -> tuple[int, int]:
        """Where the tile's top-left pixel lands in the window (may be negative)."""
        return tile.column * self.tile_size - self.left, tile.y * self.tile_size - self.top

    def bbox_3857(self) -> BBox:
        """(west, south, east, north) of the window's outer pixel edges, in EPSG:3857 metres."""
        res = self.resolution_m
        west = self.left * res - ORIGIN_SHIFT_M
        north = ORIGIN_SHIFT_M - self.top * res
        return west, north - self.height * res, west + self.width * res, north

    def bbox_4326(self) -> BBox:
        """(west, south, east, north) in degrees; west > east when crossing the antimeridian."""
        return bbox_3857_to_4326(self.bbox_3857())

    def pixel_of(self, lat: float, lon: float) -> tuple[float, float]:
        """Where a point falls in the window, in pixels from its top-left corner."""
        x, y = world_pixel(lat, lon, self.zoom, self.tile_size)
        world = self.tile_size * 2**self.zoom
        # Take the copy of the point nearest the window (the window may sit across x = 0).
        x += world * round((self.left + self.width / 2 - x) / world)
        return x - self.left, y - self.top


def window_centred_on(
    lat: float, lon: float, zoom: int, width: int, height: int, tile_size: int = 256
) -> PixelWindow:
    """The whole-pixel window whose centre is nearest to the point; raises `OutsideMercator`
    when it would reach beyond the top or bottom of the Mercator square."""
    x, y = world_pixel(lat, lon, zoom, tile_size)
    left = math.floor(x - width / 2 + 0.5)
    top = math.floor(y - height / 2 + 0.5)
    if top < 0 or top + height > tile_size * 2**zoom:
        raise OutsideMercator(
            f"a {width}x{height} window at zoom {zoom} around lat {lat:.4f} reaches beyond the "
            f"Web Mercator square (|lat| <= {MAX_MERCATOR_LAT:.2f})"
        )
    return PixelWindow(zoom, left, top, width, height, tile_size)


def bbox_3857_to_4326(bbox: BBox) -> BBox:
    """A Web Mercator bbox in degrees, longitudes wrapped into [-180, 180)."""
    west, south, east, north = bbox
    west_lon, south_lat = mercantile.lnglat(west, south)
    east_lon, north_lat = mercantile.lnglat(east, north)
    # West edges wrap into [-180, 180), east edges into (-180, 180], so that a window ending
    # exactly on the antimeridian does not look like one crossing it.
    return (
        (west_lon + 180.0) % 360.0 - 180.0,
        south_lat,
        180.0 - (180.0 - east_lon) % 360.0,
        north_lat,
    )


def visit_key(lat: float, lon: float, zoom: int) -> str:
    """The quadkey of the `zoom` tile holding the point (clamped into the Mercator square).

    Quadkeys sort in Z-order (a Morton curve): places in one tile share a prefix, so visiting
    landmarks sorted by this key puts neighbours next to each other and their shared tiles are
    still in the fetcher's memo when the next one asks.
    """
    lat = min(max(lat, -MAX_MERCATOR_LAT), MAX_MERCATOR_LAT)
    lon = min(max(lon, -180.0), math.nextafter(180.0, 0.0))
    return str(mercantile.quadkey(mercantile.tile(lon, lat, zoom)))
