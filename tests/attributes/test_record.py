"""AttributesRecord: ranges enforced when built, every missing value explained, flat columns."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import ValidationError

from rswk.core.parquet_codec import records_to_table, table_to_records
from rswk.core.records.attributes import ATTRIBUTE_FIELDS, AttributesRecord
from tests.attributes.factories import full_record, full_values


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ndvi_mean_annual", 1.2),
        ("ndbi_mean_annual", -1.01),
        ("reflectance_b04_mean", 1.5),
        ("valid_fraction_annual", -0.1),
        ("elevation_m", 12_000.0),
        ("lst_day_c", 120.0),
        ("precip_mm_per_year", -3.0),
        ("surface_pressure_mean_hpa", 20.0),
        ("water_fraction", 1.01),
        ("dominant_colours", ["red"]),
        ("ndvi_peak_month", "2024-13"),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: object) -> None:
    values = full_values() | {field: value}
    with pytest.raises(ValidationError, match=field):
        AttributesRecord(**values)


def test_monthly_index_range_is_enforced() -> None:
    values = full_values()
    bad = values["monthly"][0].model_dump() | {"ndvi_mean": -1.5}
    with pytest.raises(ValidationError, match="ndvi_mean"):
        AttributesRecord(**(values | {"monthly": [bad]}))


def test_missing_value_needs_a_reason_and_a_reason_needs_a_missing_value() -> None:
    values = full_values()
    with pytest.raises(ValidationError, match="elevation_m is None but `absent` gives no reason"):
        AttributesRecord(**(values | {"elevation_m": None}))
    with pytest.raises(ValidationError, match="lst_day_c has a value but is also listed"):
        AttributesRecord(**(values | {"absent": {"lst_day_c": "endpoint refused"}}))
    record = AttributesRecord(
        **(values | {"elevation_m": None, "absent": {"elevation_m": "HTTP 404 for 'dem'"}})
    )
    assert record.absent == {"elevation_m": "HTTP 404 for 'dem'"}


def test_flat_columns_carry_year_month_and_unit() -> None:
    flat = full_record().flat_columns()
    assert flat["ndvi_mean_2024"] == 0.31
    assert "ndvi_mean_annual" not in flat
    assert flat["ndvi_mean_2024_07"] == full_record().monthly[6].ndvi_mean
    assert flat["cloud_fraction_2024_12"] == 0.2
    assert flat["precip_mm_per_year"] == 640.0
    # every attribute appears, annual ones renamed with the year
    assert len(flat) == len(ATTRIBUTE_FIELDS) + 12 * 5


def test_parquet_round_trip_is_lossless() -> None:
    records = [full_record(seed) for seed in range(3)]
    table = records_to_table(records, AttributesRecord)
    assert table.schema.field("elevation_m").type == pa.float64()
    assert table_to_records(table, AttributesRecord) == records
