"""How many landmarks a generated world places per country when it is shaped by quotas.

A crawler lists at most `quota` landmarks of a country. A world spread by area offers far more
than that in big countries (the surplus is cut) and fewer in small ones (quota places go
unused), so the crawl keeps far fewer than the quotas add up to. Shaped by quotas, the world
offers each country the landmarks its quota asks for plus a margin, so every country with land
can fill its quota and the crawl cuts exactly the margin.

The quotas are plain data handed in by whoever starts the world (`rswk sample-world serve` reads
the country registry; the world itself reads no product file): ISO code -> `CountryDemand`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.vocabulary import RSWK_CLASSES

# Landmarks offered beyond a country's share of N, so a few unusable ones (a point a crawler's
# borders put at sea, a duplicate title...) still leave the quota full. The crawl cuts the rest.
MARGIN_SHARE = 0.05
MIN_MARGIN = 2


@dataclass(frozen=True)
class CountryDemand:
    """What a crawler asks of one country: `quota` landmarks, at least `class_minimum` of
    every class (the country file's keys of the same names)."""

    quota: int
    class_minimum: int = 0


@dataclass(frozen=True)
class QuotaPlan:
    """Per placeable country: `targets` (its share of N, what a crawl can keep) and `counts`
    (landmarks placed: the target plus the margin); `unplaceable`: code -> quota of the
    countries without land in the world (no polygon of their own), which get none."""

    targets: dict[str, int]
    counts: dict[str, int]
    unplaceable: dict[str, int]


def margin(target: int) -> int:
    """Landmarks placed beyond a country's target (none when the target is 0)."""
    return max(MIN_MARGIN, math.ceil(MARGIN_SHARE * target)) if target > 0 else 0


def plan_by_quota(
    n_landmarks: int, demands: Mapping[str, CountryDemand], placeable: Collection[str]
) -> QuotaPlan:
    """N shared among the placeable countries in proportion to their quotas (largest
    remainder, ties by code), each target topped up by `margin` and, with a class minimum, to
    enough landmarks that every class can meet it. With N = the placeable quotas' sum every
    target is exactly the quota."""
    unplaceable = {c: d.quota for c, d in sorted(demands.items()) if c not in placeable}
    codes = sorted(c for c in demands if c in placeable)
    total = sum(demands[c].quota for c in codes)
    if total <= 0:
        raise SampleWorldError(
            "generated world: no quota falls on a country with land "
            f"(no polygon for {', '.join(unplaceable) or 'any country'}); give quotas to "
            "countries such as FR, US or JP"
        )
    shares = {c: demands[c].quota * n_landmarks / total for c in codes}
    targets = {c: math.floor(shares[c]) for c in codes}
    leftover = n_landmarks - sum(targets.values())
    for code in sorted(codes, key=lambda c: (targets[c] - shares[c], c))[:leftover]:
        targets[code] += 1
    counts = {
        c: max(t + margin(t), len(RSWK_CLASSES) * demands[c].class_minimum) if t else 0
        for c, t in targets.items()
    }
    return QuotaPlan(targets=targets, counts=counts, unplaceable=unplaceable)
