"""Deduplication, each decision kept as data.

Three rules, applied in order over the whole run (not one country at a time):
1. the same QID listed by two countries (or sources) is one landmark: the entry whose point lies
   in its country wins, then the richer one, then the smaller country code;
2. different QIDs within `radius_m` with similar names (any pair of their labels at least
   `name_similarity` alike), or linked by part-of / has-part (P361 / P527) within
   `part_of_radius_m`, are one landmark: the richer record is kept, the others fold into it;
3. near-identical images (perceptual hash) are flagged on both landmarks, not merged: two views
   of one square can be two landmarks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from curation.images import near_identical_pairs

EARTH_RADIUS_M = 6_371_008.8
DecisionKind = Literal["same_qid", "near_duplicate", "part_of", "near_identical_image"]


@dataclass(frozen=True, slots=True)
class Summary:
    """What dedup needs to know of one landmark entry (one QID in one country's shard)."""

    qid: str
    country: str
    lat: float
    lon: float
    names: frozenset[str]
    # Higher is richer: compared as a tuple (knowledge, text, image, attributes, sitelinks).
    richness: tuple[int, ...]
    in_country: bool = True
    part_of: frozenset[str] = field(default_factory=frozenset)
    has_part: frozenset[str] = field(default_factory=frozenset)
    phash: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.qid, self.country)


@dataclass(frozen=True, slots=True)
class Decision:
    """One dedup decision: which entry stays, which goes (or is flagged), and why."""

    kind: DecisionKind
    kept_qid: str
    kept_country: str
    other_qid: str
    other_country: str
    detail: str
    distance_m: float | None = None
    similarity: float | None = None


@dataclass
class DedupResult:
    """The surviving entries, every decision, and which QIDs each survivor absorbed."""

    kept: list[Summary]
    decisions: list[Decision]
    merged_into: dict[tuple[str, str], list[str]]
    image_flags: dict[tuple[str, str], list[str]]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two points on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def name_key(name: str) -> str:
    """Names compare case- and space-insensitively."""
    return " ".join(name.casefold().split())


def name_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The best SequenceMatcher ratio over pairs of the two landmarks' name keys."""
    if a & b:
        return 1.0
    return max((SequenceMatcher(None, x, y).ratio() for x in a for y in b), default=0.0)


def _preference(entry: Summary) -> tuple[bool, tuple[int, ...]]:
    return (entry.in_country, entry.richness)


def _richer(entry: Summary) -> tuple[tuple[int, ...], int]:
    return (entry.richness, -int(entry.qid[1:]))


def deduplicate(
    entries: Sequence[Summary],
    *,
    radius_m: float = 100.0,
    name_similarity_min: float = 0.85,
    part_of_radius_m: float = 2_000.0,
    image_bits: int = 4,
) -> DedupResult:
    """Apply the three rules (module docstring) to every entry of the run."""
    decisions: list[Decision] = []
    merged: dict[tuple[str, str], list[str]] = defaultdict(list)

    by_qid: dict[str, list[Summary]] = defaultdict(list)
    for entry in entries:
        by_qid[entry.qid].append(entry)
    unique: list[Summary] = []
    for qid, group in sorted(by_qid.items()):
        # max() keeps the first of equals: sorted by country, the smaller code wins ties.
        winner = max(sorted(group, key=lambda e: e.country), key=_preference)
        unique.append(winner)
        for other in sorted(group, key=lambda e: e.country):
            if other is winner:
                continue
            why = "its point lies in its country" if winner.in_country else "richer record"
            decisions.append(
                Decision(
                    "same_qid",
                    qid,
                    winner.country,
                    qid,
                    other.country,
                    f"{qid} is listed by {winner.country} and {other.country}; "
                    f"kept in {winner.country} ({why})",
                )
            )

    parent = {e.key: e.key for e in unique}

    def find(key: tuple[str, str]) -> tuple[str, str]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    links: list[tuple[Summary, Summary, DecisionKind, float, float | None]] = []
    for a, b in _nearby_pairs(unique, max(radius_m, part_of_radius_m)):
        distance = haversine_m(a.lat, a.lon, b.lat, b.lon)
        linked = b.qid in a.part_of | a.has_part or a.qid in b.part_of | b.has_part
        if linked and distance <= part_of_radius_m:
            links.append((a, b, "part_of", distance, None))
            continue
        if distance <= radius_m:
            alike = name_similarity(a.names, b.names)
            if alike >= name_similarity_min:
                links.append((a, b, "near_duplicate", distance, alike))
    for a, b, *_ in links:
        parent[find(a.key)] = find(b.key)

    groups: dict[tuple[str, str], list[Summary]] = defaultdict(list)
    for entry in unique:
        groups[find(entry.key)].append(entry)
    keeper_of = {}
    kept = []
    for group in groups.values():
        keeper = max(group, key=_richer)
        kept.append(keeper)
        for entry in group:
            keeper_of[entry.key] = keeper
            if entry is not keeper:
                merged[keeper.key].append(entry.qid)
    for a, b, kind, distance, similarity in links:
        keeper = keeper_of[a.key]
        dropped = a if a.key != keeper.key else b
        what = (
            f"{a.qid} and {b.qid} are linked by part of / has part, {distance:.0f} m apart"
            if kind == "part_of"
            else f"{a.qid} and {b.qid} are {distance:.0f} m apart with names {similarity:.2f} alike"
        )
        decisions.append(
            Decision(
                kind,
                keeper.qid,
                keeper.country,
                dropped.qid,
                dropped.country,
                f"{what}; kept {keeper.qid} (richer record)",
                distance_m=round(distance, 1),
                similarity=None if similarity is None else round(similarity, 3),
            )
        )

    image_flags: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_key = {e.key: e for e in kept}
    hashes = {f"{e.qid}@{e.country}": e.phash for e in kept if e.phash}
    for left, right, bits in near_identical_pairs(hashes, image_bits):
        a, b = (by_key[_unkey(k)] for k in (left, right))
        image_flags[a.key].append(f"near_duplicate_image:{b.qid}")
        image_flags[b.key].append(f"near_duplicate_image:{a.qid}")
        decisions.append(
            Decision(
                "near_identical_image",
                a.qid,
                a.country,
                b.qid,
                b.country,
                f"images of {a.qid} and {b.qid} differ in {bits} of 64 pHash bits (flagged)",
            )
        )
    kept.sort(key=lambda e: (e.country, e.qid))
    return DedupResult(kept, decisions, dict(merged), dict(image_flags))


def _unkey(key: str) -> tuple[str, str]:
    qid, _, country = key.partition("@")
    return (qid, country)


def _nearby_pairs(entries: Sequence[Summary], radius_m: float) -> list[tuple[Summary, Summary]]:
    """Pairs of entries that may lie within `radius_m`: a lat/lon bucket grid, neighbours only."""
    size = max(radius_m / 111_000.0, 1e-4)
    buckets: dict[tuple[int, int], list[Summary]] = defaultdict(list)
    for entry in entries:
        buckets[(int(entry.lat // size), int(entry.lon // size))].append(entry)
    pairs = []
    for (row, col), members in buckets.items():
        # Columns shrink toward the poles: look as many columns out as one row spans there.
        reach = math.ceil(1 / max(math.cos(math.radians(min(abs(row * size), 89.0))), 0.02))
        for dr in (-1, 0, 1):
            for dc in range(-reach, reach + 1):
                for other in buckets.get((row + dr, col + dc), []):
                    for entry in members:
                        if (entry.qid, entry.country) < (other.qid, other.country):
                            pairs.append((entry, other))
    return pairs
