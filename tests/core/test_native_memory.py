"""Freed native memory goes back to the system (RSS follows what is in use)."""

from __future__ import annotations

import pytest

from rswk.core.native_memory import _malloc_trim, release_free_memory
from rswk.harness.rss import rss_bytes

MB = 1024 * 1024


@pytest.mark.skipif(_malloc_trim() is None, reason="this libc has no malloc_trim")
def test_freed_heap_pages_are_returned() -> None:
    # 160 MB of 4 KB blocks from glibc's heap (larger than pymalloc's 512 bytes), then all freed
    # but the last: the block at the top keeps glibc from shrinking the heap by itself, so the
    # free pages below it stay resident until they are handed back.
    blocks = [bytes(4096) for _ in range(40_000)]
    last = bytes(4096)
    held = rss_bytes()
    del blocks
    before = rss_bytes()
    assert before > held - 40 * MB, "glibc returned the pages by itself: nothing to measure"
    release_free_memory()
    after = rss_bytes()
    assert before - after > 100 * MB, (before // MB, after // MB)
    assert last  # alive until here
