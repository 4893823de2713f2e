"""This process's resident set size, sampled in a thread while a benchmark runs its stages.

Read from `/proc/self/statm` (Linux): the RSS the kernel charges the process, native
allocations (Arrow, PIL, torch) included, which tracemalloc does not see.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
STATM = Path("/proc/self/statm")


def rss_bytes() -> int:
    """This process's resident set size now."""
    return int(STATM.read_text().split()[1]) * PAGE


class RssSampler:
    """Samples RSS in a thread; keeps the peak per label (the stage running) and per shard."""

    def __init__(self, every_s: float = 0.02) -> None:
        self.every_s = every_s
        self.label = "start"
        self.peaks: dict[str, int] = {}
        self.at_shard: dict[str, list[tuple[int, int]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every_s)

    def sample(self) -> int:
        now = rss_bytes()
        label = self.label
        self.peaks[label] = max(self.peaks.get(label, 0), now)
        return now

    def shard_written(self, landmarks: int) -> None:
        """Note RSS after a shard of `landmarks` landmarks is written."""
        self.at_shard.setdefault(self.label, []).append((landmarks, self.sample()))

    @contextmanager
    def running(self) -> Iterator[RssSampler]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
