"""The local executor: where a stage's shards run (threads for I/O, processes for CPU work).

Executors decide only *where* work runs, never *what* it is; a Ray executor can implement the same
`map_unordered` later without touching any stage.

Memory is bounded by the items in flight, not by the items done: at most `window` items are
submitted at a time (the workers' own plus as many finished ones waiting for the caller), and a
result is forgotten once handed on. A finished future holds its result (a shard's records,
images included) for as long as anything references it; submitting every shard up front and
keeping the futures made a stage's memory grow with every shard it finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
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

    @property
    def window(self) -> int:
        """Items submitted and not yet handed on, at most: each worker busy with one while as
        many finished ones wait for the caller."""
        return 2 * self.workers

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
        waiting = iter(items)
        with self._pool() as pool:
            in_flight: dict[Future[R], T] = {}

            def submit_next() -> None:
                for item in waiting:
                    in_flight[pool.submit(fn, item)] = item
                    if len(in_flight) >= self.window:
                        return

            submit_next()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                while done:
                    # Popped, not iterated: no reference to a handed-on result stays behind.
                    future = done.pop()
                    item = in_flight.pop(future)
                    submit_next()  # keep the workers busy while the caller takes this one
                    result = future.result()
                    del future
                    yield item, result
                    del result
