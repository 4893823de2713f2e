"""When a cached HTTP answer may still be used: one policy for every disk cache of a run.

The httpx disk cache, Scrapy's HTTPCACHE and sentinelhub's data folder all ask this policy. With
`max_age_days = None` (the sample profile) an answer never expires, so a rerun sends nothing; a
world-profile run months later re-fetches answers older than the configured age (180 days by
default), so a release reflects the sources as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class CachePolicy:
    """How old a cached answer may be before it is fetched again (None: never expires)."""

    max_age_days: float | None = None

    @property
    def max_age_s(self) -> float | None:
        return None if self.max_age_days is None else self.max_age_days * SECONDS_PER_DAY

    def is_fresh(self, stored_at: datetime, now: datetime | None = None) -> bool:
        """Whether an answer stored at `stored_at` may still be used at `now` (default: now).

        The clock only decides whether to fetch again, never what is written.
        """
        if self.max_age_s is None:
            return True
        now = now or datetime.now(UTC)
        return (now - stored_at).total_seconds() <= self.max_age_s

    def file_is_fresh(self, path: Path) -> bool:
        """`is_fresh` for a cache file, by its modification time (False when it is missing)."""
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return False
        return self.is_fresh(datetime.fromtimestamp(mtime, tz=UTC))

    @property
    def scrapy_expiration_secs(self) -> int:
        """Scrapy's HTTPCACHE_EXPIRATION_SECS for this policy (0 means never expire there)."""
        return 0 if self.max_age_s is None else max(1, int(self.max_age_s))
