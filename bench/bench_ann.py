"""USearch vs FAISS HNSW vs exact numpy on the same 512-d vectors; prints one JSON object.

    .venv/bin/python bench/bench_ann.py [--vectors 14141] [--queries 1000] [--dim 512]
        [--usearch f16:32,f16:16,f32:16,f16:8] [--faiss 32,16,8] [--timed-queries 300]
        [--expansion-add 128] [--rounds 4] [--out PATH]

Vectors are seeded and clustered (landmark embeddings cluster by class and region), unit length,
cosine similarity. For each engine: build vectors/s, query p50/p99 (one query at a time, as
`rswk rag` asks), recall@10 against exact search, memory (RSS growth while building), file size,
and the time to open the saved file memory-mapped. USearch and FAISS are each tuned the same way
as the index stage tunes (`expansion_search` / `efSearch` raised until recall@10 >= 0.99); every
step is reported, so equal-recall latencies can be compared. Finally `head_to_head` times every
engine again at its tuned expansion in alternating rounds, so that the load of a shared machine
falls on all engines alike: that is the latency to compare. 1,000,000 vectors need 10-30 min per
engine to build on a quiet 2-core machine (hours at nice 19 beside other jobs): pass
`--vectors 1000000` with only the configs worth building (`--usearch f16:16 --faiss 16`), and
`--out` to get each engine's figures written as soon as it finishes (a long run stopped early
still leaves what it measured; USearch builds note their progress on stderr).

A USearch config is `dtype:connectivity[:metric]` (metric `cos` by default; `ip` is the same
ranking on these unit vectors without the norm computations); a FAISS config is its `M`.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from indexing.hnsw import exact_top_k, hnsw_top_k, recall_at_k
from rswk.core.index_config import HnswConfig

TARGET = 0.99
K = 10
# Search expansions tried in order (fine steps where recall crosses 0.99 at 14,141 and 100,000).
EXPANSIONS = (16, 20, 24, 28, 32, 36, 40, 44, 48, 56, 64, 72, 80, 96, 112, 128, 160, 192, 256, 512)


# Rows generated / searched exactly per block: bounds the float temporaries at 1,000,000 vectors.
BLOCK = 65_536
EXACT_BLOCK = 64


def clustered(count: int, dim: int, seed: int) -> np.ndarray:
    """Unit vectors around `count // 50` seeded centres (float32 throughout, in blocks)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal(size=(max(1, count // 50), dim), dtype=np.float32)
    vectors = centres[rng.integers(0, len(centres), count)]
    for start in range(0, count, BLOCK):
        block = vectors[start : start + BLOCK]
        block += 0.5 * rng.standard_normal(size=block.shape, dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
    return vectors


def exact_blocked(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Exact top-K rows of every query, a few queries at a time (queries x 1M scores is 4 GB)."""
    return np.concatenate(
        [
            exact_top_k(vectors, queries[start : start + EXACT_BLOCK], K)
            for start in range(0, len(queries), EXACT_BLOCK)
        ]
    )


# What one engine returns: its figures, and a one-query search at its tuned expansion.
Built = tuple[dict[str, Any], Callable[[np.ndarray], Any]]


def note(text: str) -> None:
    """Progress on stderr (a 1M run takes an hour on a shared machine)."""
    print(time.strftime("%H:%M:%S"), text, file=sys.stderr, flush=True)


def build_progress(total: int) -> Callable[[int, int], bool]:
    """A USearch progress callback noting every 5 % added, with the rate so far (a 1M build that
    cannot finish on a loaded machine still tells how far it got and how fast)."""
    started = time.perf_counter()
    step = max(1, total // 20)
    next_note = [step]

    def progress(processed: int, _total: int) -> bool:
        if processed >= next_note[0]:
            rate = processed / (time.perf_counter() - started)
            note(f"  added {processed}/{total} ({rate:.0f} vectors/s)")
            next_note[0] = processed + step
        return True

    # usearch compares the callback's annotations with the types `int`, `int`, `bool`; under
    # `from __future__ import annotations` they are strings, so set the real types.
    progress.__annotations__ = {"processed": int, "_total": int, "return": bool}
    return progress


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
    p50, p99 = latencies_ms(lambda q: exact_top_k(vectors, q[None, :], K), queries)
    return {"recall@10": 1.0, "query_p50_ms": round(p50, 3), "query_p99_ms": round(p99, 3)}


def tune(
    name: str,
    set_expansion: Callable[[int], None],
    search_all: Callable[[], np.ndarray],
    search_one: Callable[[np.ndarray], Any],
    exact: np.ndarray,
    timed_queries: np.ndarray,
) -> list[dict[str, Any]]:
    """Raise the search expansion (named `name` in the figures) step by step until recall@10
    reaches the target, timing one-query latency at every step."""
    steps: list[dict[str, Any]] = []
    for expansion in EXPANSIONS:
        set_expansion(expansion)
        recall = recall_at_k(search_all(), exact)
        p50, p99 = latencies_ms(search_one, timed_queries)
        steps.append(
            {
                name: expansion,
                "recall@10": round(recall, 4),
                "query_p50_ms": round(p50, 3),
                "query_p99_ms": round(p99, 3),
            }
        )
        if recall >= TARGET:
            break
    return steps


def bench_usearch(
    vectors: np.ndarray,
    queries: np.ndarray,
    exact: np.ndarray,
    spec: str,
    expansion_add: int,
    timed: int,
) -> Built:
    from usearch.index import Index

    from indexing.hnsw import new_index

    dtype, connectivity, metric = parse_usearch(spec)
    settings = HnswConfig.model_validate(
        {"dtype": dtype, "connectivity": connectivity, "expansion_add": expansion_add}
    )
    keys = np.arange(len(vectors), dtype=np.uint64)
    before = rss_mb()
    started = time.perf_counter()
    if metric == "cos":
        index = new_index(vectors.shape[1], settings)
    else:
        index = Index(
            ndim=vectors.shape[1],
            metric=metric,
            dtype=dtype,
            connectivity=connectivity,
            expansion_add=expansion_add,
        )
    index.add(keys, vectors, log=False, progress=build_progress(len(vectors)))
    build_s = time.perf_counter() - started
    memory = rss_mb() - before

    def set_expansion(expansion: int) -> None:
        index.expansion_search = expansion

    steps = tune(
        "expansion_search",
        set_expansion,
        lambda: hnsw_top_k(index, queries, K),
        lambda q: index.search(q, K),
        exact,
        queries[:timed],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.usearch"
        index.save(str(path))
        size = path.stat().st_size
        started = time.perf_counter()
        Index.restore(str(path), view=True)
        open_s = time.perf_counter() - started
    figures = {
        "dtype": dtype,
        "connectivity": connectivity,
        "metric": metric,
        "expansion_add": expansion_add,
        "hardware_acceleration": index.hardware_acceleration,
        "build_vectors_per_s": round(len(vectors) / build_s, 1),
        "memory_mb": round(memory, 1),
        "file_mb": round(size / 1e6, 2),
        "open_view_ms": round(open_s * 1000, 2),
        "steps": steps,
        "at_target": next((s for s in steps if s["recall@10"] >= TARGET), None),
    }
    return figures, lambda q: index.search(q, K)


def bench_faiss(
    vectors: np.ndarray,
    queries: np.ndarray,
    exact: np.ndarray,
    m: int,
    expansion_add: int,
    timed: int,
) -> Built:
    import faiss

    before = rss_mb()
    started = time.perf_counter()
    index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = expansion_add
    index.add(vectors)
    build_s = time.perf_counter() - started
    memory = rss_mb() - before

    def set_ef(ef: int) -> None:
        index.hnsw.efSearch = ef

    steps = tune(
        "efSearch",
        set_ef,
        lambda: index.search(queries, K)[1],
        lambda q: index.search(q[None, :], K),
        exact,
        queries[:timed],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.faiss"
        faiss.write_index(index, str(path))
        size = path.stat().st_size
        started = time.perf_counter()
        faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        open_s = time.perf_counter() - started
    figures = {
        "M": m,
        "efConstruction": expansion_add,
        "build_vectors_per_s": round(len(vectors) / build_s, 1),
        "memory_mb": round(memory, 1),
        "file_mb": round(size / 1e6, 2),
        "open_mmap_ms": round(open_s * 1000, 2),
        "steps": steps,
        "at_target": next((s for s in steps if s["recall@10"] >= TARGET), None),
    }
    return figures, lambda q: index.search(q[None, :], K)


def head_to_head(
    engines: dict[str, Callable[[np.ndarray], Any]], queries: np.ndarray, rounds: int
) -> dict[str, dict[str, float]]:
    """One-query latencies of every engine at its tuned expansion, measured in alternating rounds
    (order reversed every other round) so that load on the shared machine falls on all alike.

    Each query is searched once per round per engine, never twice in a row: repeating a query at
    once finds its graph path in cache and halves the time (an early micro-benchmark that did so
    reported a 2.7x gain from `threads=1` that was only this cache effect).
    """
    times: dict[str, list[float]] = {name: [] for name in engines}
    names = list(engines)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else names[::-1]:
            search_one = engines[name]
            for query in queries:
                started = time.perf_counter()
                search_one(query)
                times[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {
            "query_p50_ms": round(float(np.percentile(found, 50)), 3),
            "query_p99_ms": round(float(np.percentile(found, 99)), 3),
        }
        for name, found in times.items()
    }


def parse_usearch(spec: str) -> tuple[str, int, str]:
    """`f16:16` or `bf16:16:ip` -> (dtype, connectivity, metric); a bad spec exits naming it."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[1].isdigit():
        raise SystemExit(f"--usearch {spec!r}: expected dtype:connectivity[:metric], e.g. f16:16")
    metric = parts[2] if len(parts) == 3 else "cos"
    if parts[0] not in ("f16", "f32", "bf16", "i8") or metric not in ("cos", "ip"):
        raise SystemExit(f"--usearch {spec!r}: dtype is f16/f32/bf16/i8, metric cos/ip")
    return parts[0], int(parts[1]), metric


def listed(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=14_141)
    parser.add_argument("--queries", type=int, default=1000, help="queries for recall@10")
    parser.add_argument("--timed-queries", type=int, default=300, help="queries timed one by one")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument(
        "--usearch", default="f16:32,f16:16,f32:16,f16:8", help="dtype:connectivity[:metric],..."
    )
    parser.add_argument("--faiss", default="32,16,8", help="HNSW M values; empty for none")
    parser.add_argument("--expansion-add", type=int, default=128, help="= FAISS efConstruction")
    parser.add_argument("--rounds", type=int, default=4, help="head-to-head timing rounds")
    parser.add_argument("--out", type=Path, help="also write the JSON here after each engine")
    args = parser.parse_args(argv)
    usearch_specs = listed(args.usearch)
    for spec in usearch_specs:
        parse_usearch(spec)
    faiss_ms = [int(m) for m in listed(args.faiss)]
    note(f"generating {args.vectors} vectors")
    vectors = clustered(args.vectors, args.dim, seed=0)
    # Queries: perturbed copies of indexed vectors (a changed view of a known landmark).
    rng = np.random.default_rng(1)
    picks = vectors[rng.choice(len(vectors), args.queries, replace=False)]
    queries = picks + 0.05 * rng.standard_normal(size=picks.shape, dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    note("exact search")
    exact = exact_blocked(vectors, queries)
    result: dict[str, Any] = {
        "vectors": args.vectors,
        "dim": args.dim,
        "queries": args.queries,
        "timed_queries": args.timed_queries,
        "exact_numpy": bench_exact(vectors, queries[: min(200, args.timed_queries)]),
        "usearch": [],
        "faiss_hnsw": [],
        "head_to_head": {},
    }
    engines: dict[str, Callable[[np.ndarray], Any]] = {}

    def save() -> None:
        if args.out:
            args.out.write_text(json.dumps(result, indent=2) + "\n")

    def keep(kind: str, name: str, expansion_key: str, built: tuple[dict[str, Any], Any]) -> None:
        """File one engine's figures and its tuned search for the head-to-head round."""
        figures, search_one = built
        result[kind].append(figures)
        engines[f"{name} ef={figures['steps'][-1][expansion_key]}"] = search_one
        save()

    save()
    for spec in usearch_specs:
        note(f"usearch {spec}")
        built = bench_usearch(vectors, queries, exact, spec, args.expansion_add, args.timed_queries)
        keep("usearch", f"usearch {spec}", "expansion_search", built)
    for m in faiss_ms:
        note(f"faiss M={m}")
        built = bench_faiss(vectors, queries, exact, m, args.expansion_add, args.timed_queries)
        keep("faiss_hnsw", f"faiss M={m}", "efSearch", built)
    note("head to head")
    result["head_to_head"] = head_to_head(engines, queries[: args.timed_queries], args.rounds)
    save()
    note("done")
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
