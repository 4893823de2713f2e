"""The sample world's landscape: one procedural function of (lon, lat) behind every image service.

Tiles, the Sentinel Hub Process API and the Statistical API all read this module, so what an
image shows and what the statistics say agree: a built-up pixel in a tile is built-up in the
Statistical API's land cover and has a positive NDBI there. Per point it gives

- around each landmark, its *site* (`site_design.py`): the ground truth's cover shares laid out
  in sectors, its footprint, elevation and relief, vegetation kind and vigour, and its climate;
  a point belongs to the site whose landmark is nearest (relative to the site's reach);
- elsewhere, a background of land-cover classes (water, vegetation, bare, built-up), terrain
  height and fine texture from seeded smooth noise over Web Mercator metres;
- Sentinel-2 L2A surface reflectance (B02, B03, B04, B08, B11, B12, 0-1) per class, with a
  vegetation season that follows the hemisphere and fades towards the tropics;
- clouds for Sentinel scenes: a monthly cover per place and a few "persistently cloudy" cells
  (`persistently_cloudy`) where every scene is overcast, so the imagery stage meets all-cloud
  scenes;
- an aerial-photo colour (`aerial_rgb`) for XYZ tiles, with roads, roofs and canopy texture,
  in colours an RGB classifier reads as what they are (green vegetation, blue water, grey
  built-up land; bare ground is sand-coloured, snow white).

Everything is vectorised (arrays of any shape) and deterministic given the world and the seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rswk.sampleworld import climatology
from rswk.sampleworld.noise import FloatArray, fractal_noise, lattice_hash, value_noise
from rswk.sampleworld.routes import ServerContext
from rswk.sampleworld.site_design import (
    BARE,
    BUILT_UP,
    COVER_NAMES,
    EARTH_RADIUS_M,
    GRADIENT_HALF_M,
    SECTOR_ORDER,
    SNOW,
    VEGETATION,
    WATER,
    SiteDesign,
    design_sites,
    mercator,
    terrain_field,
    terrain_height_m,
    unit,
)
from rswk.sampleworld.world import World

__all__ = [
    "BANDS", "BARE", "BUILT_UP", "CLASS_NAMES", "EARTH_RADIUS_M", "SNOW", "VEGETATION", "WATER",
    "Landscape", "Surface", "landscape_for", "mercator", "stable_unit", "vegetation_season",
]  # fmt: skip

CLASS_NAMES = COVER_NAMES
BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0
# A landmark pulls background built-up land towards it within a few kilometres.
INFLUENCE_M = 4000.0
# Between its reach and this many times it, a site's elevation blends into the background's.
SITE_BLEND = 1.5
# Sentinel scenes are fully overcast in this share of 0.1° cells (the imagery stage's all_cloud).
CLOUDY_CELL_DEG = 0.1
CLOUDY_CELL_SHARE = 1.0 / 12.0

# Surface reflectance per class and band (B02, B03, B04, B08, B11, B12); vegetation is given at
# the peak of its season and, separately, dormant.
_REFLECTANCE = np.array(
    [
        [0.070, 0.045, 0.025, 0.015, 0.008, 0.005],  # water: NDWI > 0, NDVI < 0
        [0.030, 0.060, 0.030, 0.340, 0.170, 0.080],  # vegetation (peak): NDVI ~ 0.84
        [0.110, 0.150, 0.190, 0.250, 0.330, 0.280],  # bare: NDBI > 0, NDVI ~ 0.14
        [0.100, 0.110, 0.125, 0.170, 0.220, 0.190],  # built-up: NDBI > 0, NDVI ~ 0.15
        [0.880, 0.860, 0.830, 0.760, 0.090, 0.070],  # snow: NDWI ~ 0.06, NDBI < 0
    ]
)
_DORMANT_VEGETATION = np.array([0.045, 0.070, 0.075, 0.220, 0.200, 0.140])  # NDVI ~ 0.49
_CLOUD_REFLECTANCE = np.array([0.36, 0.355, 0.35, 0.37, 0.30, 0.22])
# Tile colours: roads, roof palette, and landmark materials, all grey enough (saturation < 0.15)
# and bright enough to read as built-up land.
_ROAD_RGB = np.array([118.0, 118.0, 122.0])
_ROOF_RGB = np.array(
    [
        [150, 146, 142],
        [176, 168, 160],
        [196, 190, 180],
        [128, 128, 134],
        [184, 176, 164],
        [140, 136, 132],
    ],
    dtype=np.float64,
)
LANDMARK_RGB = np.array(
    [[214, 206, 192], [170, 166, 160], [232, 228, 220], [150, 150, 154], [190, 182, 170]],
    dtype=np.float64,
)
_SECTOR_COVER = np.array(SECTOR_ORDER, dtype=np.uint8)
_BLOCK_M = 48.0
_ROAD_M = 7.0


def _true_colour(reflectance: FloatArray) -> FloatArray:
    """Display RGB (0-255) of B04, B03, B02 reflectance: gain 3.2, then a gamma of 1.6."""
    linear = np.clip(reflectance[..., [2, 1, 0]] * 3.2, 0.0, 1.0)
    return np.asarray(linear ** (1 / 1.6) * 255.0)


# Tiles show vegetation in mid-season (as `vegetation_season(lat, None)`).
_AERIAL_RGB = _true_colour(
    np.where(
        (np.arange(len(_REFLECTANCE)) == VEGETATION)[:, None],
        _DORMANT_VEGETATION + 0.75 * (_REFLECTANCE[VEGETATION] - _DORMANT_VEGETATION),
        _REFLECTANCE,
    )
)


@dataclass(frozen=True)
class Surface:
    """The landscape at a set of points (all arrays have the points' shape)."""

    cover: NDArray[np.uint8]  # WATER / VEGETATION / BARE / BUILT_UP / SNOW
    elevation_m: FloatArray
    texture: FloatArray  # fine-grained noise in [0, 1): canopy, roof and sediment detail
    landmark: NDArray[np.int32]  # index into Landscape.qids of the footprint, or -1
    edge: NDArray[np.bool_]  # the outline of a built landmark footprint (walls, shadow)
    site: NDArray[np.int32]  # index into Landscape.qids of the site the point is in, or -1
    vegetation_code: NDArray[np.int32]  # ESA WorldCover code a vegetation point maps to
    vigour: FloatArray  # 0-1: how green vegetation gets at the peak of its season
    temperature_c: FloatArray  # annual mean 2 m air temperature
    amplitude_c: FloatArray  # seasonal half-range of the air temperature


@dataclass(frozen=True)
class _Detail:
    """What statistics read beyond the cover (mutable arrays, painted by the sites)."""

    elevation: FloatArray
    vegetation_code: NDArray[np.int32]
    vigour: FloatArray
    temperature: FloatArray
    amplitude: FloatArray


def stable_unit(*parts: object) -> float:
    """A number in [0, 1) from a stable hash of `parts` (not Python's per-process `hash`)."""
    return unit(*parts)


def vegetation_season(lat: FloatArray | float, month: int | None) -> FloatArray:
    """Greenness in [0, 1]: 1 at the peak (July north, January south), flat in the tropics.
    `month=None` gives a fixed mid-season value (what the aerial tiles show)."""
    lat_arr = np.asarray(lat, dtype=np.float64)
    if month is None:
        return np.full_like(lat_arr, 0.75)
    peak = np.where(lat_arr >= 0, 7.0, 1.0)
    cycle = 0.5 + 0.5 * np.cos(2 * np.pi * (month - peak) / 12.0)
    seasonal_weight = np.clip((np.abs(lat_arr) - 10.0) / 25.0, 0.0, 1.0)
    return np.asarray((1 - seasonal_weight) * 0.85 + seasonal_weight * cycle)


# Where each side of the square starts on the perimeter (0-1) and which way it runs, by
# code = 2 * (east or west side) + (positive direction): south, north, west, east.
_SIDE_CENTRE = np.array([0.875, 0.375, 0.625, 0.125])
_SIDE_SIGN = np.array([1.0, -1.0, -1.0, 1.0]) / 8.0


def square_angle(dx: FloatArray, dy: FloatArray) -> FloatArray:
    """Where the direction (dx, dy) meets the perimeter of a centred square, as a fraction
    0-1 of that perimeter (counter-clockwise from its south-east corner). Equal ranges of it
    cover equal areas of every centred square."""
    ax, ay = np.abs(dx), np.abs(dy)
    east_west = ax >= ay
    along = np.where(east_west, dy, dx) / np.maximum(np.where(east_west, ax, ay), 1e-9)
    positive = np.where(east_west, dx >= 0, dy >= 0)
    code = (east_west.astype(np.intp) << 1) | positive
    return np.asarray(_SIDE_CENTRE[code] + _SIDE_SIGN[code] * along)


class Landscape:
    """The procedural surface of one world (landmark sites included) for one seed."""

    def __init__(self, world: World, seed: int = 0) -> None:
        self.seed = seed
        self.designs: dict[str, SiteDesign] = design_sites(world, seed)
        sites = list(self.designs.values())
        self.sites = sites
        self.qids = [d.qid for d in sites]
        self.lon = np.array([d.lon for d in sites], dtype=np.float64)
        self.lat = np.array([d.lat for d in sites], dtype=np.float64)
        self.side_m = np.array([d.footprint_side_m for d in sites], dtype=np.float64)
        self.reach_m = np.array([d.reach_m for d in sites], dtype=np.float64)
        self.round = np.array([d.footprint_round for d in sites], dtype=bool)
        self.footprint_cover = np.array([d.footprint_cover for d in sites], dtype=np.uint8)
        self.material = np.array(
            [int(unit("material", q) * len(LANDMARK_RGB)) for q in self.qids], dtype=np.int64
        )
        order = np.array(SECTOR_ORDER)
        # Shares in sector order, and how they shift from the landmark outwards (see _shares).
        self.shares = [np.array(d.surroundings)[order] for d in sites]
        self.shift = [np.array(d.gradient_shift())[order] for d in sites]

    # -- land cover -------------------------------------------------------------------------

    def surface(self, lon: FloatArray, lat: FloatArray, detail: bool = True) -> Surface:
        """Land cover, height, texture, footprints and sites at the points (lon, lat) in degrees.

        `lon` and `lat` broadcast against each other; for an image pass an open mesh (`lon` of
        shape (1, W), `lat` of shape (H, 1)): the noise then takes its fast separable path.
        `detail=False` (aerial tiles) skips what only statistics read: elevation, vegetation
        kind and vigour, and air temperature are then zeros."""
        lon, lat = np.asarray(lon, np.float64), np.asarray(lat, np.float64)
        shape = np.broadcast_shapes(lon.shape, lat.shape)
        x, y = mercator(lon, lat)
        terrain = terrain_field(x, y, self.seed)
        moisture = fractal_noise(x, y, (40_000.0, 8_000.0, 1_500.0), self.seed + 23)
        urban = fractal_noise(x, y, (6_000.0, 1_500.0, 400.0), self.seed + 37)
        texture = value_noise(x, y, 6.0, self.seed + 41)
        distance, landmark, edge = self._footprints(lon, lat, shape)
        pull = np.exp(-distance / 1500.0)
        water = (terrain < 0.30 - 0.2 * np.exp(-distance / 600.0)) & (distance > 100.0)
        built = urban + 0.55 * pull > 0.70
        abs_lat = np.abs(lat)
        arid = np.exp(-(((abs_lat - 25.0) / 7.0) ** 2))
        polar = np.clip((abs_lat - 60.0) / 10.0, 0.0, 1.0)
        green = moisture - 0.25 * arid - 0.3 * polar > 0.42
        cover = np.full(shape, BARE, dtype=np.uint8)
        cover[np.broadcast_to(green, shape)] = VEGETATION
        cover[np.broadcast_to(built, shape)] = BUILT_UP
        cover[np.broadcast_to(water, shape)] = WATER
        fields = self._detail(x, y, lat, terrain, cover) if detail else None
        site = self._draw_sites(lon, lat, x, y, cover, fields)
        in_footprint = landmark >= 0
        cover[in_footprint] = self.footprint_cover[landmark[in_footprint]]
        edge &= in_footprint & (self.footprint_cover[np.maximum(landmark, 0)] == BUILT_UP)
        if fields is None:
            zeros = np.zeros(shape)
            fields = _Detail(zeros, zeros.astype(np.int32), zeros, zeros, zeros)
        return Surface(
            cover, fields.elevation, np.broadcast_to(texture, shape), landmark, edge, site,
            fields.vegetation_code, fields.vigour, fields.temperature, fields.amplitude,
        )  # fmt: skip

    def _detail(
        self,
        x: FloatArray,
        y: FloatArray,
        lat: FloatArray,
        terrain: FloatArray,
        cover: NDArray[np.uint8],
    ) -> _Detail:
        """The background's elevation, vegetation kind and vigour, and air temperature."""
        shape = cover.shape
        height = terrain_height_m(terrain)
        elevation = np.broadcast_to(np.where(cover == WATER, 0.0, height), shape).copy()
        kind = value_noise(x, y, 400.0, self.seed + 71)
        vegetation_code = np.broadcast_to(
            np.where(kind < 0.35, 40, np.where(kind < 0.7, 10, 30)), shape
        ).astype(np.int32)
        temperature = np.broadcast_to(
            climatology.annual_mean_temperature_c(lat, elevation), shape
        ).copy()
        amplitude = np.broadcast_to(climatology.temperature_amplitude_c(lat), shape).copy()
        return _Detail(elevation, vegetation_code, np.ones(shape), temperature, amplitude)

    def _draw_sites(
        self,
        lon: FloatArray,
        lat: FloatArray,
        x: FloatArray,
        y: FloatArray,
        cover: NDArray[np.uint8],
        detail: _Detail | None,
    ) -> NDArray[np.int32]:
        """Paint each site's sectors (and, with `detail`, its elevation, vegetation and climate)
        over the background, in place; returns the site index per point (-1 outside)."""
        shape = cover.shape
        site = np.full(shape, -1, dtype=np.int32)
        if lon.size == 0 or lat.size == 0 or not self.sites:
            return site
        score = np.full(shape, np.inf)
        if detail is not None:
            relief = np.broadcast_to(value_noise(x, y, 250.0, self.seed + 97) - 0.5, shape)
            blend_weight = np.zeros(shape)
            site_height = np.zeros(shape)
        for k in self._nearby(lon, lat, float(self.reach_m.max()) * SITE_BLEND):
            design = self.sites[k]
            dx = (lon - self.lon[k]) * M_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat[k]))
            dy = (lat - self.lat[k]) * M_PER_DEG_LAT
            ring = np.broadcast_to(np.maximum(np.abs(dx), np.abs(dy)), shape)
            here = ring / self.reach_m[k]
            better = here < score
            if not better.any():
                continue
            score[better] = here[better]
            if detail is not None:
                weight = np.clip((SITE_BLEND - here[better]) / (SITE_BLEND - 1.0), 0.0, 1.0)
                blend_weight[better] = weight
                site_height[better] = design.elevation_m + 2.0 * design.relief_m * relief[better]
            paint = better & (here <= 1.0)
            if not paint.any():
                continue
            # Only the painted points: their sector, from their ring and square angle.
            r = ring[paint]
            angle = square_angle(
                np.broadcast_to(dx, shape)[paint], np.broadcast_to(dy, shape)[paint]
            )
            angle = np.mod(angle + design.phase + 0.03 * np.sin(2 * np.pi * r / 230.0), 1.0)
            cover[paint] = self._sector_cover(k, r, angle)
            site[paint] = k
            if detail is not None:
                detail.vegetation_code[paint] = design.vegetation_code
                detail.vigour[paint] = design.vigour
                detail.temperature[paint] = design.normals.temperature_mean_c
                detail.amplitude[paint] = design.normals.temperature_amplitude_c
        if detail is not None:
            elevation = detail.elevation
            elevation[...] = blend_weight * site_height + (1.0 - blend_weight) * elevation
        return site

    def _sector_cover(self, k: int, ring: FloatArray, angle: FloatArray) -> NDArray[np.uint8]:
        """The cover of site k's points at `ring` metres out (L∞) and `angle` (0-1, rotated).

        The shares on a ring are the surroundings plus the gradient's shift times
        (ring / GRADIENT_HALF_M - 2/3), which averages to zero over a centred square of
        ±GRADIENT_HALF_M (a ring's area grows with its radius, so the mean of ring / half over
        the square is 2/3): built-up land is densest at the landmark, so a box of the wrong
        size sees another mix."""
        weight = np.clip(ring / GRADIENT_HALF_M - 2.0 / 3.0, -2.0 / 3.0, 1.0)
        index = np.zeros(ring.shape, dtype=np.intp)
        edge: FloatArray | float = 0.0
        for share, shift in zip(self.shares[k], self.shift[k], strict=True):
            edge = edge + (np.maximum(share + weight * shift, 0.0) if shift else share)
            index += angle >= edge
        return np.asarray(_SECTOR_COVER[np.minimum(index, len(SECTOR_ORDER) - 1)])

    def _footprints(
        self, lon: FloatArray, lat: FloatArray, shape: tuple[int, ...]
    ) -> tuple[FloatArray, NDArray[np.int32], NDArray[np.bool_]]:
        """Ground distance (m) to the nearest footprint edge, the footprint index (-1 outside)
        and the footprint outline, considering only landmarks near the points."""
        distance = np.full(shape, np.inf)
        landmark = np.full(shape, -1, dtype=np.int32)
        edge = np.zeros(shape, dtype=bool)
        if lon.size == 0 or lat.size == 0:
            return distance, landmark, edge
        for k in self._nearby(lon, lat, INFLUENCE_M):
            scale_x = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat[k]))
            dx = (lon - self.lon[k]) * scale_x
            dy = (lat - self.lat[k]) * M_PER_DEG_LAT
            half = self.side_m[k] / 2.0
            if self.round[k]:
                outside = np.hypot(dx, dy) - half
            else:
                outside = np.maximum(np.abs(dx), np.abs(dy)) - half
            inside = outside <= 0
            landmark[inside] = k
            edge |= inside & (outside > -max(1.5, 0.04 * half))
            np.minimum(distance, np.maximum(outside, 0.0), out=distance)
        return distance, landmark, edge

    def _nearby(self, lon: FloatArray, lat: FloatArray, margin_m: float) -> NDArray[np.intp]:
        if self.lon.size == 0:
            return np.zeros(0, dtype=np.intp)
        lat_margin = margin_m / M_PER_DEG_LAT
        cos_lat = max(math.cos(math.radians(min(89.0, float(np.abs(lat).max())))), 0.01)
        lon_margin = margin_m / (M_PER_DEG_LON_EQUATOR * cos_lat)
        near = (
            (self.lon >= lon.min() - lon_margin)
            & (self.lon <= lon.max() + lon_margin)
            & (self.lat >= lat.min() - lat_margin)
            & (self.lat <= lat.max() + lat_margin)
        )
        return np.flatnonzero(near)

    # -- Sentinel-2 -------------------------------------------------------------------------

    def reflectance(
        self, surface: Surface, lat: FloatArray, month: int | None
    ) -> dict[str, FloatArray]:
        """Cloud-free surface reflectance (0-1) per band for the surface's points in `month`."""
        season = (vegetation_season(lat, month) * surface.vigour)[..., None]
        table = _REFLECTANCE[surface.cover.astype(np.intp)]
        vegetation = _DORMANT_VEGETATION + season * (_REFLECTANCE[VEGETATION] - _DORMANT_VEGETATION)
        table = np.where((surface.cover == VEGETATION)[..., None], vegetation, table)
        table = table * (0.85 + 0.3 * surface.texture)[..., None]
        return {band: np.asarray(table[..., i]) for i, band in enumerate(BANDS)}

    def persistently_cloudy(self, lon: float, lat: float) -> bool:
        """Whether Sentinel scenes of the 0.1° cell holding (lon, lat) are always overcast."""
        cell = (math.floor(lon / CLOUDY_CELL_DEG), math.floor(lat / CLOUDY_CELL_DEG))
        return stable_unit("cloudy", self.seed, *cell) < CLOUDY_CELL_SHARE

    def cloud_cover(self, lon: float, lat: float, year: int, month: int) -> float:
        """The share of the sky over (lon, lat) that is cloudy in a month's scene, 0-1: cloudier
        in the tropics and in temperate winters, near 1 in persistently cloudy cells."""
        if self.persistently_cloudy(lon, lat):
            return 0.97
        abs_lat = abs(lat)
        climate = 0.45 - 0.3 * math.exp(-(((abs_lat - 25.0) / 9.0) ** 2))
        winter = 1.0 if (lat >= 0) == (month in (11, 12, 1, 2)) else 0.0
        climate += 0.2 * winter * min(1.0, max(0.0, (abs_lat - 30.0) / 20.0))
        jitter = stable_unit("cloud", self.seed, round(lon), round(lat), year, month) - 0.5
        return float(min(1.0, max(0.0, climate + 0.5 * jitter)))

    def cloud_mask(
        self, lon: FloatArray, lat: FloatArray, cover: float, scene: int
    ) -> NDArray[np.bool_]:
        """Which points a scene's clouds hide, for a cloud `cover` (0-1); `scene` varies the
        cloud pattern between acquisitions."""
        if cover <= 0.0:
            return np.zeros(np.broadcast(lon, lat).shape, dtype=bool)
        x, y = mercator(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        field = fractal_noise(x, y, (3_000.0, 800.0), self.seed * 7919 + scene)
        # fractal noise clusters around 0.5: stretch it so the covered share tracks `cover`
        return np.asarray(np.clip((field - 0.5) * 2.5 + 0.5, 0.0, 1.0) < cover)

    def cloud_reflectance(self, lon: FloatArray, lat: FloatArray) -> dict[str, FloatArray]:
        """Reflectance of thick cloud: bright, nearly colourless, with some texture."""
        x, y = mercator(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        puff = 0.9 + 0.3 * fractal_noise(x, y, (900.0, 200.0, 50.0), self.seed + 53)
        return {band: np.asarray(_CLOUD_REFLECTANCE[i] * puff) for i, band in enumerate(BANDS)}

    # -- aerial tiles -----------------------------------------------------------------------

    def aerial_rgb(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.uint8]:
        """An aerial-photo-like colour (H x W x 3 uint8) for points in degrees: the landscape's
        true colour plus roads, roofs, canopy texture and landmark footprints with outlines."""
        surface = self.surface(lon, lat, detail=False)
        shade = 0.85 + 0.3 * surface.texture
        rgb = _AERIAL_RGB[surface.cover.astype(np.intp)] * shade[..., None]
        x, y = mercator(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        x, y = np.broadcast_to(x, surface.cover.shape), np.broadcast_to(y, surface.cover.shape)
        built = surface.cover == BUILT_UP
        rgb[built] = self._streets(x[built], y[built], surface.texture[built])
        # Only built footprints show their material; a park or a beach is drawn as its cover.
        inside = (surface.landmark >= 0) & built
        material = LANDMARK_RGB[self.material[surface.landmark[inside]]]
        rgb[inside] = material * (0.9 + 0.2 * surface.texture[inside])[:, None]
        rgb[surface.edge] *= 0.55
        return np.clip(rgb, 0, 255).astype(np.uint8)

    def _streets(self, x: FloatArray, y: FloatArray, texture: FloatArray) -> FloatArray:
        """Road grid and per-block roof colours for built-up points (N x 3)."""
        bx, by = np.floor(x / _BLOCK_M), np.floor(y / _BLOCK_M)
        road = ((x - bx * _BLOCK_M) < _ROAD_M) | ((y - by * _BLOCK_M) < _ROAD_M)
        pick = lattice_hash(bx.astype(np.int64), by.astype(np.int64), self.seed + 61)
        roofs = _ROOF_RGB[(pick * len(_ROOF_RGB)).astype(np.intp)]
        colour = np.where(road[:, None], _ROAD_RGB, roofs)
        return np.asarray(colour * (0.88 + 0.24 * texture)[:, None])


def landscape_for(ctx: ServerContext) -> Landscape:
    """The server's landscape, built once per server from its world and seed."""
    return ctx.memo("landscape", lambda: Landscape(ctx.world, ctx.seed))
