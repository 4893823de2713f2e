"""Typed Parquet: every record model round-trips losslessly with structs, maps and real nulls,
and DuckDB / pyarrow read nested fields without any JSON parsing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from crawlers.knowledge.claims import parse_entity
from rswk.core.parquet_codec import (
    StaleShard,
    arrow_schema,
    read_records,
    records_to_table,
    table_to_records,
)
from rswk.core.records import (
    SCHEMA_VERSION,
    AttributesRecord,
    Chunk,
    CuratedLandmark,
    DiscoveredLandmark,
    ImageRecord,
    KnowledgeField,
    KnowledgeRecord,
    LocatedLandmark,
    MajorEvent,
    MonthlyIndex,
    Provenance,
    Rejection,
    RejectReason,
)
from rswk.core.records.claims import claims_from_wikidata, claims_to_wikidata
from rswk.core.records.location import ArticleRef
from rswk.core.runstore import atomic_write_table
from tests.attributes.factories import full_values

REFERENCE = Path("/work/shared/reference/wikidata")
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
IMAGE = bytes(range(256)) * 4


def provenance(detail: str | None = None) -> Provenance:
    return Provenance(
        source_url="https://example.org/source",
        revision="123" if detail else None,
        retrieved_at=WHEN,
        licence="CC-BY-SA-4.0",
        attribution="Wikipedia contributors",
        detail=detail,
    )


def field(value: str, language: str = "en") -> KnowledgeField:
    return KnowledgeField(value=value, language=language, provenance=provenance("Infobox"))


def reference_claims() -> dict[str, list[dict[str, object]]]:
    entity = json.loads((REFERENCE / "Q2112_entity_HEAD.json").read_text())
    return {p: entity["claims"][p] for p in ("P31", "P17", "P131", "P571", "P2046", "P625")}


def located(qid: str = "Q2112") -> LocatedLandmark:
    return LocatedLandmark(
        qid=qid,
        country="DE",
        label="Bielefeld",
        lat=52.0211,
        lon=8.5347,
        coordinate_source="wikidata:P625",
        sources_disagree_m=None,
        distance_to_country_m=0.0,
        articles=[
            ArticleRef(language="de", title="Bielefeld", pageid=3, revid=7, requested_title="B")
        ],
        entity_revision=1867923350,
        entity_claims=claims_from_wikidata(reference_claims()),
        entity_labels={"de": "Bielefeld", "ru": "Билефельд"},
        possible_duplicates=[],
        provenance=provenance("P625"),
        article_provenance=[provenance("article")],
    )


def knowledge(region: KnowledgeField | None = None) -> KnowledgeRecord:
    return KnowledgeRecord(
        qid="Q243",
        country="FR",
        name=field("Eiffel Tower"),
        category=field("tower"),
        region=region,
        country_name=field("France"),
        lat=48.8583,
        lon=2.2945,
        major_events=[
            MajorEvent(event="opening", year=1889, provenance=provenance()),
            MajorEvent(event="fire", year=None, description="x", provenance=provenance()),
        ],
        height_m=330.0,
        heritage_designations=["Q916475"],
        languages=["en", "fr"],
    )


def image() -> ImageRecord:
    return ImageRecord(
        qid="Q243",
        country="FR",
        image=IMAGE,
        format="png",
        width=512,
        height=512,
        provider="xyz",
        zoom=17,
        gsd_m=0.8,
        bbox_4326=(2.29, 48.85, 2.30, 48.86),
        bbox_3857=(254_000.0, 6_250_000.0, 255_000.0, 6_251_000.0),
        acquired=date(2024, 6, 1),
        acquired_end=date(2024, 8, 31),
        attribution="sample",
        licence="CC0-1.0",
        sha256=hashlib.sha256(IMAGE).hexdigest(),
        provenance=provenance(),
    )


def attributes() -> AttributesRecord:
    values = full_values(3)
    values.update(lst_day_c=None, absent={"lst_day_c": "collection 'lst' refused"})
    values["monthly"] = [*values["monthly"][:2], MonthlyIndex(month="2024-03")]
    return AttributesRecord(**values)


EXAMPLES = {
    DiscoveredLandmark: [
        DiscoveredLandmark(
            qid="Q243",
            country="FR",
            label="Eiffel Tower",
            labels={"fr": "tour Eiffel", "en": "Eiffel Tower"},
            classes=["Q1440476"],
            sitelinks=200,
            rank=1,
            titles={"fr": "Tour Eiffel"},
            provenance=provenance(),
        ),
        DiscoveredLandmark(
            qid="Q90",
            country="FR",
            label="Paris",
            classes=[],
            sitelinks=0,
            rank=2,
            lat=48.8,
            lon=2.3,
            pinned=True,
            provenance=provenance("query"),
        ),
    ],
    LocatedLandmark: [located(), located("Q1")],
    KnowledgeRecord: [knowledge(), knowledge(field("Île-de-France", "fr"))],
    ImageRecord: [image()],
    AttributesRecord: [AttributesRecord(**full_values(1)), attributes()],
    Rejection: [
        Rejection(
            qid="Q1",
            country="FR",
            stage="locate",
            reason=RejectReason.NO_COORDINATES,
            detail="no P625",
            rejected_at=WHEN,
        ),
        Rejection(
            qid=None,
            country="FR",
            stage="discover",
            reason=RejectReason.FETCH_FAILED,
            detail="HTTP 503",
            source_url="https://example.org",
        ),
    ],
    Chunk: [
        Chunk(
            qid="Q243",
            country="FR",
            kind="caption",
            number=0,
            text="A tower.",
            language="en",
            name="Eiffel Tower",
            rswk_class="Tower",
            provenance=[provenance()],
        ),
    ],
    CuratedLandmark: [
        CuratedLandmark(
            qid="Q2112",
            country="DE",
            name="Bielefeld",
            language="de",
            rswk_class="Other",
            continent="Europe",
            lat=52.0,
            lon=8.5,
            split="train",
            grid_cell="c1",
            location=located(),
            knowledge=knowledge(),
            image=image(),
            attributes=attributes(),
            rejections=[
                Rejection(
                    qid="Q2112",
                    country="DE",
                    stage="imagery",
                    reason=RejectReason.ALL_CLOUD,
                    detail="cloudy",
                )
            ],
        ),
        CuratedLandmark(
            qid="Q1",
            country="DE",
            name="X",
            language="en",
            rswk_class="Other",
            continent="Europe",
            lat=1.0,
            lon=1.0,
            split="test",
            grid_cell="c2",
            location=located("Q1"),
            flags=["at_sea"],
            merged_qids=["Q5"],
        ),
    ],
}


def _leaf_types(data_type: pa.DataType) -> list[pa.DataType]:
    if pa.types.is_struct(data_type):
        return [t for f in data_type for t in _leaf_types(f.type)]
    if pa.types.is_list(data_type) or pa.types.is_fixed_size_list(data_type):
        return _leaf_types(data_type.value_type)
    if pa.types.is_map(data_type):
        return [*_leaf_types(data_type.key_type), *_leaf_types(data_type.item_type)]
    return [data_type]


@pytest.mark.parametrize("model", list(EXAMPLES), ids=lambda m: m.__name__)
def test_every_model_round_trips_through_parquet(model: type, tmp_path: Path) -> None:
    records = EXAMPLES[model]
    path = tmp_path / "shard.parquet"
    atomic_write_table(path, records_to_table(records, model))
    assert read_records(path, model) == records
    schema = pq.read_schema(path)
    assert schema.metadata[b"rswk.schema_version"] == SCHEMA_VERSION.encode()
    # Nothing nested is hidden in a string: a JSON-looking string value would betray it.
    for column in pq.read_table(path).to_pylist():
        for value in column.values():
            assert not (isinstance(value, str) and value.startswith(("{", "[")))


def test_nested_fields_are_typed_columns() -> None:
    knowledge_schema = arrow_schema(KnowledgeRecord)
    assert pa.types.is_struct(knowledge_schema.field("name").type)
    assert knowledge_schema.field("name").type.field("provenance").type.field(
        "retrieved_at"
    ).type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_list(knowledge_schema.field("major_events").type)
    discovered = arrow_schema(DiscoveredLandmark)
    assert discovered.field("labels").type == pa.map_(pa.string(), pa.string())
    assert arrow_schema(ImageRecord).field("bbox_4326").type == pa.list_(pa.float64(), 4)
    assert arrow_schema(ImageRecord).field("image").type == pa.binary()
    attributes_schema = arrow_schema(AttributesRecord)
    assert attributes_schema.field("ndvi_mean_annual").type == pa.float64()
    assert attributes_schema.field("absent").type == pa.map_(pa.string(), pa.string())
    # Claims are structs of typed values: no JSON anywhere in the located record.
    located_schema = arrow_schema(LocatedLandmark)
    leaves = _leaf_types(located_schema.field("entity_claims").type)
    assert pa.float64() in leaves and pa.int64() in leaves
    assert pa.types.is_list(located_schema.field("entity_claims").type)


def test_unset_optional_fields_are_real_nulls() -> None:
    table = records_to_table(
        [knowledge(), knowledge(field("Île-de-France", "fr"))], KnowledgeRecord
    )
    region = table.column("region")
    assert region.null_count == 1
    assert pc.struct_field(region, "value").to_pylist() == [None, "Île-de-France"]
    assert table.column("city").null_count == 2
    attributes_table = records_to_table([attributes()], AttributesRecord)
    assert attributes_table.column("lst_day_c").null_count == 1
    monthly = attributes_table.column("monthly").to_pylist()[0]
    assert monthly[2] == {"month": "2024-03", **dict.fromkeys(("ndvi_mean", "ndwi_mean",
                          "ndbi_mean", "valid_fraction", "cloud_fraction"))}  # fmt: skip


def test_typed_claims_give_knowledge_the_same_facts_as_raw_wikidata() -> None:
    raw = reference_claims()
    typed = claims_from_wikidata(raw)
    restored = table_to_records(records_to_table([located()], LocatedLandmark), LocatedLandmark)
    assert restored[0].entity_claims == typed
    facts_raw = parse_entity("Q2112", {"claims": raw})
    facts_typed = parse_entity("Q2112", {"claims": claims_to_wikidata(typed)})
    assert facts_typed == facts_raw
    # Independent expectations from the recorded entity: Bielefeld, founded 1214, 258.8 km².
    assert facts_typed.inception is not None and facts_typed.inception.year == 1214
    assert facts_typed.area is not None and facts_typed.area.unit_qid == "Q712226"
    coordinates = [c.value for c in typed if c.property == "P625"]
    assert coordinates[0].lat == pytest.approx(52.02, abs=0.01)
    assert coordinates[0].lon == pytest.approx(8.53, abs=0.01)


def test_duckdb_filters_on_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "knowledge.parquet"
    records = [knowledge(), knowledge(field("Île-de-France", "fr"))]
    atomic_write_table(path, records_to_table(records, KnowledgeRecord))
    rows = duckdb.sql(
        f"SELECT qid, region.value AS region FROM '{path}' "
        "WHERE name.value = 'Eiffel Tower' AND region IS NOT NULL"
    ).fetchall()
    assert rows == [("Q243", "Île-de-France")]
    attributes_path = tmp_path / "attributes.parquet"
    atomic_write_table(attributes_path, records_to_table([attributes()], AttributesRecord))
    months = duckdb.sql(
        f"SELECT m.month FROM (SELECT unnest(monthly) AS m FROM '{attributes_path}') "
        "WHERE m.ndvi_mean IS NULL"
    ).fetchall()
    assert months == [("2024-03",)]


def test_a_shard_of_another_schema_version_is_reported_stale(tmp_path: Path) -> None:
    path = tmp_path / "FR.parquet"
    table = records_to_table(EXAMPLES[Rejection], Rejection)
    old = table.replace_schema_metadata({b"rswk.schema_version": b"1.0.0"})
    pq.write_table(old, path)
    with pytest.raises(StaleShard, match=r"FR\.parquet.*1\.0\.0.*stale.*rerun"):
        read_records(path, Rejection)


def test_writes_are_byte_identical(tmp_path: Path) -> None:
    first = atomic_write_table(
        tmp_path / "a.parquet", records_to_table([located()], LocatedLandmark)
    )
    second = atomic_write_table(
        tmp_path / "b.parquet", records_to_table([located()], LocatedLandmark)
    )
    assert first == second


def test_a_rejection_without_an_answer_has_no_time_rather_than_the_clock() -> None:
    rejection = Rejection(
        qid="Q1", country="FR", stage="imagery", reason=RejectReason.ALL_CLOUD, detail="cloudy"
    )
    assert rejection.rejected_at is None
    table = records_to_table([rejection], Rejection)
    assert table.column("rejected_at").null_count == 1


def test_every_record_model_has_a_round_trip_example() -> None:
    import rswk.core.records as records

    models = {
        obj
        for name in records.__all__
        if isinstance(obj := getattr(records, name), type)
        and issubclass(obj, records.KeyedRecord)
        and obj is not records.KeyedRecord
    }
    assert models | {Rejection} == set(EXAMPLES)
