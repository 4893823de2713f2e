"""Write one config's splits as `data/<config>/<split>-NNNNN-of-NNNNN.parquet`.

Rows arrive in the `datasets` features' storage form (an image is `{"bytes", "path"}`, a class
label its index) and become a table with the features' Arrow schema, whose `huggingface`
metadata makes readers (the Hub viewer, `load_dataset`) see the `Image` column and the nested
structs as declared. pyarrow writes it directly: a `Dataset` would fingerprint every table it
builds, which cost more than the whole write. A split with no rows gets no file and is not
declared: `load_dataset` cannot read an empty Parquet split (pyarrow's "BatchSize must be greater
than 0"), and a declared split without files is an error too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rswk.core.records.landmark import SPLITS


@dataclass(frozen=True)
class WrittenSplit:
    """The files of one split of one config and how many rows they hold."""

    config: str
    split: str
    files: list[Path]
    rows: int
    num_bytes: int


def split_rows(rows: Sequence[Mapping[str, Any]], splits: Sequence[str]) -> dict[str, list[Any]]:
    """Rows grouped by the split each belongs to (`splits[i]` for `rows[i]`)."""
    grouped: dict[str, list[Any]] = {split: [] for split in SPLITS}
    for row, split in zip(rows, splits, strict=True):
        grouped[split].append(row)
    return grouped


def write_config(
    root: Path,
    config: str,
    rows_by_split: Mapping[str, Sequence[Mapping[str, Any]]],
    features: Any,
    *,
    rows_per_file: int = 2000,
) -> list[WrittenSplit]:
    """Write every split of `config` under `root/data/<config>/`; returns what was written."""
    schema = features.arrow_schema
    written = []
    for split in SPLITS:
        rows = list(rows_by_split.get(split, []))
        if not rows:
            continue
        count = -(-len(rows) // rows_per_file)
        files = []
        num_bytes = 0
        for index in range(count):
            path = root / "data" / config / f"{split}-{index:05d}-of-{count:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            part = rows[index * rows_per_file : (index + 1) * rows_per_file]
            table = pa.Table.from_pylist(part, schema=schema)
            # Small row groups keep the Hub viewer's random access cheap on image columns.
            pq.write_table(table, path, row_group_size=100, compression="zstd")
            files.append(path)
            num_bytes += table.nbytes
        written.append(WrittenSplit(config, split, files, len(rows), num_bytes))
    return written
