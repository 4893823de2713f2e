"""`rswk import rswk-v1`: the Location parser on real-world string forms, values with units, key
variants, and the import of a small file of our own in the paper's layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curation.rswk_v1.coordinates import parse_location
from curation.rswk_v1.importer import import_records, read_records
from curation.rswk_v1.values import parse_quantity
from rswk.cli import main
from rswk.core.rswk_v1 import canonical_key

DATA = Path(__file__).parent / "data" / "rswk_v1_small_test.json"


@pytest.mark.parametrize(
    ("text", "lat", "lon", "form"),
    [
        ("48.8584, 2.2945", 48.8584, 2.2945, "decimal"),
        ("-33.8568 151.2153", -33.8568, 151.2153, "decimal"),
        ("40.6892, -74.0445", 40.6892, -74.0445, "decimal"),
        ("53.8388°N 1.7879°W", 53.8388, -1.7879, "hemisphere"),
        ("22.9519° S, 43.2105° W", -22.9519, -43.2105, "hemisphere"),
        ("N 53.8388, W 1.7879", 53.8388, -1.7879, "hemisphere"),
        ("40°11′27″N 29°02′46″E", 40 + 11 / 60 + 27 / 3600, 29 + 2 / 60 + 46 / 3600, "dms"),
        ("40°11'27\"N 29°02'46\"E", 40 + 11 / 60 + 27 / 3600, 29 + 2 / 60 + 46 / 3600, "dms"),
        ("40° 11′ 27″ N, 29° 02′ 46″ E", 40 + 11 / 60 + 27 / 3600, 29 + 2 / 60 + 46 / 3600, "dms"),
        (
            "33°51′24.5″S 151°12′55″E",
            -(33 + 51 / 60 + 24.5 / 3600),
            151 + 12 / 60 + 55 / 3600,
            "dms",
        ),
        ("51°30′N 0°7′W", 51.5, -(7 / 60), "dms"),
        (
            "31°47′08″N 35°12′44″E  /  31.78556°N 35.21222°E  / 31.78556; 35.21222",
            31.78556,
            35.21222,
            "wikipedia",
        ),
        ("0°N 0°E", 0.0, 0.0, "hemisphere"),
    ],
)
def test_location_forms(text: str, lat: float, lon: float, form: str) -> None:
    parsed = parse_location(text)
    assert parsed.form == form and parsed.finding is None
    assert parsed.lat == pytest.approx(lat, abs=1e-4)
    assert parsed.lon == pytest.approx(lon, abs=1e-4)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Rome, Italy", "place_name"),
        ("Saltaire, Bradford, West Yorkshire", "place_name"),
        ("", "unparsed"),
        ("95°N 10°E", "unparsed"),  # out of range
        ("40°75′N 29°E", "unparsed"),  # 75 minutes
    ],
)
def test_locations_that_are_not_coordinates_are_flagged(text: str, form: str) -> None:
    parsed = parse_location(text)
    assert (parsed.lat, parsed.lon, parsed.form) == (None, None, form)
    assert parsed.finding


def test_wikipedia_parts_that_disagree_are_flagged() -> None:
    parsed = parse_location("41°N 12°E / 45.0; 12.0")
    assert parsed.lat == 41.0 and parsed.finding and "disagree" in parsed.finding


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("26.27°C", 26.27, "°C"),
        ("588.25mm", 588.25, "mm"),
        ("101541.77Pa", 101541.77, "Pa"),
        ("-1.1m/s", -1.1, "m/s"),
        ("155.88°", 155.88, "°"),
        (0.35, 0.35, None),
        (13, 13.0, None),
        ("0.35", 0.35, None),
    ],
)
def test_numbers_and_units_out_of_strings(raw: object, value: float, unit: str | None) -> None:
    quantity = parse_quantity(raw)
    assert quantity is not None
    assert (quantity.value, quantity.unit) == (pytest.approx(value), unit)
    assert parse_quantity("n/a") is None and parse_quantity(True) is None


def test_key_variants_merge() -> None:
    assert canonical_key("EMIS(Surface emissivity)") == canonical_key("EMIS") == "emis"
    assert canonical_key("world knowledge") == "world_knowledge"


def test_import_of_a_small_file_gives_the_expected_rows_and_findings() -> None:
    result = import_records(read_records(DATA), split="test")
    rows = {row["qid"]: row for row in result.rows}
    assert list(rows) == [f"rswk-v1:90000{i}" for i in range(1, 6)]
    galata = rows["rswk-v1:900001"]
    assert (galata["country"], galata["rswk_class"]) == ("TR", "Tower")
    assert galata["lat"] == pytest.approx(41.02611, abs=1e-4)
    assert galata["lst_day_c"] == 24.10 and galata["surface_pressure_mean_hpa"] == 1005.12
    assert galata["reflectance_b02_mean"] == 14000.5  # stored as given; validation flags it
    assert rows["rswk-v1:900002"]["rswk_class"] == "Church"  # "church" matched case-insensitively
    assert rows["rswk-v1:900002"]["lst_day_c"] is None  # "27.5" has no unit: not guessed
    assert rows["rswk-v1:900003"]["lat"] is None  # a place name
    assert rows["rswk-v1:900004"]["country"] == "GB"
    assert rows["rswk-v1:900004"]["rswk_class"] == "Castle"
    assert rows["rswk-v1:900004"]["lon"] == pytest.approx(-3.20083, abs=1e-4)

    found = {(f.record, f.kind) for f in result.findings}
    expected = {
        ("900003", "location_place_name"),
        ("900004", "unknown_class"),
        ("900002", "key_variant"),
        ("900002", "unit_missing"),
        ("900001", "duplicate_name"),
        ("900005", "duplicate_name"),
        ("900005", "missing_field"),
        ("900001", "unit_in_string"),
    }
    assert expected <= found
    conflict = next(
        f
        for f in result.findings
        if f.record == "900002" and f.kind == "key_variant" and "vs" in f.detail
    )
    assert "0.96" in conflict.detail and "0.95" in conflict.detail
    missing = {
        f.field: f.detail
        for f in result.findings
        if f.record == "900005" and f.kind == "missing_field"
    }
    assert "precipitation" in missing["remote_sensing_expert_knowledge"]
    assert "construction_period" in missing["world_knowledge"]


def test_import_then_validate_lists_the_defects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "rswk-v1", str(DATA), "--workdir", str(tmp_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == 5 and summary["findings"]["location_place_name"] == 1
    table = tmp_path / "import" / "rswk_v1.parquet"
    assert main(["validate", "--workdir", str(tmp_path), "--table", str(table)]) == 1
    out = tmp_path / "validate" / "tables" / "rswk_v1"
    results = json.loads((out / "results.json").read_text())
    assert (out / "data_docs" / "index.html").exists()
    assert not (tmp_path / "validate" / "pass.json").exists()  # an import is never released
    failed = {o["id"]: o for o in results["outcomes"] if not o["success"]}
    for expectation in (
        "qid_format",  # no Wikidata QIDs in the paper's records
        "class_known",  # "Castle"
        "lat_not_null",  # "Siena, Italy"
        "licence_everywhere",
        "reflectance_b02_mean_range",  # scaled integers, not 0-1 reflectance
    ):
        assert expectation in failed, expectation
    assert failed["class_known"]["examples"] == ['"Castle"']
    assert failed["lat_not_null"]["unexpected"] == 1
    assert "point_in_country" not in failed  # every parsed point lies in its country
