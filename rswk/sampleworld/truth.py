"""The ground truth of every landmark's place, as the world exposes it: `GET /_truth/<qid>`.

A landmark's truth is what is really on the ground of its site (`site_design.py` designs it,
`landscape.py` draws it), integrated over a square of ±`half_side_m` (default 500 m, the
attributes stage's default buffer) on a fine grid of `TRUTH_GRID`² points, with no clouds and no
sampling: cover fractions (water, vegetation, bare, built-up, snow), ESA WorldCover shares and
the dominant class, mean elevation, NDVI/NDWI/NDBI and reflectance averaged over the twelve
months of a year, the mean daytime land surface temperature, and the climate normals of the
0.25° cell the landmark lies in (the climate API answers the cell, so landmarks sharing a cell
share a climate). Every remote-sensing service renders from the same landscape, so what a
pipeline measures should match these values within its method's error.

From Python: `world_truth(world, seed).of(qid)` (a `SiteTruth`), or
`world_truth(world, seed).ground(box)` for any lon/lat box (e.g. the one an image covers).
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rswk.sampleworld import climatology
from rswk.sampleworld.landscape import BANDS, M_PER_DEG_LAT, Landscape, landscape_for
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.sh_bands import LST_OFFSET_C_BY_CLASS, worldcover_codes
from rswk.sampleworld.site_design import COVER_NAMES, WORLDCOVER_NAMES, SiteDesign
from rswk.sampleworld.vocabulary import true_class
from rswk.sampleworld.world import World, WorldLandmark

TRUTH_HALF_M = 500.0
TRUTH_GRID = 100
M_PER_DEG_LON_EQUATOR = 111_320.0

Box = tuple[float, float, float, float]  # west, south, east, north (degrees)
_SPREAD = ("NDVI", "NDWI", "NDBI", *BANDS)


@dataclass(frozen=True)
class Ground:
    """What is on the ground in a lon/lat box (all means over the box)."""

    box: Box
    cover_fractions: dict[str, float]
    worldcover_shares: dict[str, float]
    land_cover_class: str
    elevation_m: float
    ndvi_mean_annual: float
    ndwi_mean_annual: float
    ndbi_mean_annual: float
    reflectance: dict[str, float]
    # Standard deviation over the box of each band's and index's annual mean: how much a
    # measurement that sees only part of the box (clouds hide the rest) may differ.
    spread: dict[str, float]
    lst_day_c: float


@dataclass(frozen=True)
class Climate:
    """The climate normals of a 0.25° cell, as the climate API's daily series average out."""

    cell_lat: float
    cell_lon: float
    elevation_m: float
    temperature_2m_mean_c: float
    precip_mm_per_year: float
    wind_speed_10m_mean_m_s: float
    surface_pressure_mean_hpa: float


@dataclass(frozen=True)
class SiteTruth:
    """One landmark's truth: its true class and, when it has coordinates, its place."""

    qid: str
    true_class: str
    classes: list[str]
    lat: float | None
    lon: float | None
    design: SiteDesign | None = None
    site: Ground | None = None
    climate: Climate | None = None
    persistently_cloudy: bool = False
    half_side_m: float = TRUTH_HALF_M

    def as_json(self) -> dict[str, Any]:
        """The truth as plain JSON values (what `/_truth/<qid>` answers)."""
        answer: dict[str, Any] = {
            "qid": self.qid,
            "true_class": self.true_class,
            "classes": self.classes,
            "located": self.lat is not None,
            "lat": self.lat,
            "lon": self.lon,
        }
        if self.design is not None and self.site is not None and self.climate is not None:
            answer["design"] = self.design.as_json()
            answer["climate_normals"] = asdict(self.design.normals)
            answer["site"] = {"half_side_m": self.half_side_m, **asdict(self.site)}
            answer["climate"] = asdict(self.climate)
            answer["persistently_cloudy"] = self.persistently_cloudy
        return answer


def square_box(lat: float, lon: float, half_side_m: float) -> Box:
    """The lon/lat box reaching `half_side_m` metres from (lat, lon) in each direction."""
    dlat = half_side_m / M_PER_DEG_LAT
    dlon = half_side_m / (M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 1e-6))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


class WorldTruth:
    """The truth of every landmark of one world and seed (sites built once, values on demand)."""

    def __init__(self, world: World, seed: int = 0, landscape: Landscape | None = None) -> None:
        self.world = world
        self.seed = seed
        self.landscape = landscape or Landscape(world, seed)
        self.landmarks: dict[str, WorldLandmark] = {lm.qid: lm for lm in world.landmarks}
        self._cells: dict[tuple[float, float], list[SiteDesign]] = {}
        self._known: dict[tuple[str, float], SiteTruth] = {}
        self._lock = threading.Lock()
        for design in self.landscape.designs.values():
            cell = climatology.grid_cell(design.lat, design.lon)
            self._cells.setdefault(cell, []).append(design)

    def of(self, qid: str, half_side_m: float = TRUTH_HALF_M) -> SiteTruth:
        """The truth of landmark `qid` over a square of ±`half_side_m` (KeyError if unknown);
        computed once per landmark and square."""
        key = (qid, half_side_m)
        with self._lock:
            known = self._known.get(key)
        if known is None:
            known = self._compute(qid, half_side_m)
            with self._lock:
                self._known[key] = known
        return known

    def _compute(self, qid: str, half_side_m: float) -> SiteTruth:
        landmark = self.landmarks[qid]
        design = self.landscape.designs.get(qid)
        rswk_class = design.true_class if design else true_class(landmark.classes)
        if design is None or landmark.lat is None or landmark.lon is None:
            return SiteTruth(qid, rswk_class, list(landmark.classes), None, None)
        lat, lon = landmark.lat, landmark.lon
        return SiteTruth(
            qid=qid,
            true_class=rswk_class,
            classes=list(landmark.classes),
            lat=lat,
            lon=lon,
            design=design,
            site=self.ground(square_box(lat, lon, half_side_m)),
            climate=self.climate(lat, lon),
            persistently_cloudy=self.landscape.persistently_cloudy(lon, lat),
            half_side_m=half_side_m,
        )

    def climate(self, lat: float, lon: float) -> Climate:
        """The normals the climate API's cell holding (lat, lon) averages to."""
        cell_lat, cell_lon = climatology.grid_cell(lat, lon)
        normals, elevation = self.cell_normals(cell_lat, cell_lon)
        return Climate(
            cell_lat=cell_lat,
            cell_lon=cell_lon,
            elevation_m=elevation,
            temperature_2m_mean_c=round(normals.temperature_mean_c, 2),
            precip_mm_per_year=round(normals.precipitation_mm_per_year, 1),
            wind_speed_10m_mean_m_s=round(normals.wind_speed_m_s, 2),
            surface_pressure_mean_hpa=round(normals.surface_pressure_hpa, 1),
        )

    def cell_normals(self, cell_lat: float, cell_lon: float) -> tuple[climatology.Normals, float]:
        """A grid cell's normals and height: the mean over the landmark sites in it (like a
        reanalysis cell's orography), else the defaults at the background terrain's height."""
        designs = self._cells.get((cell_lat, cell_lon))
        if not designs:
            surface = self.landscape.surface(np.array([cell_lon]), np.array([cell_lat]))
            elevation = round(float(surface.elevation_m[0]), 1)
            return climatology.default_normals(cell_lat, cell_lon, elevation, self.seed), elevation
        mean = {
            name: float(np.mean([getattr(d.normals, name) for d in designs]))
            for name in climatology.Normals.__dataclass_fields__
        }
        elevation = round(float(np.mean([d.elevation_m for d in designs])), 1)
        return climatology.Normals(**mean), elevation

    def ground(self, box: Box, grid: int = TRUTH_GRID) -> Ground:
        """What is on the ground in `box`, sampled at `grid` x `grid` pixel centres."""
        west, south, east, north = box
        lon = (west + (np.arange(grid) + 0.5) * (east - west) / grid)[None, :]
        lat = (north - (np.arange(grid) + 0.5) * (north - south) / grid)[:, None]
        surface = self.landscape.surface(lon, lat)
        cover = surface.cover.ravel()
        fractions = np.bincount(cover, minlength=len(COVER_NAMES)) / cover.size
        codes = worldcover_codes(surface, lat).ravel()
        shares = {
            name: float(np.mean(codes == code))
            for code, name in WORLDCOVER_NAMES.items()
            if np.any(codes == code)
        }
        dominant = min(shares, key=lambda n: (-shares[n], _code_of(n)))
        # Per pixel, the mean over the twelve months of a year (then averaged over the box).
        annual: dict[str, np.ndarray] = {}
        shape = surface.cover.shape
        for month in range(1, 13):
            values = dict(self.landscape.reflectance(surface, lat, month))
            values["NDVI"] = _index(values["B08"], values["B04"])
            values["NDWI"] = _index(values["B03"], values["B08"])
            values["NDBI"] = _index(values["B11"], values["B08"])
            for name, value in values.items():
                annual[name] = annual.get(name, 0.0) + np.broadcast_to(value, shape) / 12.0
        offset = LST_OFFSET_C_BY_CLASS[surface.cover.astype(np.intp)]
        lst = surface.temperature_c + offset + 2.0 * (surface.texture - 0.5)
        return Ground(
            box=box,
            cover_fractions=dict(zip(COVER_NAMES, np.round(fractions, 4).tolist(), strict=True)),
            worldcover_shares={n: round(v, 4) for n, v in sorted(shares.items())},
            land_cover_class=dominant,
            elevation_m=round(float(surface.elevation_m.mean()), 1),
            ndvi_mean_annual=round(float(np.nanmean(annual["NDVI"])), 4),
            ndwi_mean_annual=round(float(np.nanmean(annual["NDWI"])), 4),
            ndbi_mean_annual=round(float(np.nanmean(annual["NDBI"])), 4),
            reflectance={band: round(float(np.mean(annual[band])), 4) for band in BANDS},
            spread={name: round(float(np.nanstd(annual[name])), 4) for name in _SPREAD},
            lst_day_c=round(float(np.mean(lst)), 2),
        )


def _code_of(name: str) -> int:
    return next(code for code, n in WORLDCOVER_NAMES.items() if n == name)


def _index(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((a - b) / (a + b))


_TRUTHS: dict[tuple[int, int], tuple[World, WorldTruth]] = {}
_TRUTHS_LOCK = threading.Lock()


def world_truth(world: World, seed: int = 0) -> WorldTruth:
    """The truth of `world` for a server seed (memoised per world object and seed)."""
    key = (id(world), seed)
    with _TRUTHS_LOCK:
        if key not in _TRUTHS or _TRUTHS[key][0] is not world:
            _TRUTHS[key] = (world, WorldTruth(world, seed))
        return _TRUTHS[key][1]


def truth_for(ctx: ServerContext) -> WorldTruth:
    """The server's truth, built once from its world, seed and landscape."""
    landscape = landscape_for(ctx)  # outside the memo: its lock is not re-entrant
    return ctx.memo("truth", lambda: WorldTruth(ctx.world, ctx.seed, landscape))


@ROUTES.route("/_truth", "truth", methods=("GET",), counted=False)
def truth_index(request: Request, ctx: ServerContext) -> Response:
    """The QIDs whose truth the world can tell."""
    return json_response({"landmarks": sorted(truth_for(ctx).landmarks)})


@ROUTES.route("/_truth/{qid}", "truth", methods=("GET",), counted=False)
def truth_of(request: Request, ctx: ServerContext) -> Response:
    """One landmark's truth; `?half_side_m=` sets the square (default 500 m)."""
    qid = request.path_params["qid"]
    truth = truth_for(ctx)
    if qid not in truth.landmarks:
        return json_response({"error": f"no landmark {qid} in this world"}, 404)
    raw = request.param("half_side_m") or str(TRUTH_HALF_M)
    try:
        half = float(raw)
    except ValueError:
        half = -1.0
    if not 1.0 <= half <= 50_000.0:
        return json_response({"error": f"half_side_m must be 1-50000 metres (got {raw!r})"}, 400)
    return json_response(truth.of(qid, half).as_json())


ROUTES.add_url("truth", lambda base: f"{base}/_truth/{{qid}}")
