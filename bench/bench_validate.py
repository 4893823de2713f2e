"""Validation benchmark: the full landmarks suite (custom expectations included) over synthetic
tables; prints one JSON object.

    .venv/bin/python bench/bench_validate.py [--rows 14141 1000000] [--seed 3]

Tables have the release's columns (validation/table.py): points drawn inside 175 countries,
splits by grid cell, attributes in range, images already checked at curation (their result is a
column, not decoded again). The 1,000,000-row table repeats a 14,141-row base with unique QIDs.
Figures per size: `suite_s` (checkpoint run without Data Docs), `with_docs_s` (results JSON and
offline Data Docs written too, 14,141 rows only) and `passed`. `gx_import_s` is the one-off cost
of importing great_expectations, paid once per process and not part of the suite time. Goals:
<= 5 s at 14,141 rows and <= 15 s at 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

BASE_ROWS = 14_141
N_COUNTRIES = 175


def base_frame(rows: int, seed: int) -> Any:
    import pandas as pd

    from curation.splits import grid_cell, split_of
    from rswk.core.borders import CountryBorders
    from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES
    from validation.table import LANDMARK_COLUMNS, coerce_types

    rng = np.random.default_rng(seed)
    borders = CountryBorders.load()
    # The largest countries by polygon area first: points spread like a world release.
    codes = sorted(borders.iso_codes(), key=lambda c: -borders.polygon(c).area)[:N_COUNTRIES]
    per_country = np.full(len(codes), rows // len(codes))
    per_country[: rows - per_country.sum()] += 1
    classes = [*RSWK_CLASSES, OTHER_CLASS]
    data: dict[str, list[Any]] = {name: [] for name in LANDMARK_COLUMNS}
    for code, count in zip(codes, per_country, strict=True):
        continent = borders.continent(code)
        for lat, lon in borders.random_points_in(code, int(count), rng):
            cell = grid_cell(lat, lon)
            data["country"].append(code)
            data["continent"].append(continent)
            data["lat"].append(lat)
            data["lon"].append(lon)
            data["grid_cell"].append(cell)
            data["split"].append(split_of(cell, (0.8, 0.1, 0.1)))
    n = len(data["lat"])
    data["qid"] = [f"Q{i + 1}" for i in range(n)]
    data["name"] = [f"Landmark {i}" for i in range(n)]
    data["language"] = ["en"] * n
    data["rswk_class"] = [classes[i % len(classes)] for i in range(n)]
    data["fine_class"] = ["tower"] * n
    data["marine"] = [False] * n
    data["image_check"] = ["ok"] * n
    data["name_chars"] = [len(x) for x in data["name"]]
    data["text_chars"] = rng.integers(200, 5000, n).tolist()
    data["licence_complete"] = [True] * n
    data["attribution_complete"] = [True] * n
    for name, low, high in (
        ("ndvi_mean_annual", -0.2, 0.8),
        ("ndwi_mean_annual", -0.5, 0.3),
        ("ndbi_mean_annual", -0.4, 0.4),
        ("reflectance_b02_mean", 0.01, 0.4),
        ("reflectance_b03_mean", 0.01, 0.4),
        ("reflectance_b04_mean", 0.01, 0.4),
        ("reflectance_b08_mean", 0.01, 0.6),
        ("reflectance_b11_mean", 0.01, 0.6),
        ("reflectance_b12_mean", 0.01, 0.6),
        ("elevation_m", 0, 3000),
        ("lst_day_c", -10, 45),
        ("temperature_2m_mean_c", -10, 30),
        ("precip_mm_per_year", 20, 3000),
        ("wind_speed_10m_mean_m_s", 0, 12),
        ("surface_pressure_mean_hpa", 700, 1030),
    ):
        data[name] = rng.uniform(low, high, n).tolist()
    return coerce_types(pd.DataFrame(data, columns=list(LANDMARK_COLUMNS)))


def repeat_to(frame: Any, rows: int) -> Any:
    """`frame` repeated to `rows` rows with fresh QIDs (same points, cells and splits)."""
    import pandas as pd

    copies = -(-rows // len(frame))
    big = pd.concat([frame] * copies, ignore_index=True).head(rows).copy()
    big["qid"] = [f"Q{i + 1}" for i in range(rows)]
    return big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[BASE_ROWS, 1_000_000])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    import great_expectations  # noqa: F401

    import validation.expectations  # noqa: F401

    gx_import_s = time.perf_counter() - start

    from rswk.core.borders import CountryBorders
    from rswk.core.config import load_config
    from validation.run import validate_frame

    config = load_config("world", workdir=Path(tempfile.mkdtemp(prefix="rswk-bench-")))
    CountryBorders.load()
    base = base_frame(BASE_ROWS, args.seed)
    validate_frame(base.head(500), config)  # warm-up: GX's registries and first-use caches
    figures: dict[str, Any] = {"gx_import_s": round(gx_import_s, 2), "sizes": {}}
    for rows in args.rows:
        frame = base.head(rows) if rows <= len(base) else repeat_to(base, rows)
        start = time.perf_counter()
        report = validate_frame(frame, config)
        entry: dict[str, Any] = {
            "suite_s": round(time.perf_counter() - start, 2),
            "passed": report.success,
            "expectations": len(report.outcomes),
            "failed": [o.id for o in report.outcomes if not o.success],
        }
        if rows <= BASE_ROWS:
            start = time.perf_counter()
            validate_frame(frame, config, config.workdir / "validate")
            entry["with_docs_s"] = round(time.perf_counter() - start, 2)
        figures["sizes"][str(rows)] = entry
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
