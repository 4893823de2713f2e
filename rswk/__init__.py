"""RSWK: builds the Remote Sensing World Knowledge dataset."""

import os

__version__ = "0.1.0"

# Arrow's default pool on the Linux wheels is mimalloc, which keeps the segments it reserved:
# after a stage it still held ~70 MB that neither its `release_unused` nor glibc's trim gave
# back, so each stage started from what the one before left (rswk/core/native_memory.py).
# jemalloc returns them (curate alone at 14,924 landmarks: peak 453 -> 398 MB, 164 -> 122 s;
# the system pool also returned them but was 1.6x slower; docs/benchmarks.md). Arrow reads this
# variable once, when pyarrow is first imported, so it is set when the package is imported,
# before any of its modules imports pyarrow; a pool the user chose is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
