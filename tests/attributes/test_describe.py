"""Templated description texts: deterministic, built from the numbers, silent on what is absent."""

from __future__ import annotations

from crawlers.attributes.describe import image_description, rs_description
from rswk.core.records.attributes import AttributesRecord
from tests.attributes.factories import full_record, full_values


def test_rs_description_states_the_numbers() -> None:
    record = full_record()
    text = rs_description(record)
    assert text.startswith("Around Eiffel Tower (within 500 m), vegetation is moderate")
    assert "mean NDVI 0.31 in 2024" in text
    peak = next(m for m in record.monthly if m.month == record.ndvi_peak_month)
    assert f"at {peak.ndvi_mean:.2f})" in text
    assert "annual precipitation of 640 mm" in text
    assert "(2014–2023)" in text
    assert "35 m above sea level" in text


def test_texts_are_deterministic() -> None:
    assert rs_description(full_record(5)) == rs_description(full_record(5))
    assert image_description(full_record(5)) == image_description(full_record(5))


def test_absent_attributes_leave_their_sentence_out() -> None:
    climate = (
        "temperature_2m_mean_c",
        "precip_mm_per_year",
        "wind_speed_10m_mean_m_s",
        "surface_pressure_mean_hpa",
    )
    values = full_values() | {name: None for name in climate}
    values["absent"] = {name: "climate API failed" for name in climate}
    text = rs_description(AttributesRecord(**values))
    assert "climate" not in text.lower()
    assert "NDVI" in text


def test_image_description_and_its_absence() -> None:
    text = image_description(full_record())
    assert "vegetation covers a large share (30%), water 5% and built-up surfaces 50%" in text
    assert "#808080" in text
    image_fields = (
        "vegetation_fraction",
        "water_fraction",
        "builtup_fraction",
        "brightness_mean",
        "edge_density",
        "dominant_colours",
    )
    values = full_values() | {name: None for name in image_fields}
    values["absent"] = {name: "no image from the imagery stage" for name in image_fields}
    text = image_description(AttributesRecord(**values))
    assert text == "No image of Eiffel Tower could be analysed (no image from the imagery stage)."
