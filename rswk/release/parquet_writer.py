"""Write one config's splits as `data/<config>/<split>-NNNNN-of-NNNNN.parquet` with `datasets`.

`datasets` writes the Parquet files itself, so each carries the `huggingface` schema metadata
that makes readers (the Hub viewer, `load_dataset("parquet", ...)`) see the `Image` column and
the nested structs as declared. Every split gets at least one file, empty if it has no rows, so
each declared split loads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()  # a progress bar per Parquet file is noise in a release log
    written = []
    for split in SPLITS:
        rows = list(rows_by_split.get(split, []))
        dataset = Dataset.from_list(rows, features=features)
        count = max(1, -(-len(rows) // rows_per_file))
        files = []
        num_bytes = 0
        for index in range(count):
            path = root / "data" / config / f"{split}-{index:05d}-of-{count:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            part = dataset.shard(num_shards=count, index=index, contiguous=True)
            part.to_parquet(str(path))
            files.append(path)
            num_bytes += part.data.nbytes
        written.append(WrittenSplit(config, split, files, len(rows), num_bytes))
    return written
