"""A clean landmarks table, seeded: real points inside their countries, exact 80/10/10 splits by
grid cell, attributes in range, complete provenance. Breakers turn it into a table that breaks
one expectation each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from curation.splits import grid_cell
from rswk.core.borders import CountryBorders
from validation.table import LANDMARK_COLUMNS, coerce_types

COUNTRIES = ("FR", "DE", "IT", "ES", "JP", "BR", "US", "EG")
CLASSES = ("Tower", "Church", "Museum", "Park", "Bridge", "Other")


def clean_frame(n: int = 200, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    borders = CountryBorders.load()
    rows: list[dict[str, Any]] = []
    cells: set[str] = set()
    for i in range(n * 4):
        if len(rows) == n:
            break
        country = COUNTRIES[i % len(COUNTRIES)]
        ((lat, lon),) = borders.random_points_in(country, 1, rng)
        cell = grid_cell(lat, lon)
        if cell in cells:
            continue
        cells.add(cell)
        k = len(rows)
        rows.append(
            {
                "qid": f"Q{1000 + k}",
                "country": country,
                "name": f"Landmark {k}",
                "language": "en",
                "rswk_class": CLASSES[k % len(CLASSES)],
                "fine_class": "tower",
                "continent": borders.continent(country),
                "lat": lat,
                "lon": lon,
                # Exactly 80 / 10 / 10: eight train rows, then one validation, one test.
                "split": "train" if k % 10 < 8 else ("validation" if k % 10 == 8 else "test"),
                "grid_cell": cell,
                "marine": False,
                "image_check": "ok",
                "name_chars": len(f"Landmark {k}"),
                "text_chars": 500 + k,
                "licence_complete": True,
                "attribution_complete": True,
                "ndvi_mean_annual": rng.uniform(-0.2, 0.8),
                "ndwi_mean_annual": rng.uniform(-0.5, 0.3),
                "ndbi_mean_annual": rng.uniform(-0.4, 0.4),
                **{
                    f"reflectance_{b}_mean": rng.uniform(0.01, 0.4)
                    for b in ("b02", "b03", "b04", "b08", "b11", "b12")
                },
                "elevation_m": rng.uniform(0, 2000),
                "lst_day_c": rng.uniform(-5, 45),
                "temperature_2m_mean_c": rng.uniform(-5, 30),
                "precip_mm_per_year": rng.uniform(50, 3000),
                "wind_speed_10m_mean_m_s": rng.uniform(0, 10),
                "surface_pressure_mean_hpa": rng.uniform(800, 1030),
            }
        )
    return coerce_types(pd.DataFrame(rows, columns=list(LANDMARK_COLUMNS)))


Breaker = Callable[[pd.DataFrame], pd.DataFrame]


def _set(column: str, value: Any, row: int = 0) -> Breaker:
    def breaker(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            if value is not None and value not in frame[column].cat.categories:
                frame[column] = frame[column].cat.add_categories([value])
            frame.loc[row, column] = value
        elif value is None and frame[column].dtype.kind == "f":
            frame.loc[row, column] = np.nan
        else:
            frame[column] = frame[column].astype(object) if value is None else frame[column]
            frame.loc[row, column] = value
        return frame

    return breaker


def _cast(column: str, dtype: str) -> Breaker:
    def breaker(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame[column] = frame[column].astype(dtype)
        return frame

    return breaker


def _drop_column(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["continent"])


def _one_country(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["country"] = "FR"
    return frame


def _all_train(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["split"] = "train"
    return frame


def _cell_in_two_splits(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    test_row = int(np.flatnonzero(frame["split"] == "test")[0])
    frame.loc[test_row, "grid_cell"] = frame.loc[0, "grid_cell"]  # row 0 is train
    return frame


def _qid_in_two_splits(frame: pd.DataFrame) -> pd.DataFrame:
    twin = frame.iloc[[0]].copy()
    twin["split"] = "test"
    twin["grid_cell"] = "g10:0:0"
    return pd.concat([frame, twin], ignore_index=True)


def _duplicate_qid(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[1, "qid"] = frame.loc[0, "qid"]
    return frame


def _out_at_sea(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[0, ["lat", "lon"]] = [30.0, -40.0]  # mid-Atlantic
    return frame


def _range(column: str, value: float) -> Breaker:
    return _set(column, value)


BREAKERS: dict[str, Breaker] = {
    "schema": _drop_column,
    "rows_present": lambda frame: frame.head(0),
    **{
        f"{c}_not_null": _set(c, None)
        for c in (
            "qid",
            "country",
            "name",
            "language",
            "rswk_class",
            "continent",
            "lat",
            "lon",
            "split",
            "grid_cell",
        )
    },
    "lat_type": _cast("lat", "str"),
    "lon_type": _cast("lon", "str"),
    "name_chars_type": _cast("name_chars", "float64"),
    "text_chars_type": _cast("text_chars", "float64"),
    "licence_complete_type": _cast("licence_complete", "str"),
    "marine_type": _cast("marine", "str"),
    "qid_unique": _duplicate_qid,
    "qid_format": _set("qid", "rswk-v1:008374"),
    "country_format": _set("country", "fra"),
    "lat_range": _range("lat", 95.0),
    "lon_range": _range("lon", 200.0),
    "class_known": _set("rswk_class", "Castle"),
    "split_known": _set("split", "dev"),
    "name_length": _set("name_chars", 0),
    "text_length": _set("text_chars", 0),
    **{
        f"{c}_range": _range(c, 1.5)
        for c in ("ndvi_mean_annual", "ndwi_mean_annual", "ndbi_mean_annual")
    },
    **{
        f"reflectance_{b}_mean_range": _range(f"reflectance_{b}_mean", 15265.9)
        for b in ("b02", "b03", "b04", "b08", "b11", "b12")
    },
    "lst_day_c_plausible": _range("lst_day_c", 299.4),  # Kelvin left unconverted
    "temperature_2m_mean_c_plausible": _range("temperature_2m_mean_c", 285.0),
    "precip_mm_per_year_plausible": _range("precip_mm_per_year", -3.0),
    "wind_speed_10m_mean_m_s_plausible": _range("wind_speed_10m_mean_m_s", 476.0),
    "surface_pressure_mean_hpa_plausible": _range("surface_pressure_mean_hpa", 101541.77),  # Pa
    "elevation_m_plausible": _range("elevation_m", 12000.0),
    "licence_everywhere": _set("licence_complete", False),
    "attribution_everywhere": _set("attribution_complete", False),
    "enough_countries": _one_country,
    "split_proportions": _all_train,
    "no_cell_in_two_splits": _cell_in_two_splits,
    "no_qid_in_two_splits": _qid_in_two_splits,
    "point_in_country": _out_at_sea,
    "image_decodes_not_blank": _set("image_check", "blank"),
    "fine_class_known": _set("fine_class", None),
    "has_image": _set("image_check", None),
}
