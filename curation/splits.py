"""Spatially blocked, stratified, stable train / validation / test splits.

The Earth is cut into cells of about `cell_km` (rows of equal latitude height, each row cut into
columns of equal ground width) and a whole cell goes to one split: images that overlap cannot sit
on both sides of a train/test line.

Which split a cell gets (`assign_splits`):
1. a cell the split ledger already assigns (the previous release's or the run store's previous
   curation, curation/ledger.py) keeps its split, so a landmark never changes split between
   releases unless its cell does, whatever is added around it;
2. every other cell, in the order of a salted hash of its id, goes to the split whose landmark
   count in the cell's stratum (RSWK class x continent) is furthest below that split's target
   share, weighed together with the cell's class, continent and the whole release (so strata of
   one landmark still fill validation and test). Strata therefore get the ratios by
   construction, not only in expectation: every split of a stratum holds within a landmark or
   two of its target count (a cell is never divided), and so does every class, continent and
   the release.

`split_balance` measures how close each stratum came; `split_of` (the hash alone) is kept as the
baseline the tests compare against.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from rswk.core.records.landmark import SPLITS, Split

KM_PER_DEGREE = 111.32
# (RSWK class, continent): what the splits are stratified by.
Stratum = tuple[str, str]
# What a landmark counts towards: its stratum, its class, its continent and the whole release.
Group = tuple[str, ...]


# The stratum weighs most; the class, continent and whole-release terms mostly decide where a
# stratum alone cannot (its first landmarks).
WEIGHT = {"stratum": 4.0, "class": 1.0, "continent": 1.0, "all": 1.0}


def _groups(stratum: Stratum) -> tuple[Group, ...]:
    rswk_class, continent = stratum
    return (("stratum", rswk_class, continent), ("class", rswk_class),
            ("continent", continent), ("all",))  # fmt: skip


def _count(counts: dict[Group, list[int]], strata: Sequence[Stratum], index: int) -> None:
    for stratum in strata:
        for group in _groups(stratum):
            counts[group][index] += 1


def grid_cell(lat: float, lon: float, cell_km: float = 10.0) -> str:
    """The id of the ~`cell_km` cell holding (lat, lon), e.g. `g10:1377:1882`."""
    height_deg = cell_km / KM_PER_DEGREE
    row = min(int((lat + 90.0) // height_deg), int(180.0 // height_deg))
    centre = -90.0 + (row + 0.5) * height_deg
    columns = max(1, int(360.0 * math.cos(math.radians(min(abs(centre), 89.999))) / height_deg))
    col = min(int((lon + 180.0) / 360.0 * columns), columns - 1)
    return f"g{cell_km:g}:{row}:{col}"


def cell_hash(cell: str, salt: str) -> float:
    """A salted hash of a cell id, uniform in [0, 1)."""
    digest = hashlib.sha256(f"{salt}:{cell}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(cell: str, ratios: tuple[float, float, float], salt: str = "rswk") -> Split:
    """The split of a cell by its hash alone (unstratified): the hash against cumulative ratios."""
    u = cell_hash(cell, salt)
    total = sum(ratios)
    edge = 0.0
    for split, ratio in zip(SPLITS, ratios, strict=True):
        edge += ratio / total
        if u < edge:
            return split
    return SPLITS[-1]


def assign_splits(
    cells: Mapping[str, Sequence[Stratum]],
    ratios: tuple[float, float, float],
    salt: str,
    ledger: Mapping[str, Split],
) -> dict[str, Split]:
    """The split of every cell in `cells` (cell -> the strata of its landmarks, one per landmark).

    Ledger cells keep their split and count first. The others are dealt in hash order, each to
    the split that leaves its groups closest to their targets: the least sum, over the groups of
    the cell's landmarks, of squared (landmarks in a split - target share x landmarks), where a
    landmark counts towards its stratum (weighed 4), its class, its continent and the whole
    release (1 each), each weight ramping up from 0 while the group is smaller than 1 / the
    smallest ratio. Within
    one big stratum that is the split furthest below its target; the class, continent and
    whole-release terms decide for strata of one or two landmarks, which alone would always go
    to train (a small release would then have no test split). A cell of several strata weighs
    each by how many of its landmarks it holds. Ties go to the larger target share, then to the
    earlier split.
    """
    total = sum(ratios)
    targets = [r / total for r in ratios]
    # A group too small for its smallest split to hold one whole landmark cannot be balanced
    # yet: its weight ramps up until it holds this many (10 for 0.8 / 0.1 / 0.1). Without the
    # ramp a one-landmark stratum always prefers train and a small release has no test split.
    meaningful = math.ceil(1 / min(t for t in targets if t > 0) - 1e-9)
    counts: dict[Group, list[int]] = defaultdict(lambda: [0] * len(SPLITS))
    assigned: dict[str, Split] = {}
    for cell in sorted(cells):
        if cell in ledger:
            assigned[cell] = ledger[cell]
            _count(counts, cells[cell], SPLITS.index(ledger[cell]))
    new_cells = sorted((c for c in cells if c not in ledger), key=lambda c: (cell_hash(c, salt), c))
    for cell in new_cells:
        members = Counter(group for stratum in cells[cell] for group in _groups(stratum))

        def cost(index: int, members: Counter[Group] = members) -> tuple[float, float, int]:
            squared = 0.0
            for group, n in members.items():
                have = list(counts[group])
                have[index] += n
                size = sum(have)
                ramp = min(1.0, size / meaningful)
                deviation = sum((h - t * size) ** 2 for h, t in zip(have, targets, strict=True))
                squared += ramp * WEIGHT[group[0]] * deviation
            # Rounded: equal costs summed in another order must tie, not differ in the last bit.
            return round(squared, 9), -targets[index], index

        best = min(range(len(SPLITS)), key=cost)
        assigned[cell] = SPLITS[best]
        _count(counts, cells[cell], best)
    return assigned


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
