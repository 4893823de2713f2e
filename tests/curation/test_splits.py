"""Splits: spatially blocked (a grid cell is in one split), stratified by class x continent by
construction, and stable when landmarks are added (the split ledger is honoured)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.ledger import (
    LEDGER_FILE,
    Ledgers,
    read_ledger,
    read_ledgers,
    release_ledger,
    write_ledger,
)
from curation.splits import Stratum, assign_splits, grid_cell, split_of
from rswk.core.errors import RSWKError
from rswk.core.landmark_classes import RSWK_CLASSES
from rswk.core.records.landmark import SPLITS, Split
from rswk.core.runstore import RunStore

RATIOS = (0.8, 0.1, 0.1)
SALT = "rswk"
CONTINENTS = ("Africa", "Asia", "Europe", "North America", "Oceania", "South America")
Landmark = tuple[str, float, float, Stratum]


def _landmarks(seed: int, n: int, near: list[Landmark] | None = None) -> list[Landmark]:
    """`n` landmarks over 16 classes x 6 continents of very unequal sizes (lognormal weights);
    half cluster around shared centres (so cells hold several landmarks, of mixed strata), and
    with `near`, a fifth sit beside those landmarks (new landmarks in existing cells)."""
    rng = np.random.default_rng(seed)
    strata = [(c, k) for c in RSWK_CLASSES for k in CONTINENTS]
    weights = np.random.default_rng(0).lognormal(0, 1, len(strata))  # same strata sizes per seed
    chosen = rng.choice(len(strata), n, p=weights / weights.sum())
    centres = rng.uniform(-50, 60, (max(n // 20, 1), 2))
    out = []
    for i, s in enumerate(chosen):
        roll = rng.random()
        if near and roll < 0.2:
            _, lat, lon, _ = near[int(rng.integers(len(near)))]
            lat, lon = lat + rng.normal(0, 0.005), lon + rng.normal(0, 0.005)
        elif roll < 0.6:
            c = centres[int(rng.integers(len(centres)))]
            lat, lon = c[0] + rng.normal(0, 0.05), c[1] * 3 + rng.normal(0, 0.05)
        else:
            lat, lon = rng.uniform(-55, 70), rng.uniform(-180, 180)
        out.append((f"Q{seed * 100_000 + i + 1}", float(lat), float(lon), strata[int(s)]))
    return out


def _cells(landmarks: list[Landmark]) -> dict[str, list[Stratum]]:
    cells: dict[str, list[Stratum]] = defaultdict(list)
    for _, lat, lon, stratum in landmarks:
        cells[grid_cell(lat, lon)].append(stratum)
    return cells


def _splits(landmarks: list[Landmark], split_of_cell: Mapping[str, Split]) -> dict[str, Split]:
    return {qid: split_of_cell[grid_cell(lat, lon)] for qid, lat, lon, _ in landmarks}


def _deviations(
    landmarks: list[Landmark], split: Callable[[str], Split], min_size: int = 10
) -> dict[Stratum, tuple[int, float, float]]:
    """Per stratum of at least `min_size`: (size, worst |count - target| in landmarks, worst
    |share - target share|)."""
    counts: dict[Stratum, Counter[str]] = defaultdict(Counter)
    for _, lat, lon, stratum in landmarks:
        counts[stratum][split(grid_cell(lat, lon))] += 1
    out = {}
    for stratum, c in counts.items():
        n = sum(c.values())
        if n >= min_size:
            worst = max(abs(c[s] - r * n) for s, r in zip(SPLITS, RATIOS, strict=True))
            out[stratum] = (n, worst, worst / n)
    return out


def test_cells_are_about_10_km() -> None:
    # 0.05 degrees of latitude (5.6 km) apart: at most one cell boundary between them.
    assert grid_cell(48.80, 2.30) != grid_cell(48.95, 2.30)  # 16.7 km: different rows
    near = {grid_cell(48.8584 + d, 2.2945) for d in (0.0, 0.001, 0.002)}
    assert len(near) == 1  # 100-200 m apart: one cell
    # Columns keep ~10 km of ground width at high latitude too (not 10 km of longitude degrees).
    assert grid_cell(69.0, 18.0) != grid_cell(69.0, 18.3)  # 12 km apart at 69 N


def test_no_qid_and_no_cell_in_two_splits() -> None:
    landmarks = _landmarks(3, 3_000)
    dealt = assign_splits(_cells(landmarks), RATIOS, SALT, {})
    splits_of_cell: dict[str, set[str]] = defaultdict(set)
    splits_of_qid: dict[str, set[str]] = defaultdict(set)
    for qid, lat, lon, _ in landmarks:
        cell = grid_cell(lat, lon)
        splits_of_cell[cell].add(dealt[cell])
        splits_of_qid[qid].add(dealt[cell])
    assert max(len(s) for s in splits_of_cell.values()) == 1
    assert max(len(s) for s in splits_of_qid.values()) == 1
    assert len(splits_of_qid) == len(landmarks)
    assert len(splits_of_cell) < 0.8 * len(landmarks)  # the clusters really share cells


def test_every_stratum_gets_the_ratios_and_hashing_alone_does_not() -> None:
    landmarks = _landmarks(7, 4_000)
    dealt = assign_splits(_cells(landmarks), RATIOS, SALT, {})
    ours = _deviations(landmarks, dealt.__getitem__)
    hashed = _deviations(landmarks, lambda cell: split_of(cell, RATIOS, SALT))
    assert len(ours) >= 60  # many strata of 10+ landmarks, some only a dozen
    assert min(n for n, _, _ in ours.values()) < 15
    # By construction: every split of every stratum within 2.5 landmarks of its target count
    # (a cell is never divided, and a cell of mixed strata counts in each), within 0.1 of its
    # share for the smallest strata, and closer for the large ones.
    assert max(w for _, w, _ in ours.values()) <= 2.5
    assert all(share <= 0.1 + 1e-9 for _, _, share in ours.values())
    assert all(share <= 0.03 for n, _, share in ours.values() if n >= 100)
    # The hash alone gets the ratios only in expectation: measurably worse.
    assert max(w for _, w, _ in hashed.values()) > 3 * max(w for _, w, _ in ours.values())
    mean = {
        name: float(np.mean([share for _, _, share in d.values()]))
        for name, d in (("ours", ours), ("hashed", hashed))
    }
    assert mean["hashed"] > 2.5 * mean["ours"]
    # The marginals (per class, per continent) follow.
    overall = Counter(dealt[grid_cell(lat, lon)] for _, lat, lon, _ in landmarks)
    assert abs(overall["train"] / len(landmarks) - 0.8) < 0.01


def test_adding_landmarks_never_moves_an_old_one_and_honours_the_ledger() -> None:
    first = _landmarks(11, 2_500)
    ledger = assign_splits(_cells(first), RATIOS, SALT, {})
    added = _landmarks(12, 1_500, near=first)  # new cells and new landmarks in old cells
    cells = _cells(first + added)
    assert sum(1 for c in _cells(added) if c in ledger) > 200  # old cells really get new ones
    dealt = assign_splits(cells, RATIOS, SALT, ledger)
    before, after = _splits(first, ledger), _splits(first + added, dealt)
    assert all(after[qid] == split for qid, split in before.items())
    assert all(dealt[cell] == split for cell, split in ledger.items())
    # New cells still make up the strata's deficits: the whole stays within tolerance.
    assert max(w for _, w, _ in _deviations(first + added, dealt.__getitem__).values()) <= 3.5
    # A ledger is honoured even where it unbalances a stratum: new cells make up for it.
    lopsided: dict[str, Split] = {cell: "test" for cell in ledger}
    redealt = assign_splits(cells, RATIOS, SALT, lopsided)
    assert all(redealt[cell] == "test" for cell in ledger)
    new_cells = [c for c in cells if c not in ledger]
    assert Counter(redealt[c] for c in new_cells)["test"] == 0


def test_the_same_input_gives_the_same_splits() -> None:
    landmarks = _landmarks(5, 2_000)
    cells = _cells(landmarks)
    reordered = dict(reversed(list(cells.items())))
    assert assign_splits(cells, RATIOS, SALT, {}) == assign_splits(reordered, RATIOS, SALT, {})
    # Another salt deals the cells in another order (a new release line), same balance.
    other = assign_splits(cells, RATIOS, "other", {})
    assert other != assign_splits(cells, RATIOS, SALT, {})
    assert max(w for _, w, _ in _deviations(landmarks, other.__getitem__).values()) <= 2.5


def test_a_mixed_cell_weighs_each_of_its_strata() -> None:
    church, museum = ("Church", "Europe"), ("Museum", "Europe")
    # Ten churches already at 8 / 1 / 1, nine museums all in train. A cell of one church and
    # one museum goes to validation: the museums need it more than the churches mind it (a
    # church alone among the churches, or a tie by name, would have gone to train).
    ledger: dict[str, Split] = {f"c{i}": "train" for i in range(8)}
    ledger.update({"c8": "validation", "c9": "test"})
    ledger.update({f"m{i}": "train" for i in range(9)})
    cells: dict[str, list[Stratum]] = {c: [church if c[0] == "c" else museum] for c in ledger}
    cells["mixed"] = [church, museum]
    assert assign_splits(cells, RATIOS, SALT, ledger)["mixed"] == "validation"
    churches = {c: cells[c] for c in cells if c[0] == "c"}
    church_ledger = {c: ledger[c] for c in churches}
    alone = assign_splits({**churches, "mixed": [church]}, RATIOS, SALT, church_ledger)
    assert alone["mixed"] == "train"


def _release(releases: Path, version: str, with_ledger: dict[str, Split] | None) -> Path:
    root = releases / f"rswk-{version}"
    (root / "data" / "landmarks").mkdir(parents=True)
    manifest = {"release_version": version, "features_sha256": "x"}
    (root / "manifest.json").write_text(json.dumps(manifest))
    if with_ledger is not None:
        write_ledger(root / LEDGER_FILE, with_ledger, SALT, 10)
    return root


def test_ledger_files_round_trip_and_the_newest_release_is_read(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILE
    cells: dict[str, Split] = {"g10:2:1": "test", "g10:1:1": "train"}
    sha = write_ledger(path, cells, SALT, 10)
    assert read_ledger(path, SALT) == cells
    assert write_ledger(tmp_path / "again.parquet", dict(reversed(cells.items())), SALT, 10) == sha
    assert read_ledger(path, "another salt") == {}  # a new salt starts a new release line
    assert read_ledger(tmp_path / "absent.parquet", SALT) == {}

    releases = tmp_path / "releases"
    _release(releases, "1.0.0", {"g10:1:1": "validation"})
    _release(releases, "1.2.0", {"g10:1:1": "test", "g10:3:3": "train"})
    assert release_ledger(releases, SALT) == {"g10:1:1": "test", "g10:3:3": "train"}
    # A release from before the ledger: its landmark rows carry the cell and split.
    old = _release(releases, "1.10.0", None)
    pq.write_table(
        pa.table({"qid": ["Q1"], "grid_cell": ["g10:5:5"], "split": ["validation"]}),
        old / "data" / "landmarks" / "validation-00000-of-00001.parquet",
    )
    assert release_ledger(releases, SALT) == {"g10:5:5": "validation"}


def test_the_release_ledger_wins_and_its_conflicts_are_what_lineage_sees(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "work")
    write_ledger(store.stage("curate").root / LEDGER_FILE, {"a": "train", "b": "test"}, SALT, 10)
    _release(tmp_path / "releases", "1.0.0", {"a": "validation", "c": "train"})
    ledgers = read_ledgers(store, tmp_path / "releases", SALT)
    assert ledgers.combined() == {"a": "validation", "b": "test", "c": "train"}
    assert ledgers.conflicts() == [("a", "validation", "train")]
    # A release built from this run agrees with it: nothing to redo.
    assert Ledgers(release={"a": "train"}, run={"a": "train", "b": "test"}).conflicts() == []


def test_a_broken_ledger_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILE
    pq.write_table(pa.table({"cell": ["a", "a"], "split": ["train", "test"]}), path)
    with pytest.raises(RSWKError, match=r"cell a is in two splits"):
        read_ledger(path, SALT)
    pq.write_table(pa.table({"cell": ["a"], "split": ["holdout"]}), path)
    with pytest.raises(RSWKError, match=r"split 'holdout'"):
        read_ledger(path, SALT)
    path.write_text("not parquet")
    with pytest.raises(RSWKError, match=r"not a split ledger"):
        read_ledger(path, SALT)


def test_a_small_release_of_one_landmark_strata_still_fills_validation_and_test() -> None:
    # 50 landmarks far apart, each its own class x continent stratum: a stratum alone would
    # send every one of them to train; the class / continent / release terms share them out.
    for size in (15, 50):
        cells = {f"g10:{i}:0": [(f"class-{i % 17}", f"continent-{i % 6}")] for i in range(size)}
        dealt = Counter(assign_splits(cells, RATIOS, SALT, {}).values())
        for split, ratio in zip(SPLITS, RATIOS, strict=True):
            assert dealt[split] >= 1 and abs(dealt[split] - size * ratio) <= 1, (size, dealt)
