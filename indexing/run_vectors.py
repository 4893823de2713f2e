"""One encoder's chunk vectors over every finished index shard, read a shard at a time.

The index files are built from every chunk of the run (~290,000 at the paper's size, ~450 MB
per text encoder as float32). Holding them all while the graph is built doubles what the graph
itself needs; read shard by shard, the build holds one shard's vectors besides the graph, and
the recall tuning and the self-evaluation read the rows they ask for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from indexing.shard_vectors import load_vector_array
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore

# Rows handed to the graph (and to the exact search) at once: ~12 MB of 384-d float32.
BLOCK_ROWS = 8192


class RunVectors:
    """Rows in key order: the first shard's chunks, then the next shard's, and so on.

    `counts` are the shards' chunk counts (checked against each file as it is read);
    `member` names the array in the shards' `.npz` files (`text` or `text_dense`).
    """

    def __init__(
        self, store: RunStore, shards: Sequence[str], counts: Sequence[int], member: str, dim: int
    ) -> None:
        self.store, self.shards, self.member, self.dim = store, list(shards), member, dim
        self.counts = list(counts)
        self.starts = np.concatenate([[0], np.cumsum(self.counts, dtype=np.int64)])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def shard_array(self, at: int) -> np.ndarray:
        """The vectors of the `at`-th shard; a count unlike the one collected is an error."""
        shard = self.shards[at]
        array = load_vector_array(self.store, shard, self.member)
        if array.shape != (self.counts[at], self.dim):
            raise RSWKError(
                f"index shard {shard}: {self.member} vectors of shape {array.shape} where "
                f"{self.counts[at]} x {self.dim} were counted; the shard changed while the "
                "index files were built (run `rswk index --force`)"
            )
        return array

    def blocks(self) -> Iterator[np.ndarray]:
        """Consecutive shards' vectors joined into blocks of at least `BLOCK_ROWS` rows (the
        last may be smaller): a call into the graph per ~30-chunk shard cost ~30 % more time."""
        parts: list[np.ndarray] = []
        held = 0
        for at, count in enumerate(self.counts):
            if not count:
                continue
            parts.append(self.shard_array(at))
            held += count
            if held >= BLOCK_ROWS:
                yield np.concatenate(parts) if len(parts) > 1 else parts[0]
                parts, held = [], 0
        if parts:
            yield np.concatenate(parts) if len(parts) > 1 else parts[0]

    def take(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        taken = np.empty((len(rows), self.dim), dtype=np.float32)
        shard_of = np.searchsorted(self.starts, rows, side="right") - 1
        for at in np.unique(shard_of).tolist():
            mine = shard_of == at
            taken[mine] = self.shard_array(at)[rows[mine] - self.starts[at]]
        return taken
