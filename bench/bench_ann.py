"""USearch vs FAISS HNSW vs exact numpy on the same 512-d vectors; prints one JSON object.

    .venv/bin/python bench/bench_ann.py [--vectors 14141] [--queries 1000] [--dim 512]

Vectors are seeded and clustered (landmark embeddings cluster by class and region), unit length,
cosine similarity. For each engine: build vectors/s, query p50/p99 (one query at a time, as
`rswk rag` asks), recall@10 against exact search, memory (RSS growth while building), file size,
and the time to open the saved file memory-mapped. USearch and FAISS are each tuned the same way
as the index stage tunes (`expansion_search` / `efSearch` raised until recall@10 >= 0.99); every
step is reported, so equal-recall latencies can be compared. 1,000,000 vectors take ~23 min to
build with USearch f16 on the 2-core machine: pass `--vectors 1000000` to run it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from indexing.hnsw import exact_top_k, hnsw_top_k, recall_at_k
from rswk.core.index_config import HnswConfig

TARGET = 0.99
K = 10
# Search expansions tried in order (fine steps where recall crosses 0.99 at this size).
EXPANSIONS = (16, 20, 24, 28, 32, 40, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096)


def clustered(count: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, count // 50), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), count)]
    vectors += 0.5 * rng.normal(size=(count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def rss_mb() -> float:
    """Current resident memory (not the peak: the exact search before it set a high peak)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def latencies_ms(search_one: Any, queries: np.ndarray) -> tuple[float, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        search_one(query)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def bench_exact(vectors: np.ndarray, queries: np.ndarray) -> dict[str, Any]:
    p50, p99 = latencies_ms(lambda q: exact_top_k(vectors, q[None, :], K), queries[:200])
    return {"recall@10": 1.0, "query_p50_ms": round(p50, 3), "query_p99_ms": round(p99, 3)}


def bench_usearch(
    vectors: np.ndarray, queries: np.ndarray, exact: np.ndarray, dtype: str, connectivity: int
) -> dict[str, Any]:
    from usearch.index import Index

    from indexing.hnsw import build_index

    settings = HnswConfig.model_validate(
        {"dtype": dtype, "connectivity": connectivity, "expansion_add": 128}
    )
    keys = np.arange(len(vectors), dtype=np.uint64)
    before = rss_mb()
    started = time.perf_counter()
    index = build_index(vectors, keys, settings)
    build_s = time.perf_counter() - started
    memory = rss_mb() - before
    steps = []
    for expansion in EXPANSIONS:
        index.expansion_search = expansion
        recall = recall_at_k(hnsw_top_k(index, queries, K), exact)
        p50, p99 = latencies_ms(lambda q: index.search(q, K), queries[:300])
        steps.append(
            {
                "expansion_search": expansion,
                "recall@10": round(recall, 4),
                "query_p50_ms": round(p50, 3),
                "query_p99_ms": round(p99, 3),
            }
        )
        if recall >= TARGET:
            break
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.usearch"
        index.save(str(path))
        size = path.stat().st_size
        started = time.perf_counter()
        Index.restore(str(path), view=True)
        open_s = time.perf_counter() - started
    return {
        "dtype": dtype,
        "connectivity": connectivity,
        "build_vectors_per_s": round(len(vectors) / build_s, 1),
        "memory_mb": round(memory, 1),
        "file_mb": round(size / 1e6, 2),
        "open_view_ms": round(open_s * 1000, 2),
        "steps": steps,
        "at_target": next((s for s in steps if s["recall@10"] >= TARGET), None),
    }


def bench_faiss(
    vectors: np.ndarray, queries: np.ndarray, exact: np.ndarray, m: int
) -> dict[str, Any]:
    import faiss

    before = rss_mb()
    started = time.perf_counter()
    index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 128
    index.add(vectors)
    build_s = time.perf_counter() - started
    memory = rss_mb() - before
    steps = []
    for ef in EXPANSIONS:
        index.hnsw.efSearch = ef
        _, found = index.search(queries, K)
        recall = recall_at_k(found, exact)
        p50, p99 = latencies_ms(lambda q: index.search(q[None, :], K), queries[:300])
        steps.append(
            {
                "efSearch": ef,
                "recall@10": round(recall, 4),
                "query_p50_ms": round(p50, 3),
                "query_p99_ms": round(p99, 3),
            }
        )
        if recall >= TARGET:
            break
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.faiss"
        faiss.write_index(index, str(path))
        size = path.stat().st_size
        started = time.perf_counter()
        faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        open_s = time.perf_counter() - started
    return {
        "M": m,
        "build_vectors_per_s": round(len(vectors) / build_s, 1),
        "memory_mb": round(memory, 1),
        "file_mb": round(size / 1e6, 2),
        "open_mmap_ms": round(open_s * 1000, 2),
        "steps": steps,
        "at_target": next((s for s in steps if s["recall@10"] >= TARGET), None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=14_141)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=512)
    args = parser.parse_args(argv)
    vectors = clustered(args.vectors, args.dim, seed=0)
    # Queries: perturbed copies of indexed vectors (a changed view of a known landmark).
    rng = np.random.default_rng(1)
    picks = vectors[rng.choice(len(vectors), args.queries, replace=False)]
    queries = picks + 0.05 * rng.normal(size=picks.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = exact_top_k(vectors, queries, K)
    result: dict[str, Any] = {
        "vectors": args.vectors,
        "dim": args.dim,
        "queries": args.queries,
        "exact_numpy": bench_exact(vectors, queries),
        "usearch": [
            bench_usearch(vectors, queries, exact, dtype, connectivity)
            for dtype, connectivity in (("f16", 32), ("f16", 16), ("f32", 16), ("f16", 8))
        ],
        "faiss_hnsw": [bench_faiss(vectors, queries, exact, m) for m in (32, 16, 8)],
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
