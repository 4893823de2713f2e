"""Give freed native memory back to the system between shards and at the end of a stage.

A shard's buffers (its records' bytes, Arrow tables, Parquet encodings, decoded images) are
freed into glibc's heaps, one arena per thread that allocated them, and glibc keeps those pages:
a process's RSS then stays at its high-water mark, so each stage starts from what the one before
left, and a stage's many threads each keep free pages of their own. `malloc_trim(0)` hands the
free pages of every arena back (madvise), so RSS follows what is in use. Arrow's own pool is
asked to do the same. On a libc without `malloc_trim` (macOS, musl) only Arrow's pool is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return freed heap pages to the system; True when glibc released some."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
