"""Generated sample worlds shaped by the country registry's quotas.

The sample world reads no product file (tests/sampleworld/test_imports.py): the product hands
it the quotas as plain data. This is that hand-over, used by `rswk sample-world serve` and by
benchmarks that want a world the crawl can fill (N = 14,141 with the shipped registry: every
country with land offers its quota plus a margin).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping

from rswk.core.countries import CountryRegistry
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.quota_placement import CountryDemand, QuotaPlan, plan_by_quota
from rswk.sampleworld.world import World

QUOTA_LINE = re.compile(r"^quota: \d+$", re.MULTILINE)


def with_quota(text: str, quota: int) -> str:
    """A country file's text with its `quota:` line set to `quota` (everything else as it was),
    for a registry beyond the shipped quotas (which add up to 14,141)."""
    changed, found = QUOTA_LINE.subn(f"quota: {quota}", text, count=1)
    if found != 1:
        raise ValueError("no 'quota: N' line to change")
    return changed


def registry_demands(registry: CountryRegistry) -> dict[str, CountryDemand]:
    """ISO code -> the quota and class minimum of its country file."""
    return {c.iso2: CountryDemand(c.quota, c.class_minimum) for c in registry.all()}


def quota_world(landmarks: int, seed: int, registry: CountryRegistry | None = None) -> World:
    """The generated world of `landmarks` shaped by `registry` (default: the shipped one)."""
    registry = registry if registry is not None else CountryRegistry.from_dir()
    return load_world(
        "generated", landmarks=landmarks, seed=seed, quotas=registry_demands(registry)
    )


def quota_plan(landmarks: int, registry: CountryRegistry | None = None) -> QuotaPlan:
    """What `quota_world` places per country, and which files it cannot place (no land)."""
    from rswk.sampleworld.generated import placeable_countries

    registry = registry if registry is not None else CountryRegistry.from_dir()
    return plan_by_quota(landmarks, registry_demands(registry), placeable_countries())


def country_parts(quotas: Mapping[str, int], parts: int) -> list[list[str]]:
    """The countries in `parts` groups of near-equal total quota, each group sorted by ISO code.

    For a run too long for one command (the 100,000-landmark moonshot), done part by part and
    summed: largest quota first, each into the group with the smallest total so far (ties: the
    lower group number), so the split is the same on every machine and no group exceeds the
    others by more than one country's quota.
    """
    if parts < 1:
        raise ValueError(f"parts must be >= 1 (got {parts})")
    groups: list[list[str]] = [[] for _ in range(parts)]
    totals = [(0, index) for index in range(parts)]
    for iso2, quota in sorted(quotas.items(), key=lambda item: (-item[1], item[0])):
        total, index = heapq.heappop(totals)
        groups[index].append(iso2)
        heapq.heappush(totals, (total + quota, index))
    return [sorted(group) for group in groups]
