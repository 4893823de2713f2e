"""How the locate crawl batches its requests: 50 titles (or ids) per request, across countries.

Titles are grouped per Wikipedia edition and ids for Wikidata, in shard order then rank order,
so one request serves several small countries and the first shards are complete first. A request
also stays under a URL length budget (long non-Latin titles percent-encode to 9 bytes a letter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

# Characters of percent-encoded titles per request; Wikimedia serves URLs of ~8 KB and more.
URL_BUDGET = 6000


@dataclass(frozen=True)
class Wanted:
    """One title (or id) a shard needs, in the order it is needed."""

    shard: str
    value: str


@dataclass(frozen=True)
class Chunk:
    """Values for one request and the shards they serve (in shard order)."""

    values: tuple[str, ...]
    shards: tuple[str, ...]


def chunk(wanted: Sequence[Wanted], size: int, budget: int = URL_BUDGET) -> list[Chunk]:
    """Unique values in order, at most `size` and `budget` encoded characters per chunk; a
    value wanted again later is not asked twice, its shard waits on the chunk that has it."""
    values: list[list[str]] = []
    shards: list[dict[str, None]] = []
    home: dict[str, int] = {}
    used = 0
    for item in wanted:
        if item.value not in home:
            cost = len(quote(item.value, safe="")) + 3  # with its '|' separator, encoded
            if not values or len(values[-1]) >= size or used + cost > budget:
                values.append([])
                shards.append({})
                used = 0
            values[-1].append(item.value)
            home[item.value] = len(values) - 1
            used += cost
        shards[home[item.value]][item.shard] = None
    return [Chunk(tuple(v), tuple(s)) for v, s in zip(values, shards, strict=True)]
