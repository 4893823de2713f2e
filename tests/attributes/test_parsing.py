"""Parsing service answers: partial Statistical API results, annual aggregates, climate normals."""

from __future__ import annotations

import pytest

from crawlers.attributes.climate import reduce_daily
from crawlers.attributes.optional_collections import first_interval_outputs, read_land_cover
from crawlers.attributes.ranges import check_values
from crawlers.attributes.statistical import Area, parse_sentinel2
from tests.attributes.answers import climate_answer, s2_answer, s2_month


def test_partial_answer_keeps_good_months_and_records_bad_ones() -> None:
    answer = s2_answer(2024, seed=1, errors={3: "EXECUTION_ERROR", 11: "TIMEOUT"})
    stats = parse_sentinel2(answer, 2024)
    months = [m.month for m in stats.monthly]
    assert len(months) == 10 and "2024-03" not in months and "2024-11" not in months
    assert stats.absent["monthly_2024_03"] == "Statistical API error: EXECUTION_ERROR: injected"
    assert stats.absent["monthly_2024_11"].startswith("Statistical API error: TIMEOUT")
    good = {e["interval"]["from"][:7]: e for e in answer["data"] if "outputs" in e}
    for month in stats.monthly:
        expected = good[month.month]["outputs"]["indices"]["bands"]["NDVI"]["stats"]["mean"]
        assert month.ndvi_mean == expected
    assert stats.values["ndvi_mean_annual"] is not None


def test_string_errors_and_missing_months_are_recorded() -> None:
    answer = {
        "data": [
            {"interval": {"from": "2024-01-01T00:00:00Z"}, "error": "EXECUTION_ERROR"},
            s2_month("2024-02", 0.3),
        ]
    }
    stats = parse_sentinel2(answer, 2024)
    assert stats.absent["monthly_2024_01"] == "Statistical API error: EXECUTION_ERROR"
    assert stats.absent["monthly_2024_05"] == "no Sentinel-2 acquisition in this month"
    assert [m.month for m in stats.monthly] == ["2024-02"]


def test_annual_values_weight_months_by_clear_share_and_find_the_peak() -> None:
    answer = {
        "data": [
            s2_month("2024-01", 0.1, clear=0.9, cloud=0.1),
            s2_month("2024-07", 0.7, clear=0.1, cloud=0.9),
        ]
    }
    values = parse_sentinel2(answer, 2024).values
    assert values["ndvi_mean_annual"] == pytest.approx((0.1 * 0.9 + 0.7 * 0.1) / 1.0, abs=1e-4)
    assert values["ndvi_peak_month"] == "2024-07"
    assert values["cloud_fraction_annual"] == pytest.approx(0.5)
    assert values["reflectance_b02_mean"] == pytest.approx(0.05)


def test_all_cloud_year_leaves_annual_values_absent_with_reason() -> None:
    answer = {"data": [s2_month(f"2024-{m:02d}", 0.3, clear=0.0, cloud=1.0) for m in (1, 2)]}
    stats = parse_sentinel2(answer, 2024)
    assert stats.values["ndvi_mean_annual"] is None
    assert stats.absent["ndvi_mean_annual"] == "no cloud-free Sentinel-2 pixel in 2024"


def test_out_of_range_source_values_become_explained_absences() -> None:
    values = {"reflectance_b04_mean": 1.7, "elevation_m": 120.0}
    absent: dict[str, str] = {}
    check_values(values, absent)
    assert values == {"reflectance_b04_mean": None, "elevation_m": 120.0}
    assert absent["reflectance_b04_mean"].startswith("source value 1.7 rejected")


def test_climate_normals_from_daily_series() -> None:
    answer = climate_answer(days=730, seed=3)
    values, absent = reduce_daily(answer)
    daily = answer["daily"]
    assert absent == {}
    assert values["precip_mm_per_year"] == pytest.approx(
        sum(daily["precipitation_sum"]) / 2 * 365.25 / 365, rel=1e-3
    )
    assert values["temperature_2m_mean_c"] == pytest.approx(
        sum(daily["temperature_2m_mean"]) / 730, abs=0.01
    )


def test_climate_units_are_converted_or_refused() -> None:
    in_kmh = reduce_daily(climate_answer(days=10, seed=4, wind_unit="km/h"))[0]
    in_ms = reduce_daily(climate_answer(days=10, seed=4))[0]
    ms_value = in_ms["wind_speed_10m_mean_m_s"]
    assert ms_value is not None
    assert in_kmh["wind_speed_10m_mean_m_s"] == pytest.approx(ms_value / 3.6, abs=0.01)
    values, absent = reduce_daily(climate_answer(days=10, seed=4, wind_unit="furlong/fortnight"))
    assert values["wind_speed_10m_mean_m_s"] is None
    assert "unknown unit" in absent["wind_speed_10m_mean_m_s"]
    values, absent = reduce_daily({"daily": {}})
    assert set(absent) == set(values)


def test_land_cover_is_the_largest_share() -> None:
    outputs = {
        "land_cover": {
            "bands": {
                "tree_cover": {"stats": {"mean": 0.2}},
                "built_up": {"stats": {"mean": 0.5}},
                "permanent_water": {"stats": {"mean": 0.3}},
            }
        }
    }
    assert read_land_cover(outputs) == "built_up"
    assert first_interval_outputs({"data": [{"error": {"type": "X"}}]})[0] is None


@pytest.mark.parametrize("lat", [0.0, 45.0, 60.0, -60.0])
def test_buffer_box_is_buffer_metres_each_way(lat: float) -> None:
    area = Area(lat, 10.0, buffer_m=500, resolution_m=20)
    west, south, east, north = area.bbox()
    assert (north - south) * 111_320 == pytest.approx(1000, rel=1e-6)
    assert area.size() == (50, 50)
    assert west < 10.0 < east
