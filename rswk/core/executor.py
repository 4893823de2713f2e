"""The local executor: where a stage's shards run (threads for I/O, processes for CPU work).

Executors decide only *where* work runs, never *what* it is; a Ray executor can implement the same
`map_unordered` later without touching any stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from typing import Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")
ExecutorKind = Literal["inline", "thread", "process"]


class LocalExecutor:
    """Runs a function over items inline, on a thread pool, or on a process pool."""

    def __init__(self, kind: ExecutorKind = "thread", workers: int = 2) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1 (got {workers})")
        self.kind = kind
        self.workers = workers

    def _pool(self) -> Executor:
        if self.kind == "process":
            return ProcessPoolExecutor(max_workers=self.workers)
        return ThreadPoolExecutor(max_workers=self.workers)

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R]]:
        """(item, fn(item)) pairs as they complete; an exception in `fn` propagates."""
        if self.kind == "inline" or self.workers == 1 or len(items) <= 1:
            for item in items:
                yield item, fn(item)
            return
        with self._pool() as pool:
            futures = {pool.submit(fn, item): item for item in items}
            for future in as_completed(futures):
                # Forget each future once its result is handed on: a finished future holds its
                # result (a shard's records, images included) for as long as it is referenced,
                # so keeping them all made memory grow with every shard done.
                yield futures.pop(future), future.result()
