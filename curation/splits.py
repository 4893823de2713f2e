"""Spatially blocked, stable train / validation / test splits.

The Earth is cut into cells of about `cell_km` (rows of equal latitude height, each row cut into
columns of equal ground width), and a cell's split comes from a hash of its id: landmarks in one
cell share a split, so images that overlap cannot sit on both sides of a train/test line, and a
landmark keeps its split across releases unless its cell changes (new landmarks never move old
ones). Because the hash ignores class and continent, every class and continent gets the ratios
in expectation (stratified by construction); `split_balance` measures how close each stratum is.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from rswk.core.records.landmark import SPLITS, Split

KM_PER_DEGREE = 111.32


def grid_cell(lat: float, lon: float, cell_km: float = 10.0) -> str:
    """The id of the ~`cell_km` cell holding (lat, lon), e.g. `g10:1377:1882`."""
    height_deg = cell_km / KM_PER_DEGREE
    row = min(int((lat + 90.0) // height_deg), int(180.0 // height_deg))
    centre = -90.0 + (row + 0.5) * height_deg
    columns = max(1, int(360.0 * math.cos(math.radians(min(abs(centre), 89.999))) / height_deg))
    col = min(int((lon + 180.0) / 360.0 * columns), columns - 1)
    return f"g{cell_km:g}:{row}:{col}"


def split_of(cell: str, ratios: tuple[float, float, float], salt: str = "rswk") -> Split:
    """The split of a cell: its hash (uniform in [0, 1)) against the cumulative ratios."""
    digest = hashlib.sha256(f"{salt}:{cell}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(ratios)
    edge = 0.0
    for split, ratio in zip(SPLITS, ratios, strict=True):
        edge += ratio / total
        if u < edge:
            return split
    return SPLITS[-1]


def split_balance(
    rows: Iterable[tuple[str, Split]], ratios: tuple[float, float, float]
) -> dict[str, dict[str, float]]:
    """Per stratum (e.g. a class or continent): share of each split minus its target ratio."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for stratum, split in rows:
        counts[stratum][split] += 1
    total = sum(ratios)
    return {
        stratum: {
            split: round(c[split] / sum(c.values()) - ratio / total, 4)
            for split, ratio in zip(SPLITS, ratios, strict=True)
        }
        for stratum, c in sorted(counts.items())
    }
