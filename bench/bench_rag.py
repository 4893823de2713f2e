"""`rswk rag` retrieval latency (index open + query, no model call); prints one JSON object.

    .venv/bin/python bench/bench_rag.py [--index DIR --config FILE] [--queries 50]

Without `--index`, builds the sample profile's index in a temporary run store first (the sample
world's stages for a few countries, curated rows joined as `curate` would; see
tests/indexing/curated_fixture.py). Figures:
- `open_cold_ms`: `Retriever.open` including loading the query encoders;
- `open_warm_ms`: the same with the encoders already loaded (memory-mapped USearch files + ids);
- `embed_*_ms`: p50 / p99 of embedding the query (image; image + question) with the encoders;
- `search_*_ms`: p50 / p99 of the retrieval proper: HNSW candidates from both indexes, exact
  cosines, re-ranking with alpha, chunk assembly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from rswk.core.config import load_config
from rswk.core.index_config import IndexConfig


def build_sample_index(workdir: Path) -> tuple[Path, IndexConfig]:
    # The test suite's curated-fixture builder stands in for `curate` (repo root on the path).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rswk.cli.index import run_index
    from tests.indexing.curated_fixture import build_curated_store

    config = build_curated_store(workdir, ("FR", "IT", "JP", "EG", "US", "DE", "GB", "ES"))
    run_index(config)
    return workdir / "index" / "files", config.index


def percentiles(times: list[float]) -> dict[str, float]:
    return {
        "p50": round(float(np.percentile(times, 50)), 2),
        "p99": round(float(np.percentile(times, 99)), 2),
    }


def measure(files: Path, config: IndexConfig, queries: int) -> dict[str, Any]:
    from indexing import Retriever
    from indexing.encoders import _load_cached

    _load_cached.cache_clear()
    started = time.perf_counter()
    retriever = Retriever.open(files, config)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    retriever = Retriever.open(files, config)
    warm = time.perf_counter() - started
    image = Path(tempfile.mkdtemp()) / "query.jpg"
    rng = np.random.default_rng(7)
    Image.fromarray(rng.integers(0, 255, (512, 512, 3), dtype=np.uint8)).save(image, "JPEG")
    times: dict[str, list[float]] = {k: [] for k in ("embed_i", "embed_b", "search_i", "search_b")}
    embed_image, embed_both = times["embed_i"], times["embed_b"]
    search_image, search_both = times["search_i"], times["search_b"]
    for _ in range(queries):
        for question, embed_times, search_times in (
            (None, embed_image, search_image),
            ("When was it built?", embed_both, search_both),
        ):
            started = time.perf_counter()
            query = retriever.query_vectors(image, question)
            embedded = time.perf_counter()
            retriever.search_vectors(query, top_k=3, alpha=0.9, chunks=5)
            done = time.perf_counter()
            embed_times.append((embedded - started) * 1000)
            search_times.append((done - embedded) * 1000)
    return {
        "index": str(files),
        "encoder": retriever.manifest["encoder"],
        "vectors": {k: v["count"] for k, v in retriever.manifest["indexes"].items()},
        "open_cold_ms": round(cold * 1000, 1),
        "open_warm_ms": round(warm * 1000, 1),
        "embed_image_ms": percentiles(embed_image),
        "search_image_ms": percentiles(search_image),
        "embed_image_and_question_ms": percentiles(embed_both),
        "search_image_and_question_ms": percentiles(search_both),
        "queries": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--profile", default="sample")
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.index is None:
        with tempfile.TemporaryDirectory() as folder:
            files, config = build_sample_index(Path(folder))
            result = measure(files, config, args.queries)
    else:
        project = load_config(args.profile, args.config)
        result = measure(args.index, project.index, args.queries)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
