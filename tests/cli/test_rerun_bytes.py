"""A forced rerun of every stage, answered from the HTTP cache, rewrites byte-identical files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rswk.cli import main
from rswk.pipeline import STAGES

COUNTRIES = ["FR", "PT", "GB", "CA"]
HASHED = ("shards", "rejected", "stats")


def file_hashes(workdir: Path) -> dict[str, str]:
    """sha256 of every file under each stage's shards/, rejected/ and stats/."""
    return {
        str(path.relative_to(workdir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for stage in STAGES
        for folder in HASHED
        for path in sorted((workdir / stage / folder).glob("*"))
    }


def test_forced_rerun_of_every_stage_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each run starts its own sample world, as a user's does: nothing is shared but the workdir.
    monkeypatch.delenv("RSWK_SAMPLE_WORLD", raising=False)
    countries = [arg for code in COUNTRIES for arg in ("--country", code)]
    args = ["run", "--workdir", str(tmp_path), *countries]
    assert main(args) == 0
    first = file_hashes(tmp_path)
    for stage in STAGES:
        assert any(name.startswith(f"{stage}/shards/") for name in first), stage
    # The times in the shards are the answers' own, not the run's: an image's provenance time
    # equals the Date its tiles were served with, well before the rerun below.
    images = pq.read_table(tmp_path / "imagery" / "shards" / "FR.parquet").to_pylist()
    assert images and all(row["provenance"]["retrieved_at"] is not None for row in images)

    check_typed_shards(tmp_path)

    assert main([*args, "--force"]) == 0
    second = file_hashes(tmp_path)
    changed = sorted(name for name in first if first[name] != second.get(name))
    assert changed == [], f"files that differ after a forced rerun: {changed}"
    assert first.keys() == second.keys()


def check_typed_shards(workdir: Path) -> None:
    """Real stage shards are typed: DuckDB filters on nested fields, unset ones are nulls."""
    knowledge = f"{workdir}/knowledge/shards/*.parquet"
    eiffel = duckdb.sql(
        f"SELECT qid, city.value FROM '{knowledge}' WHERE lower(name.value) LIKE '%eiffel%'"
    ).fetchall()
    assert eiffel == [("Q243", "Paris")]
    in_paris = duckdb.sql(f"SELECT qid FROM '{knowledge}' WHERE city.value = 'Paris'").fetchall()
    assert {"Q243", "Q2981", "Q19675", "Q64436"} <= {qid for (qid,) in in_paris}
    fr = pq.read_table(workdir / "knowledge" / "shards" / "FR.parquet")
    assert pa.types.is_struct(fr.schema.field("region").type)
    unset = [row["qid"] for row in fr.to_pylist() if row["region"] is None]
    assert fr.column("region").null_count == len(unset)
    attributes = f"{workdir}/attributes/shards/*.parquet"
    rows = duckdb.sql(
        f"SELECT qid, ndvi_mean_annual, len(monthly) FROM '{attributes}' "
        "WHERE ndvi_mean_annual BETWEEN -1 AND 1 AND country = 'FR'"
    ).fetchall()
    assert {qid for qid, _, _ in rows} >= {"Q243"}
    assert all(isinstance(ndvi, float) and 0 < months <= 12 for _, ndvi, months in rows)
