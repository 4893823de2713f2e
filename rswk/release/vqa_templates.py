"""Question templates over a curated landmark, like the paper's VQA-WK and VQA-RSK.

World-knowledge questions (`world_knowledge`) ask what a person would look up about the place;
remote-sensing questions (`remote_sensing`) ask what the measured attributes say about the area
around it. A question is asked only when its answer is known, so no answer is ever "unknown".
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass

from rswk.core.records.landmark import CuratedLandmark


@dataclass(frozen=True)
class QA:
    """One question about one landmark, its answer, and which template asked it."""

    template: str
    question_type: str
    question: str
    answer: str


Template = Callable[[CuratedLandmark], QA | None]


def _wk(template: str, question: str, answer: str | None) -> QA | None:
    return QA(template, "world_knowledge", question, answer) if answer else None


def _rs(template: str, question: str, answer: str | None) -> QA | None:
    return QA(template, "remote_sensing", question, answer) if answer else None


def ask_name(lm: CuratedLandmark) -> QA | None:
    return _wk("name", "What is the name of the landmark shown in this image?", lm.name)


def ask_country(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = k.country_name.value if k is not None else None
    return _wk("country", "In which country is this landmark located?", answer)


def ask_city(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = k.city.value if k is not None and k.city is not None else None
    return _wk("city", "In which city or municipality is this landmark?", answer)


def ask_category(lm: CuratedLandmark) -> QA | None:
    return _wk("category", "What kind of landmark is this?", lm.fine_class or lm.rswk_class)


def ask_built(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = None
    if k is not None and k.construction_period is not None:
        answer = k.construction_period.value
    elif k is not None and k.inception_year is not None:
        answer = str(k.inception_year)
    return _wk("construction_period", "When was this landmark built?", answer)


def ask_architects(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = ", ".join(k.architects) if k is not None else None
    return _wk("architects", "Who designed this landmark?", answer)


def ask_function(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = k.primary_function.value if k is not None and k.primary_function else None
    return _wk("primary_function", "What is the primary function of this landmark?", answer)


def ask_heritage(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = ", ".join(k.heritage_designations) if k is not None else None
    return _wk("heritage", "Which heritage designations does this landmark hold?", answer)


def ask_height(lm: CuratedLandmark) -> QA | None:
    k = lm.knowledge
    answer = f"{k.height_m:g} m" if k is not None and k.height_m is not None else None
    return _wk("height", "How tall is this landmark?", answer)


def ask_land_cover(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    answer = a.land_cover_class.replace("_", " ") if a is not None and a.land_cover_class else None
    return _rs("land_cover", "What is the dominant land cover around this landmark?", answer)


def ask_ndvi(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None or a.ndvi_mean_annual is None:
        return None
    question = (
        f"What is the mean NDVI within {a.buffer_m:g} m of this landmark over {a.year} "
        "(Sentinel-2)?"
    )
    return _rs("ndvi_annual", question, f"{a.ndvi_mean_annual:.2f}")


def ask_peak_month(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None or a.ndvi_peak_month is None:
        return None
    month = calendar.month_name[int(a.ndvi_peak_month[5:7])]
    question = f"In which month of {a.year} is the vegetation around this landmark greenest?"
    return _rs("ndvi_peak_month", question, month)


def ask_temperature(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None or a.temperature_2m_mean_c is None:
        return None
    question = "What is the mean air temperature (2 m) at this landmark's location?"
    return _rs("temperature", question, f"{a.temperature_2m_mean_c:.1f} °C")


def ask_precipitation(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None or a.precip_mm_per_year is None:
        return None
    question = "How much precipitation falls at this landmark's location in a year?"
    return _rs("precipitation", question, f"{a.precip_mm_per_year:.0f} mm")


def ask_elevation(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None or a.elevation_m is None:
        return None
    return _rs("elevation", "What is the elevation of this landmark?", f"{a.elevation_m:.0f} m")


def ask_dominant_surface(lm: CuratedLandmark) -> QA | None:
    a = lm.attributes
    if a is None:
        return None
    shares = {
        "vegetation": a.vegetation_fraction,
        "water": a.water_fraction,
        "built-up area": a.builtup_fraction,
    }
    known = {k: v for k, v in shares.items() if v is not None}
    if len(known) < len(shares):
        return None
    question = "Which covers more of this image: vegetation, water or built-up area?"
    return _rs("dominant_surface", question, max(known, key=lambda k: known[k]))


TEMPLATES: tuple[Template, ...] = (
    ask_name,
    ask_country,
    ask_city,
    ask_category,
    ask_built,
    ask_architects,
    ask_function,
    ask_heritage,
    ask_height,
    ask_land_cover,
    ask_ndvi,
    ask_peak_month,
    ask_temperature,
    ask_precipitation,
    ask_elevation,
    ask_dominant_surface,
)


def questions_for(landmark: CuratedLandmark) -> list[QA]:
    """Every template's question about `landmark` whose answer is known, in template order."""
    return [qa for template in TEMPLATES if (qa := template(landmark)) is not None]
