"""What a `rswk run` did, stage by stage: wall time, shards, requests per source, kept, rejected.

Requests are counted where they are sent: the shared HTTP layer and Sentinel Hub's client count
per source in every process (`rswk.core.source_limits`), the executor sums them over its workers,
and a Scrapy crawl reports its own downloader count (the Wikimedia APIs).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from rswk.core.progress import format_duration
from rswk.core.source_limits import WIKIMEDIA_SOURCE
from rswk.core.stage import StageReport

CRAWL_SOURCE = WIKIMEDIA_SOURCE


@dataclass
class StageLine:
    """One row of the summary."""

    stage: str
    seconds: float = 0.0
    written: int = 0
    skipped: int = 0
    kept: int = 0
    rejected: int = 0
    requests: dict[str, int] = field(default_factory=dict)


@dataclass
class RunSummary:
    """Rows in the order the stages ran."""

    lines: list[StageLine] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[StageLine]:
        """Time the block; the caller fills in the rest with `record`."""
        line = StageLine(stage=name)
        start = time.monotonic()
        try:
            yield line
        finally:
            line.seconds = time.monotonic() - start
            self.lines.append(line)

    @staticmethod
    def record(
        line: StageLine, report: StageReport, requests: Mapping[str, int], stage: Any
    ) -> None:
        """Fill `line` from the stage's report, the executor's request counts and, for a
        Scrapy crawl stage, its downloader's count."""
        line.written, line.skipped = len(report.written), len(report.skipped)
        line.kept, line.rejected = report.records, report.rejected
        counts = {k: v for k, v in requests.items() if v}
        crawl_stats = getattr(stage, "last_crawl_stats", None) or {}
        crawled = int(crawl_stats.get("downloader/request_count", 0))
        if crawled:
            counts[CRAWL_SOURCE] = counts.get(CRAWL_SOURCE, 0) + crawled
        line.requests = dict(sorted(counts.items()))

    def as_json(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (for benchmarks and logs)."""
        return [
            {
                "stage": line.stage,
                "seconds": round(line.seconds, 3),
                "shards_written": line.written,
                "shards_skipped": line.skipped,
                "kept": line.kept,
                "rejected": line.rejected,
                "requests": line.requests,
            }
            for line in self.lines
        ]

    def table(self) -> Table:
        """The end-of-run table: per stage time, shards, kept, rejected, requests per source."""
        table = Table(title="this run")
        for column in ("stage", "time", "shards written/skipped", "kept", "rejected", "requests"):
            table.add_column(column, justify="left" if column in ("stage", "requests") else "right")
        for line in self.lines:
            requests = ", ".join(f"{k} {v:,}" for k, v in line.requests.items()) or "none"
            table.add_row(
                line.stage,
                format_duration(line.seconds),
                f"{line.written}/{line.skipped}",
                f"{line.kept:,}",
                f"{line.rejected:,}",
                requests,
            )
        total = sum(line.seconds for line in self.lines)
        table.caption = f"total {format_duration(total)}"
        return table
