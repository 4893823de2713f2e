"""A split with no rows is left out of a config rather than written as an unreadable empty file."""

from __future__ import annotations

from pathlib import Path

import datasets

from rswk.release.parquet_writer import write_config


def test_an_empty_split_gets_no_file_and_the_others_load(tmp_path: Path) -> None:
    features = datasets.Features({"qid": datasets.Value("string"), "n": datasets.Value("int64")})
    rows = {
        "train": [{"qid": f"Q{i}", "n": i} for i in range(5)],
        "validation": [],
        "test": [{"qid": "Q9", "n": 9}],
    }
    written = write_config(tmp_path, "demo", rows, features, rows_per_file=2)
    assert {w.split: (w.rows, len(w.files)) for w in written} == {"train": (5, 3), "test": (1, 1)}
    assert not list((tmp_path / "data" / "demo").glob("validation-*"))
    loaded = datasets.load_dataset(
        "parquet", data_files={w.split: [str(f) for f in w.files] for w in written}
    )
    assert loaded["train"]["n"] == [0, 1, 2, 3, 4]
    assert loaded["test"]["qid"] == ["Q9"]
    assert loaded["train"].features == features
