"""Which candidates a country keeps: excluded out, pinned in, then the top by sitelinks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from crawlers.discover.candidates import Candidate


@dataclass(frozen=True)
class Selection:
    """The kept candidates in rank order (rank 1 first) and those the country file excludes."""

    kept: list[Candidate]
    excluded: list[Candidate]
    dropped_by_quota: int


def popularity(candidate: Candidate) -> tuple[int, int]:
    """Sort key: most sitelinks first, then the older (smaller) QID, so ties are stable."""
    return (-candidate.sitelinks, int(candidate.qid[1:]))


def select(
    candidates: Sequence[Candidate],
    *,
    quota: int,
    pinned: Collection[str],
    excluded: Collection[str],
) -> Selection:
    """Keep every pinned candidate, fill up to `quota` with the most-linked others, rank all."""
    out = [c for c in candidates if c.qid in excluded]
    allowed = [c.pin() if c.qid in pinned else c for c in candidates if c.qid not in excluded]
    must = [c for c in allowed if c.pinned]
    others = sorted((c for c in allowed if not c.pinned), key=popularity)
    room = max(quota - len(must), 0)
    kept = sorted([*must, *others[:room]], key=popularity)
    return Selection(
        kept=kept,
        excluded=sorted(out, key=popularity),
        dropped_by_quota=max(len(others) - room, 0),
    )
