"""Progress on long work: a rich bar on a terminal, plain log lines in CI and pipes.

Both count landmarks where the run store knows them (`shard_weights`: a finished shard advances
by its landmarks), with the rate and an estimate of the time left; the log lines say the same as
the bar (`imagery: 1,200/14,141 landmarks (8%), 12.3/s, ETA 17m31s`).
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from rswk.core.runstore import RunStore

logger = logging.getLogger(__name__)
LANDMARK_SET_STAGE = "locate"


class Ticker(Protocol):
    def advance(self, n: int = 1) -> None: ...


def interactive() -> bool:
    """True on a terminal outside CI: only then is a live bar worth drawing."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def format_duration(seconds: float) -> str:
    """`1h02m`, `17m31s`, `42s` - short and readable."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def progress_line(label: str, done: int, total: int, unit: str, elapsed_s: float) -> str:
    """`label: done/total unit (pct), rate/s, ETA t` (rate and ETA once something is done)."""
    pct = f" ({100 * done / total:.0f}%)" if total else ""
    line = f"{label}: {done:,}/{total:,} {unit}{pct}"
    if done and elapsed_s > 0:
        rate = done / elapsed_s
        line += f", {rate:.1f}/s, ETA {format_duration((total - done) / rate)}"
    return line


class _LogTicker:
    """Logs the progress line at most every `every_s` seconds, and at the end."""

    def __init__(self, label: str, total: int, unit: str, every_s: float = 10.0) -> None:
        self.label, self.total, self.unit, self.every_s = label, total, unit, every_s
        self.done = 0
        self._start = self._last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.done >= self.total or now - self._last >= self.every_s:
            self._last = now
            logger.info(
                "%s", progress_line(self.label, self.done, self.total, self.unit, now - self._start)
            )


class _RichTicker:
    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        self._progress, self._task_id = progress, task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task_id, n)


class _RateColumn(ProgressColumn):
    """Units per second, from rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f}/s" if speed else "-/s")


@contextmanager
def progress(label: str, total: int, unit: str = "shards") -> Iterator[Ticker]:
    """A ticker for `total` units of work (`unit`: what is counted) named `label`."""
    if not interactive():
        yield _LogTicker(label, total, unit)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        _RateColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        yield _RichTicker(bar, bar.add_task(label, total=total))


def shard_weights(store: RunStore, shard_ids: Sequence[str]) -> Mapping[str, int] | None:
    """Landmarks per shard id, from the finished `locate` shards (a sub-shard's are counted by
    its QIDs); None when some shard's landmarks are not known yet (then count shards)."""
    from rswk.core.runstore import StageStore
    from rswk.core.subshards import SUB_SHARD, SubShardRunStore, country_of, sub_shard_of

    located = StageStore(store.files, LANDMARK_SET_STAGE)
    weights: dict[str, int] = {}
    split: set[str] = set()
    for shard_id in shard_ids:
        country = country_of(shard_id)
        if not located.is_done(country):
            return None
        if SUB_SHARD.match(shard_id):
            split.add(country)
        else:
            weights[shard_id] = int(located.marker(country)["records"])
    if split and not isinstance(store, SubShardRunStore):
        return None
    wanted = set(shard_ids)
    for country in sorted(split):
        assert isinstance(store, SubShardRunStore)
        n = store.count_for(country)
        for qid in located.read_column(country, "qid"):
            shard = sub_shard_of(qid, country, n)
            if shard in wanted:
                weights[shard] = weights.get(shard, 0) + 1
    return {s: weights.get(s, 0) for s in shard_ids}


@contextmanager
def shard_progress(label: str, store: RunStore, shard_ids: Sequence[str]) -> Iterator[ShardTicker]:
    """Progress over `shard_ids` in landmarks where known, else in shards; advance by shard."""
    weights = shard_weights(store, shard_ids)
    if weights is None:
        with progress(label, len(shard_ids), "shards") as ticker:
            yield ShardTicker(ticker, None)
        return
    with progress(label, sum(weights.values()), "landmarks") as ticker:
        yield ShardTicker(ticker, weights)


class ShardTicker:
    """Advances a ticker by a finished shard's landmarks (or by one shard)."""

    def __init__(self, ticker: Ticker, weights: Mapping[str, int] | None) -> None:
        self.ticker, self.weights = ticker, weights

    def shard_done(self, shard_id: str) -> None:
        self.ticker.advance(self.weights.get(shard_id, 0) if self.weights is not None else 1)
