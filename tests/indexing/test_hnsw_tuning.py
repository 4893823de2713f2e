"""Recall tuning: expansion_search rises until HNSW recall@10 vs exact search reaches the target."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.hnsw import (
    TIE_TOLERANCE,
    build_index,
    exact_kth,
    exact_top_k,
    hnsw_top_k,
    recall_at_k,
    tune_expansion,
)
from rswk.core.index_config import HnswConfig


def clustered_vectors(count: int, dim: int, seed: int) -> np.ndarray:
    """Seeded unit vectors in tight clusters (where HNSW at a small expansion misses neighbours)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count // 100, dim))
    vectors = centres[rng.integers(0, len(centres), count)] + 0.3 * rng.normal(size=(count, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_tuning_raises_expansion_until_recall_target() -> None:
    vectors = clustered_vectors(4000, 64, seed=7)
    keys = np.arange(len(vectors), dtype=np.uint64) + 1000
    settings = HnswConfig(
        dtype="f32", connectivity=8, expansion_add=32, expansion_search=8, recall_queries=300
    )
    index = build_index(vectors, keys, settings)
    tuning = tune_expansion(index, vectors, keys, settings)
    assert tuning.reached and tuning.recall_at_10 >= 0.99
    assert tuning.steps[0]["recall_at_10"] < 0.99  # it had to raise expansion_search
    assert tuning.expansion_search > settings.expansion_search
    # Independent check on other queries: the tuned graph's recall@10 against exact numpy search.
    rng = np.random.default_rng(99)
    queries = clustered_vectors(4000, 64, seed=7)[rng.choice(4000, 200, replace=False)]
    exact = keys[exact_top_k(vectors, queries, 10)]
    assert index.expansion_search == tuning.expansion_search
    assert recall_at_k(hnsw_top_k(index, queries, 10), exact) >= 0.98


def test_tuning_says_when_it_cannot_reach_the_target() -> None:
    vectors = clustered_vectors(3000, 64, seed=3)
    keys = np.arange(len(vectors), dtype=np.uint64)
    settings = HnswConfig(
        dtype="f32",
        connectivity=4,
        expansion_add=8,
        expansion_search=8,
        max_expansion_search=8,
        recall_queries=200,
    )
    tuning = tune_expansion(build_index(vectors, keys, settings), vectors, keys, settings)
    assert not tuning.reached
    assert "stayed below 0.99" in tuning.to_json()["note"]


@dataclass(frozen=True)
class Blocks:
    """Vectors handed over in uneven blocks, as a run's shards hand them over."""

    array: np.ndarray
    cuts: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.array)

    @property
    def dim(self) -> int:
        return int(self.array.shape[1])

    def blocks(self) -> Iterator[np.ndarray]:
        yield from np.split(self.array, self.cuts)

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.array[rows]


def test_blocks_build_and_tune_exactly_as_one_array(tmp_path: Path) -> None:
    """Building shard by shard is how the run's chunks stay out of memory; it must not change
    the graph (byte-identical file), the exact k-th scores or the tuning."""
    vectors = clustered_vectors(3000, 32, seed=11)
    keys = np.arange(len(vectors), dtype=np.uint64) + 7
    blocks = Blocks(vectors, (1, 700, 701, 2500))
    settings = HnswConfig(
        dtype="f16", connectivity=8, expansion_add=32, expansion_search=8, recall_queries=200
    )
    whole = build_index(vectors, keys, settings)
    split = build_index(blocks, keys, settings)
    tunings = [
        tune_expansion(whole, vectors, keys, settings),
        tune_expansion(split, blocks, keys, settings),
    ]
    assert tunings[0] == tunings[1]
    whole.save(str(tmp_path / "whole.usearch"))
    split.save(str(tmp_path / "split.usearch"))
    assert (tmp_path / "whole.usearch").read_bytes() == (tmp_path / "split.usearch").read_bytes()
    queries = vectors[:50]
    expected = -np.partition(-(queries @ vectors.T), 9, axis=1)[:, 9]
    # Equal up to float32 rounding (BLAS sums a block's dot products in another order), far
    # below the tolerance under which recall counts two cosines as tied.
    np.testing.assert_allclose(exact_kth(queries, blocks, 10), expected, rtol=0, atol=1e-6)
    assert TIE_TOLERANCE >= 10 * 1e-6
