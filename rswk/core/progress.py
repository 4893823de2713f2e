"""Progress on long work: a rich bar on a terminal, plain log lines in CI and pipes."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

logger = logging.getLogger(__name__)


class Ticker(Protocol):
    def advance(self, n: int = 1) -> None: ...


def interactive() -> bool:
    """True on a terminal outside CI: only then is a live bar worth drawing."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class _LogTicker:
    """Logs `label: done/total` at most every `every_s` seconds, and at the end."""

    def __init__(self, label: str, total: int, every_s: float = 10.0) -> None:
        self.label, self.total, self.every_s = label, total, every_s
        self.done = 0
        self._last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.done >= self.total or now - self._last >= self.every_s:
            self._last = now
            logger.info("%s: %d/%d", self.label, self.done, self.total)


class _RichTicker:
    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        self._progress, self._task_id = progress, task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task_id, n)


@contextmanager
def progress(label: str, total: int) -> Iterator[Ticker]:
    """A ticker for `total` units of work named `label`."""
    if not interactive():
        yield _LogTicker(label, total)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), transient=False) as bar:
        yield _RichTicker(bar, bar.add_task(label, total=total))
