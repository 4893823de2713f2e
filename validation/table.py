"""The landmarks table the suite checks: one flat row per curated landmark.

Nested records become the columns an expectation can test: numbers with their unit in the name,
text lengths, whether every provenance carries a licence and an attribution, and curation's
carried image check. `rswk import rswk-v1` produces the same columns from the paper's records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rswk.core.records import CuratedLandmark, Provenance

ATTRIBUTE_COLUMNS = (
    "ndvi_mean_annual",
    "ndwi_mean_annual",
    "ndbi_mean_annual",
    "reflectance_b02_mean",
    "reflectance_b03_mean",
    "reflectance_b04_mean",
    "reflectance_b08_mean",
    "reflectance_b11_mean",
    "reflectance_b12_mean",
    "elevation_m",
    "lst_day_c",
    "temperature_2m_mean_c",
    "precip_mm_per_year",
    "wind_speed_10m_mean_m_s",
    "surface_pressure_mean_hpa",
)
CATEGORICAL_COLUMNS = (
    "country",
    "language",
    "rswk_class",
    "fine_class",
    "continent",
    "split",
    "image_check",
)
LANDMARK_COLUMNS = (
    "qid",
    "country",
    "name",
    "language",
    "rswk_class",
    "fine_class",
    "continent",
    "lat",
    "lon",
    "split",
    "grid_cell",
    "marine",
    "image_check",
    "name_chars",
    "text_chars",
    "licence_complete",
    "attribution_complete",
    *ATTRIBUTE_COLUMNS,
)


def _provenances(row: CuratedLandmark) -> Iterator[Provenance]:
    yield row.location.provenance
    yield from row.location.article_provenance
    if row.knowledge is not None:
        for _, value in row.knowledge:
            provenance = getattr(value, "provenance", None)
            if isinstance(provenance, Provenance):
                yield provenance
        for event in row.knowledge.major_events:
            yield event.provenance
    if row.image is not None:
        yield row.image.provenance
    if row.attributes is not None:
        for name in type(row.attributes).model_fields:
            value = getattr(row.attributes, name)
            if name.endswith("_provenance") and isinstance(value, Provenance):
                yield value


def _text_chars(row: CuratedLandmark) -> int:
    if row.knowledge is None:
        return 0
    return sum(
        len(value.value)
        for _, value in row.knowledge
        if isinstance(getattr(value, "value", None), str)
    )


def landmark_row(row: CuratedLandmark) -> dict[str, Any]:
    """The flat row of one curated landmark."""
    provenances = list(_provenances(row))
    image_terms = [] if row.image is None else [(row.image.licence, row.image.attribution)]
    attributes = row.attributes
    return {
        "qid": row.qid,
        "country": row.country,
        "name": row.name,
        "language": row.language,
        "rswk_class": row.rswk_class,
        "fine_class": row.fine_class,
        "continent": row.continent,
        "lat": row.lat,
        "lon": row.lon,
        "split": row.split,
        "grid_cell": row.grid_cell,
        "marine": row.marine,
        "image_check": row.image_check,
        "name_chars": len(row.name),
        "text_chars": _text_chars(row),
        "licence_complete": all(p.licence.strip() for p in provenances)
        and all(lic.strip() for lic, _ in image_terms),
        "attribution_complete": all(p.attribution.strip() for p in provenances)
        and all(att.strip() for _, att in image_terms),
        **{
            name: (getattr(attributes, name) if attributes is not None else None)
            for name in ATTRIBUTE_COLUMNS
        },
    }


def landmarks_frame(rows: Iterable[CuratedLandmark]) -> Any:
    """A pandas DataFrame of `LANDMARK_COLUMNS`, one row per landmark (float columns as float)."""
    import pandas as pd

    frame = pd.DataFrame([landmark_row(r) for r in rows], columns=list(LANDMARK_COLUMNS))
    return coerce_types(frame)


def coerce_types(frame: Any, *, categories: bool = True) -> Any:
    """Numeric columns as float64 (None -> NaN), flags as bool, text as object; with
    `categories`, the few-valued columns as categorical (after any concatenation: frames with
    different categories concatenate to plain objects)."""
    for name in ("lat", "lon", *ATTRIBUTE_COLUMNS):
        frame[name] = frame[name].astype("float64")
    for name in ("name_chars", "text_chars"):
        frame[name] = frame[name].astype("int64")
    for name in ("marine", "licence_complete", "attribution_complete"):
        frame[name] = frame[name].astype(bool)
    if not categories:
        return frame
    # Few distinct values: categorical codes make GX's per-expectation row filtering cheap
    # (it takes every column for each map metric; 1M-row string takes dominate otherwise).
    for name in CATEGORICAL_COLUMNS:
        frame[name] = frame[name].astype("category")
    return frame
