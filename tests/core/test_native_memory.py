"""Freed native memory goes back to the system (RSS follows what is in use)."""

from __future__ import annotations

import os
import subprocess
import sys

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


def _arrow_backend(env: dict[str, str]) -> str:
    code = "import rswk, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_rswk_puts_arrow_on_jemalloc() -> None:
    # mimalloc (the wheels' default) kept ~70 MB that neither a trim nor release_unused returns.
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert _arrow_backend(env) == "jemalloc"


def test_a_pool_the_user_chose_is_kept() -> None:
    env = dict(os.environ, ARROW_DEFAULT_MEMORY_POOL="system")
    assert _arrow_backend(env) == "system"
