"""Run a stage in a forked child process, so the memory it used leaves with it.

A stage frees what it allocated, but the process keeps much of it: pages of CPython's
small-object arenas and of glibc's per-thread heaps that still hold one live object cannot be
handed back, so each stage started from what the ones before left (the 14,924-landmark run:
curate peaked at 677 MB inside the run, 398 MB alone). A child forked for the stage starts from
the parent (the imported libraries are shared, not copied), and everything it allocates is
returned to the system when it exits; only the stage's report comes back, pickled.

The parent's objects are frozen for the fork (`gc.freeze`, as the `gc` docs advise before a
fork): the child's full collections skip them. Walking every object the parent holds (scrapy,
geopandas, pyarrow, the registry: millions) took ~0.4 s a collection in a locate crawl, twice in
ten seconds, and stalled its serial requests for as long; it also dirtied shared pages.

Fork, not spawn: the child has everything the parent has already imported and configured
(logging, the politeness limits, a test's monkeypatches) without importing it again. Only where
`fork` is the platform's safe choice (Linux); elsewhere the caller runs the stage in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

from rswk.core.errors import RSWKError

T = TypeVar("T")

# How long a child may take to finish after an interrupt before it is terminated.
INTERRUPT_GRACE_S = 30.0


def can_fork() -> bool:
    """Whether stages can run in forked children here (Linux: fork is safe and cheap there)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def forks_safely(stage: object) -> bool:
    """Whether `stage` can run in a child forked from this process now.

    torch's OpenMP thread pool is not fork-safe: once this process has used it, a forked child
    that enters it waits forever on the pool's barrier. A stage that runs torch (`uses_torch`)
    therefore forks only while torch is not loaded here (`rswk run` never loads it outside the
    index stage's child); other stages never enter that pool and fork either way.
    """
    return not (getattr(stage, "uses_torch", False) and "torch" in sys.modules)


class ChildTraceback(Exception):
    """The traceback of an exception raised in the child, attached as the re-raised one's cause."""


class ChildDied(RSWKError):
    """The child process ended without sending a result (killed, out of memory, os._exit)."""


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - anything unpicklable is sent as its message
        return RSWKError(f"{type(exc).__name__}: {exc}")
    return exc


def _child(work: Callable[[], object], send: Connection) -> None:
    try:
        try:
            message: tuple[str, object, str] = ("ok", work(), "")
            pickle.dumps(message)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
            message = ("error", _picklable(exc), "".join(traceback.format_exception(exc)))
        send.send(message)
    finally:
        send.close()


def call_in_child(work: Callable[[], T], *, name: str) -> T:
    """`work()` run in a forked child; its result, or its exception raised here.

    `work` and what it closes over are not pickled (the child is a fork); its result and any
    exception are. A child that dies without answering is a `ChildDied` naming `name`; on an
    interrupt here (Ctrl-C reaches the child too) the child gets `INTERRUPT_GRACE_S` to stop.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, send), name=f"rswk-{name}", daemon=False)
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()  # the parent collects its own objects as before
    send.close()  # the child holds the only writing end: its exit is an EOF here
    try:
        try:
            kind, value, text = receive.recv()
        except EOFError:
            child.join()
            raise ChildDied(
                f"{name}: its process ended with exit code {child.exitcode} before it reported "
                "(killed, or out of memory?); the shards it finished are kept: run again to go on"
            ) from None
    except BaseException:
        child.join(INTERRUPT_GRACE_S)
        if child.is_alive():
            child.terminate()
            child.join()
        raise
    finally:
        receive.close()
    child.join()
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value from ChildTraceback(text)
    result: T = value
    return result
