"""Templated description texts built from the attributes: deterministic, no language model.

`rs_description` is RSWK's "remote-sensing expert knowledge" paragraph (indices, reflectance,
terrain, climate); `image_description` describes what the image shows. Each sentence appears only
when its numbers exist, so a landmark with missing attributes gets a shorter text, never a wrong
one. Numbers are rounded for reading; the exact values are in the record's columns.
"""

from __future__ import annotations

import calendar

from rswk.core.records.attributes import AttributesRecord

# Upper bounds of qualitative classes, checked in order (value < bound -> word).
NDVI_WORDS = ((0.0, "absent"), (0.2, "sparse"), (0.4, "moderate"), (0.6, "dense"))
NDWI_WORDS = ((-0.3, "no open water"), (0.0, "little open water"), (0.2, "some open water"))
NDBI_WORDS = ((-0.2, "little built-up surface"), (0.0, "some built-up surface"))
SHARE_WORDS = ((0.05, "almost none"), (0.25, "a small share"), (0.5, "a large share"))
BRIGHTNESS_WORDS = ((0.25, "dark"), (0.45, "moderately bright"), (0.65, "bright"))
# Monthly NDVI varying less than this has no peak worth naming.
FLAT_SEASON = 0.05
EDGE_WORDS = ((0.05, "smooth"), (0.15, "moderately textured"), (0.3, "finely structured"))


def qualify(value: float, words: tuple[tuple[float, str], ...], top: str) -> str:
    """The word of the first class whose upper bound exceeds `value`, else `top`."""
    for bound, word in words:
        if value < bound:
            return word
    return top


def rs_description(record: AttributesRecord) -> str:
    """The expert-knowledge paragraph for one landmark."""
    sentences = [
        _vegetation_sentence(record),
        _water_builtup_sentence(record),
        _observation_sentence(record),
        _reflectance_sentence(record),
        _terrain_sentence(record),
        _climate_sentence(record),
    ]
    text = " ".join(s for s in sentences if s)
    return text or f"No remote-sensing attributes could be measured around {record.label}."


def image_description(record: AttributesRecord) -> str:
    """What the landmark's image shows, from the image-derived attributes."""
    if record.vegetation_fraction is None or record.brightness_mean is None:
        reason = record.absent.get("vegetation_fraction", "no image")
        return f"No image of {record.label} could be analysed ({reason})."
    fractions = (
        f"vegetation covers {_share(record.vegetation_fraction)} "
        f"({_pct(record.vegetation_fraction)}), water {_pct(record.water_fraction or 0.0)} "
        f"and built-up surfaces {_pct(record.builtup_fraction or 0.0)}"
    )
    brightness = qualify(record.brightness_mean, BRIGHTNESS_WORDS, "very bright")
    texture = qualify(record.edge_density or 0.0, EDGE_WORDS, "densely structured")
    text = (
        f"An overhead image centred on {record.label}: {fractions} of the scene. "
        f"The scene is {brightness} (mean brightness {record.brightness_mean:.2f}) and "
        f"{texture} (edge density {record.edge_density or 0.0:.2f})."
    )
    if record.dominant_colours:
        text += f" Dominant colours: {', '.join(record.dominant_colours)}."
    return text


def _vegetation_sentence(r: AttributesRecord) -> str:
    if r.ndvi_mean_annual is None:
        return ""
    word = qualify(r.ndvi_mean_annual, NDVI_WORDS, "very dense")
    text = (
        f"Around {r.label} (within {r.buffer_m:g} m), vegetation is {word} "
        f"(mean NDVI {r.ndvi_mean_annual:.2f} in {r.year}"
    )
    peak = _peak(r)
    monthly = [m.ndvi_mean for m in r.monthly if m.ndvi_mean is not None]
    if peak is not None and max(monthly) - min(monthly) >= FLAT_SEASON:
        month, value = peak
        text += f", peaking in {month} at {value:.2f}"
    elif len(monthly) > 1:
        text += ", with little change through the year"
    return text + ")."


def _peak(r: AttributesRecord) -> tuple[str, float] | None:
    if r.ndvi_peak_month is None:
        return None
    for entry in r.monthly:
        if entry.month == r.ndvi_peak_month and entry.ndvi_mean is not None:
            return calendar.month_name[int(entry.month[5:7])], entry.ndvi_mean
    return None


def _water_builtup_sentence(r: AttributesRecord) -> str:
    parts = []
    if r.ndwi_mean_annual is not None:
        word = qualify(r.ndwi_mean_annual, NDWI_WORDS, "extensive open water")
        parts.append(f"{word} (mean NDWI {r.ndwi_mean_annual:.2f})")
    if r.ndbi_mean_annual is not None:
        word = qualify(r.ndbi_mean_annual, NDBI_WORDS, "extensive built-up surface")
        parts.append(f"{word} (mean NDBI {r.ndbi_mean_annual:.2f})")
    if not parts:
        return ""
    return f"The area shows {' and '.join(parts)}."


def _observation_sentence(r: AttributesRecord) -> str:
    if r.valid_fraction_annual is None:
        return ""
    text = f"{_pct(r.valid_fraction_annual)} of Sentinel-2 observations were clear"
    if r.cloud_fraction_annual is not None:
        text += f" and {_pct(r.cloud_fraction_annual)} cloudy"
    missing = sorted(k for k in r.absent if k.startswith("monthly_"))
    if missing:
        text += f"; {len(missing)} month(s) had no usable statistics"
    return text + "."


def _reflectance_sentence(r: AttributesRecord) -> str:
    bands = [("red", r.reflectance_b04_mean), ("near-infrared", r.reflectance_b08_mean)]
    present = [f"{name} {value:.3f}" for name, value in bands if value is not None]
    if not present:
        return ""
    return f"Mean surface reflectance: {', '.join(present)}."


def _terrain_sentence(r: AttributesRecord) -> str:
    parts = []
    if r.elevation_m is not None:
        parts.append(f"lies at {r.elevation_m:.0f} m above sea level")
    if r.land_cover_class is not None:
        parts.append(f"is mapped as {r.land_cover_class.replace('_', ' ')}")
    if r.lst_day_c is not None:
        parts.append(f"has a mean daytime land surface temperature of {r.lst_day_c:.1f} °C")
    if not parts:
        return ""
    return f"The site {_join(parts)}."


def _climate_sentence(r: AttributesRecord) -> str:
    parts = []
    if r.temperature_2m_mean_c is not None:
        parts.append(f"a mean 2 m air temperature of {r.temperature_2m_mean_c:.1f} °C")
    if r.precip_mm_per_year is not None:
        parts.append(f"annual precipitation of {r.precip_mm_per_year:.0f} mm")
    if r.wind_speed_10m_mean_m_s is not None:
        parts.append(f"a mean 10 m wind speed of {r.wind_speed_10m_mean_m_s:.1f} m/s")
    if r.surface_pressure_mean_hpa is not None:
        parts.append(f"a mean surface pressure of {r.surface_pressure_mean_hpa:.0f} hPa")
    if not parts:
        return ""
    period = ""
    if r.climate_provenance is not None and r.climate_provenance.time_range:
        start, _, end = r.climate_provenance.time_range.partition("/")
        period = f" ({start[:4]}–{end[:4]})"
    return f"Its climate{period} has {_join(parts)}."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _share(value: float) -> str:
    return qualify(value, SHARE_WORDS, "most")
