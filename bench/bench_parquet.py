"""Typed Parquet codec benchmark: records per second written and read back; prints one JSON object.

    .venv/bin/python bench/bench_parquet.py [--records 2000] [--seed 0]

Figures, for `AttributesRecord` (44 columns: twelve monthly structs, a map, six provenance
structs) and `LocatedLandmark` (typed Wikidata claims, a list of structs with qualifiers):
- `write_records_per_s`: records -> Arrow table -> zstd Parquet bytes;
- `read_records_per_s`: Parquet bytes -> validated pydantic records;
- `bytes_per_record`: the Parquet file's size per record.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from rswk.core.parquet_codec import records_to_table, table_to_records
from rswk.core.records import AttributesRecord, LocatedLandmark, MonthlyIndex, Provenance
from rswk.core.records.attributes import ATTRIBUTE_FIELDS
from rswk.core.records.claims import ClaimSnak, EntityClaim

WHEN = datetime(2025, 1, 1, tzinfo=UTC)
PROVENANCE = Provenance(
    source_url="https://sh.dataspace.copernicus.eu/api/v1/statistics",
    retrieved_at=WHEN,
    licence="CC-BY-4.0",
    attribution="Contains modified Copernicus Sentinel data",
)


def attributes(rng: np.random.Generator, n: int) -> AttributesRecord:
    monthly = [
        MonthlyIndex(month=f"2024-{m:02d}", ndvi_mean=round(float(rng.uniform(-1, 1)), 4))
        for m in range(1, 13)
    ]
    absent = {name: "not measured in this benchmark" for name in ATTRIBUTE_FIELDS}
    absent.pop("ndvi_mean_annual")
    return AttributesRecord(
        qid=f"Q{n + 1}", country="FR", label=f"Landmark {n}", lat=float(rng.uniform(-80, 80)),
        lon=float(rng.uniform(-180, 180)), buffer_m=500.0, year=2024, monthly=monthly,
        ndvi_mean_annual=round(float(rng.uniform(-1, 1)), 4), absent=absent,
        image_provenance=PROVENANCE,
    )  # fmt: skip


def located(rng: np.random.Generator, n: int) -> LocatedLandmark:
    claims = [
        EntityClaim(
            property="P31",
            value=ClaimSnak(property="P31", value_type="wikibase-entityid", qid=f"Q{n + 7}"),
            qualifiers=[
                ClaimSnak(
                    property="P585", value_type="time", time="+1889-00-00T00:00:00Z", precision=9
                )
            ],
        ),
        EntityClaim(
            property="P2048",
            value=ClaimSnak(
                property="P2048",
                value_type="quantity",
                amount=float(rng.uniform(1, 800)),
                unit="Q11573",
            ),
        ),
    ]
    return LocatedLandmark(
        qid=f"Q{n + 1}", country="FR", label=f"Landmark {n}", lat=float(rng.uniform(-80, 80)),
        lon=float(rng.uniform(-180, 180)), coordinate_source="wikidata:P625",
        distance_to_country_m=0.0, entity_revision=n + 1, entity_claims=claims,
        entity_labels={"en": f"Landmark {n}", "fr": f"Monument {n}"}, provenance=PROVENANCE,
    )  # fmt: skip


def measure(records: list[Any], model: type[BaseModel]) -> dict[str, float]:
    started = time.perf_counter()
    sink = pa.BufferOutputStream()
    pq.write_table(records_to_table(records, model), sink, compression="zstd")
    data = sink.getvalue()
    written = time.perf_counter() - started
    started = time.perf_counter()
    back = table_to_records(pq.read_table(pa.BufferReader(data)), model)
    read = time.perf_counter() - started
    assert back == records, "the round trip lost something"
    return {
        "write_records_per_s": round(len(records) / written, 1),
        "read_records_per_s": round(len(records) / read, 1),
        "bytes_per_record": round(data.size / len(records), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    result = {
        "benchmark": "parquet_codec",
        "records": args.records,
        "attributes": measure([attributes(rng, n) for n in range(args.records)], AttributesRecord),
        "located": measure([located(rng, n) for n in range(args.records)], LocatedLandmark),
    }
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
