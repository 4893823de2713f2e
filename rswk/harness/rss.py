"""This process's resident set size, sampled in a thread while a benchmark runs its stages.

Read from `/proc/self/statm` (Linux): the RSS the kernel charges the process, native
allocations (Arrow, PIL, torch) included, which tracemalloc does not see. A stage the local
executor runs in a forked child (rswk.core.stage_process) is counted too: the sampler adds the
private memory (`/proc/PID/smaps_rollup`) of every forked descendant, i.e. every one with this
process's command line — the pages a child still shares with this process are in this process's
RSS already, and a server the benchmark started (another command line) is not RSWK's.
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


def _parent_of(pid: str) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields follow the last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


def forked_descendants(root: int | None = None) -> list[int]:
    """PIDs below `root` (default: this process) that have its command line (forks of it)."""
    root = os.getpid() if root is None else root
    command = Path(f"/proc/{root}/cmdline").read_bytes()
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := _parent_of(entry.name)) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            same = Path(f"/proc/{pid}/cmdline").read_bytes() == command
        except OSError:
            continue
        if same:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return sorted(found)


def private_bytes(pid: int) -> int:
    """Memory only process `pid` holds (private clean + dirty pages); 0 once it has exited."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    kb = sum(int(line.split()[1]) for line in lines if line.startswith("Private_"))
    return kb * 1024


class RssSampler:
    """Samples RSS in a thread; keeps the peak per label (the stage running) and per shard.

    The memory sampled is this process's RSS plus its forked children's private memory
    (`private_bytes` of each of `forked_descendants`), and, in `own_peaks`, this process's RSS
    alone; the children are looked up every `children_every_s` (a scan of /proc).
    """

    def __init__(self, every_s: float = 0.02, children_every_s: float = 0.25) -> None:
        self.every_s = every_s
        self.children_every_s = children_every_s
        self._children: list[int] = []
        self._children_at = 0.0
        self.label = "start"
        self.peaks: dict[str, int] = {}
        # This process's own RSS alone: tells a driver that grew from a child that peaked.
        self.own_peaks: dict[str, int] = {}
        self.at_shard: dict[str, list[tuple[int, int]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every_s)

    def sample(self) -> int:
        if time.monotonic() - self._children_at >= self.children_every_s:
            self._children = forked_descendants()
            self._children_at = time.monotonic()
        own = rss_bytes()
        now = own + sum(private_bytes(pid) for pid in self._children)
        label = self.label
        self.peaks[label] = max(self.peaks.get(label, 0), now)
        self.own_peaks[label] = max(self.own_peaks.get(label, 0), own)
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
