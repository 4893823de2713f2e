"""Per-point cost of the country distance for points outside their country; prints one JSON object.

    .venv/bin/python bench/bench_borders.py [--points 200] [--seed 7]

Points are drawn near the coasts of large, ragged countries (where a landmark misses its polygon:
coastal landmarks, reefs, sign errors), 0.5-40 km off the outline. Figures:
- `before_ms_per_point`: the former method, projecting the country's whole outline into an
  azimuthal equidistant projection (pyproj, WGS84) for every query;
- `after_ms_per_point`: `CountryBorders.distance_to_country_m`, the outline prepared once per
  country (short pieces in an STRtree) and only nearby pieces projected;
- `max_difference_m` / `max_relative_difference`: the largest disagreement between the two
  (sphere vs ellipsoid accounts for up to ~0.5 %).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pyproj
import shapely

from rswk.core.borders import CountryBorders

COUNTRIES = ("US", "CA", "NO", "RU", "AU", "GB", "JP", "FR", "ID", "CL", "GR", "PH")


def whole_outline_distance_m(borders: CountryBorders, lat: float, lon: float, iso2: str) -> float:
    """The method before preparation: project the entire outline for each query."""
    geom = borders.polygon(iso2)
    if shapely.intersects_xy(geom, lon, lat):
        return 0.0
    to_local = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"),
        always_xy=True,
    )
    outline = shapely.transform(geom.boundary, to_local.transform, interleaved=False)
    return float(outline.distance(shapely.Point(0.0, 0.0)))


def coastal_points(
    borders: CountryBorders, n: int, rng: np.random.Generator
) -> list[tuple[float, float, str]]:
    """Points 0.5-40 km outside random outline vertices of COUNTRIES."""
    points: list[tuple[float, float, str]] = []
    while len(points) < n:
        iso2 = str(rng.choice(COUNTRIES))
        coords = shapely.get_coordinates(borders.polygon(iso2).boundary)
        lon, lat = coords[rng.integers(len(coords))]
        step_deg = rng.uniform(0.5, 40.0) / 111.0
        angle = rng.uniform(0, 2 * np.pi)
        lat2 = float(np.clip(lat + step_deg * np.sin(angle), -89.9, 89.9))
        lon2 = float((lon + step_deg * np.cos(angle) + 180) % 360 - 180)
        if not shapely.intersects_xy(borders.polygon(iso2), lon2, lat2):
            points.append((lat2, lon2, iso2))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    borders = CountryBorders.load()
    points = coastal_points(borders, args.points, np.random.default_rng(args.seed))

    start = time.perf_counter()
    before = [whole_outline_distance_m(borders, *p) for p in points]
    before_s = time.perf_counter() - start

    start = time.perf_counter()
    for iso2 in COUNTRIES:  # preparation is once per country: timed apart from the queries
        borders._outline(iso2)
    prepare_s = time.perf_counter() - start
    start = time.perf_counter()
    after = [borders.distance_to_country_m(*p) for p in points]
    after_s = time.perf_counter() - start

    diff = np.abs(np.asarray(before) - np.asarray(after))
    print(
        json.dumps(
            {
                "points": len(points),
                "countries": list(COUNTRIES),
                "before_ms_per_point": round(1000 * before_s / len(points), 3),
                "after_ms_per_point": round(1000 * after_s / len(points), 3),
                "prepare_once_s": round(prepare_s, 3),
                "speedup": round(before_s / after_s, 1),
                "max_difference_m": round(float(diff.max()), 1),
                "max_relative_difference": round(float((diff / np.asarray(before)).max()), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
