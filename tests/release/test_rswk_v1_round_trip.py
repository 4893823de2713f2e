"""The rswk-v1 export reads back through the real `rswk import rswk-v1` to the same records.

The truth is the release's own `landmarks` rows (Parquet); the export and the import are both run
as CLI commands, and every field the layout carries is compared, record by record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from rswk.cli import main
from rswk.core import rswk_v1
from rswk.release.assemble import ReleaseResult
from validation.table import ATTRIBUTE_COLUMNS

# The export rounds coordinates to this many decimals: half a unit of the last one.
COORDINATE_TOLERANCE = 0.5 * 10**-rswk_v1.COORDINATE_DECIMALS + 1e-12


def _release_rows(release: Path) -> dict[str, dict[str, Any]]:
    rows = [
        row
        for path in sorted((release / "data" / "landmarks").glob("*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]
    return {row["qid"]: row for row in rows}


def _value(group: dict[str, Any] | None, field: str) -> str | None:
    cell = (group or {}).get(field)
    return cell["value"] if cell else None


@pytest.fixture(scope="module")
def round_trip(
    sample_release: ReleaseResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any], Path]:
    """(release rows, imported table rows, imported knowledge rows and findings, export dir)."""
    assert sample_release.path is not None
    out = tmp_path_factory.mktemp("rswk-v1-export")
    workdir = tmp_path_factory.mktemp("rswk-v1-import")
    assert main(["export", "--format", "rswk-v1", str(sample_release.path), str(out)]) == 0
    assert main(["import", "rswk-v1", str(out / "rswk_v1.json"), "--workdir", str(workdir)]) == 0
    folder = workdir / "import"
    table = {r["qid"]: r for r in pq.read_table(folder / "rswk_v1.parquet").to_pylist()}
    knowledge = {
        r["qid"]: r for r in pq.read_table(folder / "rswk_v1_knowledge.parquet").to_pylist()
    }
    findings = json.loads((folder / "rswk_v1_findings.json").read_text())
    return _release_rows(sample_release.path), table, {"rows": knowledge, **findings}, out


def test_our_export_imports_without_a_finding(round_trip: Any) -> None:
    release, table, imported, _ = round_trip
    assert imported["findings"] == [] and imported["counts"] == {}
    assert sorted(table) == sorted(release) == sorted(imported["rows"])
    assert len(release) >= 10


def test_landmarks_table_fields_round_trip(round_trip: Any) -> None:
    release, table, _, _ = round_trip
    for qid, truth in release.items():
        got = table[qid]
        assert (got["name"], got["country"], got["rswk_class"]) == (
            truth["name"],
            truth["country"],
            truth["rswk_class"],
        ), qid
        assert got["lat"] == pytest.approx(truth["lat"], abs=COORDINATE_TOLERANCE), qid
        assert got["lon"] == pytest.approx(truth["lon"], abs=COORDINATE_TOLERANCE), qid
        assert got["continent"] == truth["continent"], qid  # derived from country and point
        attributes = truth["attributes"] or {}
        for column in ATTRIBUTE_COLUMNS:
            expected = attributes.get(column)
            if expected is None:
                assert got[column] is None or got[column] != got[column], (qid, column)  # NaN
            else:
                # Surface pressure travels in Pa (the paper's unit) and comes back in hPa.
                assert got[column] == pytest.approx(expected, rel=1e-9), (qid, column)
    measured = sum(
        1 for row in table.values() for c in ATTRIBUTE_COLUMNS if row[c] == row[c] and row[c]
    )
    assert measured > len(table) * 5  # the sample world measures most columns


def test_knowledge_texts_and_the_other_measurements_round_trip(round_trip: Any) -> None:
    release, _, imported, out = round_trip
    rows = imported["rows"]
    for qid, truth in release.items():
        got = rows[qid]
        k = truth["knowledge"] or {}
        for field in rswk_v1.WORLD_KNOWLEDGE_TEXT:
            assert got[field] == _value(k, field), (qid, field)
        place = [_value(k, "city"), _value(k, "region"), _value(k, "country_name")]
        assert got["area"] == ", ".join(p for p in place if p), qid
        assert got["notable_visitors"] == [p["name"] for p in k.get("notable_visitors") or []]
        assert got["major_events"] == [
            {"event": e["event"], "year": e["year"], "description": e["description"]}
            for e in k.get("major_events") or []
        ], qid
        a = truth["attributes"] or {}
        for field in rswk_v1.REMOTE_SENSING_TEXT:
            assert got[field] == (a.get(field) or None), (qid, field)
        for m in rswk_v1.MEASURED:
            if m.column not in ATTRIBUTE_COLUMNS:
                assert got[m.column] == a.get(m.column), (qid, m.column)
        assert got["monthly"] == [
            {f: month[f] for f in rswk_v1.MONTHLY_FIELDS} for month in a.get("monthly") or []
        ], qid
        image = truth["image"]
        if image is None:
            assert got["image_name"] is None
        else:
            assert (out / "images" / got["image_name"]).read_bytes() == image["bytes"], qid
    texts = sum(1 for row in rows.values() for f in rswk_v1.WORLD_KNOWLEDGE_TEXT if row[f])
    events = sum(len(row["major_events"]) for row in rows.values())
    assert texts > len(rows) and events > 0  # the comparison above compared real text


def test_the_papers_spellings_read_as_the_same_fields() -> None:
    """The paper's drifting spelling of one record and our export's spelling import alike."""
    from curation.rswk_v1.importer import import_records

    ours = {
        "ID": "Q243",
        "image_name": "Q243.jpg",
        "world knowledge": {
            "Name": "Eiffel Tower",
            "Category": "Tower",
            "Area": "Paris, Île-de-France, France",
            "Location": "48.858260, 2.294500",
            "Construction_Period": "1887–1889",
        },
        "remote sensing expert knowledge": {
            "LST_Day_1km (°C)": 14.29,
            "surface_pressure (Pa)": 100862.0,
            "SR_B2 (surface reflectance, 0-1)": 0.07812,
        },
    }
    papers = {
        "ID": "Q243",
        "image_name": "Q243.jpg",
        "world knowledge": {
            "name": "Eiffel Tower",
            "category": "tower",
            "Area": "Paris, France",
            "Location": "48°51′29.7″N 2°17′40.2″E",
            "Construction Period": "1887–1889",
        },
        "remote sensing expert knowledge": {
            "LST_Day_1km": "14.29°C",
            "surface_pressure": "100862.0Pa",
            "SR_B2": 0.07812,
        },
    }
    (a,), (b,) = import_records([ours]).rows, import_records([papers]).rows
    for column in ("qid", "name", "country", "rswk_class", "lst_day_c"):
        assert a[column] == b[column], column
    assert a["surface_pressure_mean_hpa"] == b["surface_pressure_mean_hpa"]
    assert a["surface_pressure_mean_hpa"] == pytest.approx(1008.62)
    assert b["lat"] == pytest.approx(a["lat"], abs=1e-4)
    assert a["reflectance_b02_mean"] == b["reflectance_b02_mean"] == 0.07812
    paper_kinds = {f.kind for f in import_records([papers]).findings}
    # The paper's defects stay visible: units inside strings, a reflectance without its scale.
    assert {"unit_in_string", "unit_missing", "key_variant"} <= paper_kinds
    assert import_records([ours]).findings == []
