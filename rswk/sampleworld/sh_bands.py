"""What each band name means in the sample world's Sentinel Hub, computed from the landscape.

Collections (the `input.data[].type` of a request) and the bands they offer:

| type | bands |
| --- | --- |
| `sentinel-2-l2a`, `sentinel-2-l1c` | B01-B12, B8A (reflectance 0-1), SCL, CLM, CLP, dataMask |
| `dem` | DEM (metres), dataMask |
| `land-cover` (alias `byoc-landcover`) | Map (ESA WorldCover class code), dataMask |
| `lst` (alias `byoc-lst`) | LST (kelvin, daytime), dataMask |

Output band names the sample world understands (what a Statistical API output band *is*):
the input bands above; `NDVI`, `NDWI` (McFeeters, green/NIR), `NDBI` (SWIR1/NIR); `CLEAR`, `CLOUD`
(1/0 per pixel); `LST_C` (°C); each WorldCover class name (`tree_cover`, `built_up`,
`permanent_water`, ...: 1 where the pixel is that class, so the mean is the share); aliases R,
G, B, NIR, SWIR1, SWIR2. Outputs whose bands are only counted (`bands: 3`) are read by output id
(`GROUPS`: `indices`, `reflectance`, `scene`, `dataMask`, `dem`, `lst`, `land_cover`, ...).

In the Statistical API cloudy pixels are no data (NaN) for reflectance and indices, as a
cloud-masking evalscript would make them; in the Process API clouds show as bright cloud.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from rswk.sampleworld import climatology
from rswk.sampleworld.landscape import (
    BARE,
    BUILT_UP,
    SNOW,
    WATER,
    Landscape,
    Surface,
    stable_unit,
)
from rswk.sampleworld.noise import FloatArray
from rswk.sampleworld.sh_evalscript import OutputSpec
from rswk.sampleworld.site_design import COVER_WORLDCOVER, WORLDCOVER_NAMES

S2, DEM, LAND_COVER, LST = "s2", "dem", "land_cover", "lst"
COLLECTION_TYPES = {
    "sentinel-2-l2a": S2,
    "sentinel-2-l1c": S2,
    "dem": DEM,
    "land-cover": LAND_COVER,
    "byoc-landcover": LAND_COVER,
    "lst": LST,
    "byoc-lst": LST,
}
ALIASES = {
    "R": "B04",
    "RED": "B04",
    "G": "B03",
    "GREEN": "B03",
    "B": "B02",
    "BLUE": "B02",
    "NIR": "B08",
    "SWIR1": "B11",
    "SWIR2": "B12",
}
GROUPS: dict[str, tuple[str, ...]] = {
    "indices": ("NDVI", "NDWI", "NDBI"),
    "reflectance": ("B02", "B03", "B04", "B08", "B11", "B12"),
    "rgb": ("B04", "B03", "B02"),
    "truecolor": ("B04", "B03", "B02"),
    "true_color": ("B04", "B03", "B02"),
    "scene": ("CLEAR", "CLOUD"),
    "clouds": ("CLOUD",),
    "cloud": ("CLOUD",),
    "datamask": ("dataMask",),
    "ndvi": ("NDVI",),
    "ndwi": ("NDWI",),
    "ndbi": ("NDBI",),
    "dem": ("DEM",),
    "elevation": ("DEM",),
    "lst": ("LST_C",),
    "landcover": ("Map",),
    "land_cover": ("Map",),
}
# Sentinel-2 bands the landscape does not model, as mixes of the modelled ones (weights of
# B02, B04, B08) plus an offset.
_DERIVED_S2 = {
    "B01": (0.9, 0.0, 0.0, 0.01),
    "B05": (0.0, 0.7, 0.3, 0.0),
    "B06": (0.0, 0.4, 0.6, 0.0),
    "B07": (0.0, 0.2, 0.8, 0.0),
    "B8A": (0.0, 0.0, 1.02, 0.0),
    "B09": (0.0, 0.0, 0.35, 0.0),
    "B10": (0.0, 0.0, 0.0, 0.002),
}
# Daytime land surface minus air temperature per class (water, vegetation, bare, built-up, snow).
LST_OFFSET_C_BY_CLASS = np.array([-1.0, 2.0, 8.0, 6.0, -3.0])
_SCL_BY_CLASS = np.array([6.0, 4.0, 5.0, 5.0, 11.0])  # Sen2Cor scene classes


class BandError(ValueError):
    """A band or output the sample world cannot compute; the message says which and why."""


@dataclass
class Scene:
    """The points of one request (an image grid or a statistics sample) at one time.

    `lon`/`lat` broadcast to the grid's shape; `cloudy` marks pixels the scene's clouds hide;
    `mask_clouds` makes those pixels no data in reflectance and indices (Statistical API).
    """

    landscape: Landscape
    lon: FloatArray
    lat: FloatArray
    when: date
    month: int | None  # None: an annual value (a year-long interval)
    cloudy: NDArray[np.bool_]
    mask_clouds: bool
    _cache: dict[str, FloatArray] = field(default_factory=dict)

    @functools.cached_property
    def surface(self) -> Surface:
        return self.landscape.surface(self.lon, self.lat)

    @functools.cached_property
    def clear_reflectance(self) -> dict[str, FloatArray]:
        bands = self.landscape.reflectance(self.surface, self.lat, self.month)
        # Haze and soil moisture move every band a little from one acquisition to the next.
        haze = 0.97 + 0.06 * stable_unit("haze", self.landscape.seed, self.when.isoformat())
        return {name: np.asarray(values * haze) for name, values in bands.items()}

    @functools.cached_property
    def cloud_reflectance(self) -> dict[str, FloatArray]:
        return self.landscape.cloud_reflectance(self.lon, self.lat)

    def band(self, name: str) -> FloatArray:
        """The values of band `name` at every point (NaN where there is no data)."""
        if name not in self._cache:
            compute = BAND_FUNCTIONS[name][1]
            self._cache[name] = np.broadcast_to(compute(self), self.cloudy.shape)
        return self._cache[name]


def _modelled(band: str) -> Callable[[Scene], FloatArray]:
    def compute(scene: Scene) -> FloatArray:
        clear = scene.clear_reflectance[band]
        if not scene.cloudy.any():
            return clear
        hidden = np.nan if scene.mask_clouds else scene.cloud_reflectance[band]
        return np.asarray(np.where(scene.cloudy, hidden, clear))

    return compute


def _derived(band: str) -> Callable[[Scene], FloatArray]:
    w02, w04, w08, offset = _DERIVED_S2[band]

    def compute(scene: Scene) -> FloatArray:
        mix = w02 * scene.band("B02") + w04 * scene.band("B04") + w08 * scene.band("B08")
        return np.asarray(mix + offset)

    return compute


def _normalised(a: str, b: str) -> Callable[[Scene], FloatArray]:
    def compute(scene: Scene) -> FloatArray:
        first, second = scene.band(a), scene.band(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((first - second) / (first + second))

    return compute


def _scl(scene: Scene) -> FloatArray:
    codes = _SCL_BY_CLASS[scene.surface.cover.astype(np.intp)]
    return np.asarray(np.where(scene.cloudy, 9.0, codes))


def worldcover_code(scene: Scene) -> FloatArray:
    """The `Map` band of a scene (see `worldcover_codes`)."""
    return worldcover_codes(scene.surface, scene.lat)


def worldcover_codes(surface: Surface, lat: FloatArray) -> FloatArray:
    """ESA WorldCover class codes: vegetation by its site's kind (tree cover, grassland...), or
    by the background's noise; bare background ground near the poles is snow and ice."""
    cover = surface.cover
    polar = np.broadcast_to(np.abs(lat) > 66.0, cover.shape) & (surface.site < 0)
    codes = np.select(
        [cover == WATER, cover == BUILT_UP, cover == SNOW, (cover == BARE) & polar, cover == BARE],
        [COVER_WORLDCOVER[WATER], COVER_WORLDCOVER[BUILT_UP], COVER_WORLDCOVER[SNOW], 70, 60],
        default=surface.vegetation_code,
    )
    return np.asarray(codes, dtype=np.float64)


def _class_share(code: int) -> Callable[[Scene], FloatArray]:
    def compute(scene: Scene) -> FloatArray:
        return np.asarray((scene.band("Map") == code).astype(np.float64))

    return compute


def _lst_celsius(scene: Scene) -> FloatArray:
    """Daytime land surface temperature: the place's air temperature (its site's climate
    normals, in season for a monthly interval) plus a per-class offset and some texture."""
    surface = scene.surface
    air = surface.temperature_c
    if scene.month is not None:
        mid_month = date(scene.when.year, scene.month, 15).timetuple().tm_yday
        air = air + surface.amplitude_c * climatology.seasonal_cycle(scene.lat, mid_month)
    offset = LST_OFFSET_C_BY_CLASS[surface.cover.astype(np.intp)]
    return np.asarray(air + offset + 2.0 * (surface.texture - 0.5))


def _ones(scene: Scene) -> FloatArray:
    return np.ones(scene.cloudy.shape)


BAND_FUNCTIONS: dict[str, tuple[str | None, Callable[[Scene], FloatArray]]] = {
    **{b: (S2, _modelled(b)) for b in ("B02", "B03", "B04", "B08", "B11", "B12")},
    **{b: (S2, _derived(b)) for b in _DERIVED_S2},
    "SCL": (S2, _scl),
    "CLM": (S2, lambda s: s.cloudy.astype(np.float64)),
    "CLP": (S2, lambda s: s.cloudy.astype(np.float64) * 255.0),
    "NDVI": (S2, _normalised("B08", "B04")),
    "NDWI": (S2, _normalised("B03", "B08")),
    "NDBI": (S2, _normalised("B11", "B08")),
    "CLEAR": (S2, lambda s: (~s.cloudy).astype(np.float64)),
    "CLOUD": (S2, lambda s: s.cloudy.astype(np.float64)),
    "DEM": (DEM, lambda s: s.surface.elevation_m),
    "Map": (LAND_COVER, worldcover_code),
    **{name: (LAND_COVER, _class_share(code)) for code, name in WORLDCOVER_NAMES.items()},
    "LST_C": (LST, _lst_celsius),
    "LST": (LST, lambda s: _lst_celsius(s) + 273.15),
    "dataMask": (None, _ones),
}


def _known(name: str) -> str | None:
    canonical = ALIASES.get(name, name)
    return canonical if canonical in BAND_FUNCTIONS else None


def output_quantities(spec: OutputSpec, input_bands: tuple[str, ...]) -> tuple[str, ...]:
    """The band function behind each band of output `spec` (see the module doc)."""
    group = GROUPS.get(spec.id.lower())
    if spec.named:
        known = [_known(name) for name in spec.bands]
        if all(known):
            return tuple(k for k in known if k)
        if group and len(group) == len(spec.bands):
            return group
        unknown = [n for n, k in zip(spec.bands, known, strict=True) if not k]
        raise BandError(f"output '{spec.id}': the sample world does not know bands {unknown}")
    if group and len(group) == len(spec.bands):
        return group
    plain = tuple(b for b in input_bands if b != "dataMask" and _known(b))
    if len(plain) == len(spec.bands):
        return tuple(ALIASES.get(b, b) for b in plain)
    raise BandError(
        f"output '{spec.id}' has {len(spec.bands)} unnamed bands: name them, use a known output "
        f"id ({', '.join(sorted(GROUPS))}), or list as many input bands"
    )


def check_bands(names: tuple[str, ...], kinds: set[str]) -> None:
    """Raise BandError unless every band is known and offered by one of the requested kinds."""
    for name in names:
        canonical = _known(name)
        if canonical is None:
            raise BandError(f"Invalid band '{name}': the sample world does not know it")
        kind = BAND_FUNCTIONS[canonical][0]
        if kind is not None and kind not in kinds:
            raise BandError(
                f"band '{name}' needs a {kind} collection, but the request asks for {sorted(kinds)}"
            )
