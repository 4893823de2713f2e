"""Splits: spatially blocked (a grid cell is in one split), stable when landmarks are added."""

from __future__ import annotations

from collections import Counter

import numpy as np

from curation.splits import grid_cell, split_balance, split_of
from rswk.core.records.landmark import SPLITS

RATIOS = (0.8, 0.1, 0.1)


def _landmarks(seed: int, n: int) -> list[tuple[str, float, float]]:
    rng = np.random.default_rng(seed)
    lats = rng.uniform(-60, 70, n)
    lons = rng.uniform(-180, 180, n)
    return [
        (f"Q{seed * 100_000 + i + 1}", float(a), float(o))
        for i, (a, o) in enumerate(zip(lats, lons, strict=True))
    ]


def _assign(landmarks: list[tuple[str, float, float]]) -> dict[str, tuple[str, str]]:
    out = {}
    for qid, lat, lon in landmarks:
        cell = grid_cell(lat, lon)
        out[qid] = (cell, split_of(cell, RATIOS))
    return out


def test_cells_are_about_10_km() -> None:
    # 0.05 degrees of latitude (5.6 km) apart: at most one cell boundary between them.
    assert grid_cell(48.80, 2.30) != grid_cell(48.95, 2.30)  # 16.7 km: different rows
    near = {grid_cell(48.8584 + d, 2.2945) for d in (0.0, 0.001, 0.002)}
    assert len(near) == 1  # 100-200 m apart: one cell
    # Columns keep ~10 km of ground width at high latitude too (not 10 km of longitude degrees).
    assert grid_cell(69.0, 18.0) != grid_cell(69.0, 18.3)  # 12 km apart at 69 N


def test_no_qid_and_no_cell_in_two_splits() -> None:
    # Dense clusters so that many cells hold several landmarks.
    rng = np.random.default_rng(3)
    centres = rng.uniform(-50, 50, (40, 2))
    points = [
        (f"Q{i + 1}", float(c[0] + rng.normal(0, 0.03)), float(c[1] + rng.normal(0, 0.03)))
        for i, c in enumerate(np.repeat(centres, 25, axis=0))
    ]
    assigned = _assign(points)
    splits_of_cell: dict[str, set[str]] = {}
    for cell, split in assigned.values():
        splits_of_cell.setdefault(cell, set()).add(split)
    assert max(len(s) for s in splits_of_cell.values()) == 1
    assert sum(1 for qid in assigned) == len({q for q, *_ in points})
    assert len(splits_of_cell) < len(points) / 2  # the clusters really share cells


def test_splits_stay_when_landmarks_are_added() -> None:
    before = _assign(_landmarks(1, 2_000))
    after = _assign(_landmarks(1, 2_000) + _landmarks(2, 3_000))
    assert all(after[qid] == before[qid] for qid in before)


def test_ratios_hold_per_stratum_in_expectation() -> None:
    landmarks = _landmarks(5, 20_000)
    assigned = _assign(landmarks)
    counts = Counter(split for _, split in assigned.values())
    assert abs(counts["train"] / 20_000 - 0.8) < 0.02
    # Strata (here: hemispheres) get the ratios too, since the hash ignores them.
    rows = [("north" if lat > 0 else "south", assigned[qid][1]) for qid, lat, _ in landmarks]
    balance = split_balance(rows, RATIOS)
    assert all(abs(d) < 0.03 for stratum in balance.values() for d in stratum.values())
    assert set(next(iter(balance.values()))) == set(SPLITS)
    # A different salt reshuffles (a new release line), the same salt never does.
    assert split_of("g10:1:1", RATIOS, "a") == split_of("g10:1:1", RATIOS, "a")
