"""Which candidates a country keeps: excluded out, pinned in, then the top by sitelinks.

With a country file's class settings the quota is spread over RSWK's classes: first the
`class_minimum` most-linked candidates of every class that has any (most-linked first, so when
the quota is too small for every class, the classes of the best-known landmarks win), then the
most-linked others while no class exceeds `class_max_share` of the quota, then (if room is left
because every other class ran out) the most-linked of the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from crawlers.discover.candidates import Candidate
from rswk.core.landmark_classes import OTHER_CLASS, rswk_class_of


@dataclass(frozen=True)
class Selection:
    """The kept candidates in rank order (rank 1 first) and those the country file excludes."""

    kept: list[Candidate]
    excluded: list[Candidate]
    dropped_by_quota: int


def popularity(candidate: Candidate) -> tuple[int, int]:
    """Sort key: most sitelinks first, then the older (smaller) QID, so ties are stable."""
    return (-candidate.sitelinks, int(candidate.qid[1:]))


def class_cap(quota: int, class_max_share: float, class_minimum: int) -> int:
    """The most landmarks one class may take of `quota` (never below the minimum, at least 1)."""
    return max(1, class_minimum, int(class_max_share * quota))


def select(
    candidates: Sequence[Candidate],
    *,
    quota: int,
    pinned: Collection[str],
    excluded: Collection[str],
    class_minimum: int = 0,
    class_max_share: float = 1.0,
) -> Selection:
    """Keep every pinned candidate, fill up to `quota` spread over classes, rank all."""
    out = [c for c in candidates if c.qid in excluded]
    allowed = [c.pin() if c.qid in pinned else c for c in candidates if c.qid not in excluded]
    must = [c for c in allowed if c.pinned]
    others = sorted((c for c in allowed if not c.pinned), key=popularity)
    room = max(quota - len(must), 0)
    chosen = _spread(others, room, must, quota, class_minimum, class_max_share)
    kept = sorted([*must, *chosen], key=popularity)
    return Selection(
        kept=kept,
        excluded=sorted(out, key=popularity),
        dropped_by_quota=len(others) - len(chosen),
    )


def _spread(
    others: list[Candidate],
    room: int,
    must: list[Candidate],
    quota: int,
    class_minimum: int,
    class_max_share: float,
) -> list[Candidate]:
    """Up to `room` of `others` (most-linked first) under the class minimum and cap."""
    if class_minimum == 0 and class_max_share >= 1.0:
        return others[:room]
    classes = {c.qid: rswk_class_of(c.classes) for c in [*must, *others]}
    counts = Counter(classes[c.qid] for c in must)
    chosen: dict[str, Candidate] = {}

    def take(candidate: Candidate) -> None:
        chosen[candidate.qid] = candidate
        counts[classes[candidate.qid]] += 1

    for candidate in others:  # most-linked first: a class's best, until its minimum is met
        if len(chosen) >= room:
            break
        rswk_class = classes[candidate.qid]
        if rswk_class != OTHER_CLASS and counts[rswk_class] < class_minimum:
            take(candidate)
    cap = class_cap(quota, class_max_share, class_minimum)
    for candidate in others:
        if len(chosen) >= room:
            break
        if candidate.qid not in chosen and counts[classes[candidate.qid]] < cap:
            take(candidate)
    for candidate in others:  # every other class ran out: the rest by popularity
        if len(chosen) >= room:
            break
        if candidate.qid not in chosen:
            take(candidate)
    return list(chosen.values())
