"""USearch HNSW indexes: build, exact search, recall measurement and `expansion_search` tuning.

Recall@10 is measured on the index's own vectors: a seeded sample of them is searched in the HNSW
graph and exactly (a numpy dot product over every vector; they are unit vectors), and recall is
the share of the exact top 10 the graph returns (a neighbour tied with the exact 10th
counts). `expansion_search` is doubled until recall
reaches the target or the configured maximum, and every step is kept for `index.json`.

The vectors come as `Vectors`: consecutive blocks in key order, and the rows asked for. A run's
vectors are read shard by shard (`indexing.run_vectors`), so building and tuning hold one shard's
vectors besides the graph, however many chunks the run has; an array is one block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rswk.core.index_config import HnswConfig

RECALL_K = 10
# Cosines this close count as equal (float32 rounding of one dot product is far below it).
TIE_TOLERANCE = 1e-5
# Scores computed at once by the exact search (floats): 64 MB, whatever the index size.
SCORE_BLOCK = 1 << 24


class Vectors(Protocol):
    """Unit vectors in row order, read a block at a time."""

    def __len__(self) -> int: ...

    @property
    def dim(self) -> int:
        """Dimensions of each vector."""
        ...

    def blocks(self) -> Iterator[np.ndarray]:
        """Consecutive blocks of rows, first to last (float32, one row per vector)."""
        ...

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The given rows, in the order given."""
        ...


@dataclass(frozen=True)
class ArrayVectors:
    """Vectors already in memory: one block."""

    array: np.ndarray

    def __len__(self) -> int:
        return len(self.array)

    @property
    def dim(self) -> int:
        return int(self.array.shape[1])

    def blocks(self) -> Iterator[np.ndarray]:
        yield self.array

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.array[rows]


def as_vectors(vectors: np.ndarray | Vectors) -> Vectors:
    return ArrayVectors(vectors) if isinstance(vectors, np.ndarray) else vectors


@dataclass
class Tuning:
    """What the recall tuning found for one index."""

    expansion_search: int
    recall_at_10: float
    target: float
    reached: bool
    queries: int
    steps: list[dict[str, float]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "expansion_search": self.expansion_search,
            "recall_at_10": round(self.recall_at_10, 4),
            "target": self.target,
            "reached": self.reached,
            "queries": self.queries,
            "steps": self.steps,
            "note": (
                "recall target reached"
                if self.reached
                else f"recall@10 stayed below {self.target} up to expansion_search "
                f"{self.expansion_search}; raise index.hnsw.max_expansion_search or connectivity"
            ),
        }


def new_index(dim: int, settings: HnswConfig) -> Any:
    """An empty cosine index with the configured dtype (always explicit: usearch's default is
    bf16 for cosine) and graph settings."""
    from usearch.index import Index

    return Index(
        ndim=dim,
        metric="cos",
        dtype=settings.dtype,
        connectivity=settings.connectivity,
        expansion_add=settings.expansion_add,
        expansion_search=settings.expansion_search,
    )


def build_index(vectors: np.ndarray | Vectors, keys: np.ndarray, settings: HnswConfig) -> Any:
    """An HNSW index holding `vectors` under `keys` (uint64), added block by block: only the
    block being added is held besides the graph."""
    vectors = as_vectors(vectors)
    index = new_index(vectors.dim, settings)
    keys = keys.astype(np.uint64)
    at = 0
    for block in vectors.blocks():
        if len(block):
            # threads=1: inserting in key order on one thread gives the same graph every time
            # (and whatever the blocks), so the same inputs give byte-identical files (threads
            # gave a new graph each build, and now and then one where some true neighbours were
            # unreachable at any expansion). copy=False: blocks are float32 already.
            index.add(
                keys[at : at + len(block)],
                block.astype(np.float32, copy=False),
                log=False,
                threads=1,
            )
        at += len(block)
    return index


def open_view(path: Path, expansion_search: int) -> Any | None:
    """A saved index memory-mapped (searched from the file, not loaded into memory), with its
    tuned `expansion_search`; None when the file is not a USearch index."""
    from usearch.index import Index

    index: Any = Index.restore(str(path), view=True)
    if index is not None:
        index.expansion_search = expansion_search
    return index


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the k nearest `vectors` (cosine of unit vectors) of each query, best first."""
    k = min(k, len(vectors))
    scores = queries @ vectors.T
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)


def hnsw_top_k(index: Any, queries: np.ndarray, k: int) -> np.ndarray:
    """Keys of the k nearest neighbours in the graph, shape (queries, k), -1 where fewer came."""
    found = index.search(queries.astype(np.float32), k, log=False)
    keys = np.full((len(queries), k), -1, dtype=np.int64)
    # One query gives `Matches` (1-d keys, no counts), several give `BatchMatches`.
    raw = np.atleast_2d(found.keys)
    counts = np.atleast_1d(np.asarray(getattr(found, "counts", raw.shape[1])))
    for row in range(len(queries)):
        keys[row, : counts[row]] = raw[row, : counts[row]]
    return keys


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each exact top-k row that the approximate row also holds."""
    if len(exact) == 0:
        return 1.0
    hits = sum(len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True))
    return hits / exact.size


def exact_kth(queries: np.ndarray, vectors: np.ndarray | Vectors, k: int) -> np.ndarray:
    """The exact k-th best cosine of each query, over all vectors.

    The vectors come a block at a time and each query keeps its best k so far; the scores of
    a block are computed for a group of queries at a time so they stay near 16 M floats, to
    bound memory however many vectors there are.
    """
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    for part in as_vectors(vectors).blocks():
        group = max(1, min(128, SCORE_BLOCK // max(1, len(part))))
        for start in range(0, len(queries), group):
            scores = queries[start : start + group] @ part.T
            both = np.concatenate([best[start : start + group], scores], axis=1)
            best[start : start + group] = -np.partition(-both, k - 1, axis=1)[:, :k]
    return best.min(axis=1) if k else np.zeros(len(queries), dtype=np.float32)


def recall_with_ties(
    found_keys: np.ndarray,
    queries: np.ndarray,
    vectors: Vectors,
    row_of: dict[int, int],
    kth: np.ndarray,
    k: int,
) -> float:
    """Recall@k where a neighbour as close as the exact k-th one counts as a hit.

    Identical texts (two landmarks' "Construction period: 1420.") give identical vectors; which
    of several tied vectors the exact search lists is arbitrary, so ties must not count as misses.
    The found rows' vectors are read once for all queries.
    """
    if len(queries) == 0:
        return 1.0
    found_rows = [[row_of[key] for key in row[:k] if key >= 0] for row in found_keys.tolist()]
    wanted = sorted({row for rows in found_rows for row in rows})
    taken = vectors.take(np.asarray(wanted, dtype=np.int64))
    position = {row: at for at, row in enumerate(wanted)}
    hits = 0
    for query, rows in enumerate(found_rows):
        scores = taken[[position[row] for row in rows]] @ queries[query]
        hits += int(np.sum(scores >= kth[query] - TIE_TOLERANCE))
    return hits / (len(queries) * k)


def tune_expansion(
    index: Any,
    vectors: np.ndarray | Vectors,
    keys: np.ndarray,
    settings: HnswConfig,
    *,
    seed: int = 0,
) -> Tuning:
    """Raise the index's `expansion_search` until HNSW recall@10 vs exact reaches the target."""
    vectors = as_vectors(vectors)
    rng = np.random.default_rng(seed)
    count = min(settings.recall_queries, len(vectors))
    if count == 0:
        return Tuning(settings.expansion_search, 1.0, settings.recall_target, True, 0)
    rows = np.sort(rng.choice(len(vectors), size=count, replace=False)).astype(np.int64)
    queries = vectors.take(rows)
    k = min(RECALL_K, len(vectors))
    row_of = {int(key): row for row, key in enumerate(keys.tolist())}
    kth = exact_kth(queries, vectors, k)
    expansion = settings.expansion_search
    steps: list[dict[str, float]] = []
    while True:
        index.expansion_search = expansion
        found = hnsw_top_k(index, queries, k)
        recall = recall_with_ties(found, queries, vectors, row_of, kth, k)
        steps.append({"expansion_search": expansion, "recall_at_10": round(recall, 4)})
        if recall >= settings.recall_target or expansion >= settings.max_expansion_search:
            break
        expansion = min(expansion * 2, settings.max_expansion_search)
    return Tuning(
        expansion_search=expansion,
        recall_at_10=recall,
        target=settings.recall_target,
        reached=recall >= settings.recall_target,
        queries=count,
        steps=steps,
    )
