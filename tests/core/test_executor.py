"""The local executor hands each result on and keeps none: memory is bounded by the items in
flight, not by the items done (a shard's result holds its records, images included)."""

from __future__ import annotations

import gc
import weakref

import pytest

from rswk.core.executor import ExecutorKind, LocalExecutor


class Result:
    """A stand-in for a shard's result (weak-referenceable, unlike bytes)."""

    def __init__(self, item: int) -> None:
        self.item = item


@pytest.mark.parametrize(("kind", "workers"), [("thread", 2), ("thread", 1), ("inline", 2)])
def test_results_already_handed_on_are_not_kept(kind: ExecutorKind, workers: int) -> None:
    executor = LocalExecutor(kind=kind, workers=workers)
    handed: list[weakref.ref[Result]] = []
    items = list(range(8))
    seen = []
    for item, result in executor.map_unordered(Result, items):
        assert result.item == item
        seen.append(item)
        handed.append(weakref.ref(result))
        del result
        gc.collect()
        # Every result before this one is gone: nothing in the executor still holds it.
        assert [ref() for ref in handed[:-1]] == [None] * (len(handed) - 1)
    assert sorted(seen) == items


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_at_most_a_window_of_items_is_started_ahead_of_the_caller(workers: int) -> None:
    executor = LocalExecutor(kind="thread", workers=workers)
    started: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        return item

    taken = 0
    for _ in executor.map_unordered(work, list(range(20))):
        taken += 1
        # However slow the caller, no more than the window is submitted beyond what it took.
        assert len(started) - taken < executor.window
    assert sorted(started) == list(range(20)) and taken == 20
