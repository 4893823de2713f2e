"""Crawl benchmark: requests per landmark, landmarks/s against a naive baseline, faults, rerun.

Runs discover -> locate -> knowledge against a generated sample world (default 2,000 landmarks
over 175+ countries) with a simulated latency per request, then:
  - the same with `--faults` (429, 5xx, slow, truncated, maxlag),
  - an immediate rerun (and a forced rerun from the HTTP cache): requests sent,
  - a naive baseline written here: for each landmark, sequentially, one Wikipedia-API page, one
    MediaWiki coordinates query and one Wikidata entity query (measured on a sample).
Prints one JSON object. Usage: .venv/bin/python bench/bench_crawl.py [--landmarks 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import wikipediaapi

from crawlers.knowledge.wikipedia_client import mediawiki_rewrite
from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry
from rswk.core.http import PoliteTransport
from rswk.core.records import KnowledgeRecord
from rswk.core.runstore import RunStore
from rswk.pipeline import CRAWL_STAGES, run_pipeline
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.generated import generate_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World

ENDPOINTS = ("sparql", "mediawiki", "wikidata")


TIMESTAMPS = frozenset({"retrieved_at", "rejected_at"})


def without_timestamps(value: Any) -> Any:
    """`value` with every retrieval time removed: two crawls differ only in when they ran."""
    if isinstance(value, dict):
        return {k: without_timestamps(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list):
        return [without_timestamps(v) for v in value]
    return value


def crawl_once(
    world: World, countries: list[str], workdir: Path, latency_ms: float, faults: float
) -> dict[str, Any]:
    """One full crawl into `workdir`; figures per endpoint and the outputs for comparison."""
    registry = CountryRegistry.from_dir()
    fault_config = FaultConfig(rate=faults) if faults else None
    with SampleWorld(world, latency_ms=latency_ms, faults=fault_config) as server:
        host = server.base_url.removeprefix("http://")
        config = load_config("sample", workdir=workdir).with_sources(server.urls())
        start = time.perf_counter()
        run_pipeline(config, registry, countries, stages=CRAWL_STAGES)
        seconds = time.perf_counter() - start
        # A "slow" fault is counted when its answer is sent, after the client gave up on it:
        # let those stragglers land before taking the figures.
        time.sleep(fault_config.slow_seconds if fault_config else 0)
        stats = server.stats()
        server.reset_stats()
        run_pipeline(config, registry, countries, stages=CRAWL_STAGES)
        rerun_requests = sum(server.stats()["requests"].values())
        server.reset_stats()
        run_pipeline(config, registry, countries, stages=CRAWL_STAGES, force=True)
        forced_rerun_requests = sum(server.stats()["requests"].values())
    store = RunStore(workdir)
    discovered = store.stage("discover").summary().records
    # Each run has its own server port; provenance URLs differ only by it.
    knowledge = {
        r.qid: json.loads(
            json.dumps(without_timestamps(r.model_dump(mode="json"))).replace(host, "<host>")
        )
        for iso2 in store.stage("knowledge").done_shards()
        for r in store.stage("knowledge").read_shard(iso2, KnowledgeRecord)
    }
    requests = {ep: stats["requests"].get(ep, 0) for ep in ENDPOINTS}
    per_landmark = {ep: round(n / max(discovered, 1), 4) for ep, n in requests.items()}
    return {
        "landmarks_discovered": discovered,
        "landmarks_with_knowledge": len(knowledge),
        "seconds": round(seconds, 2),
        "landmarks_per_s": round(discovered / seconds, 2),
        "requests": requests,
        "requests_per_landmark": per_landmark,
        "requests_per_landmark_coords_ids_knowledge": round(
            per_landmark["mediawiki"] + per_landmark["wikidata"], 4
        ),
        "sparql_requests_per_country": round(requests["sparql"] / max(len(countries), 1), 3),
        "faults_injected": stats.get("faults", {}),
        "rerun_requests": rerun_requests,
        "forced_rerun_requests": forced_rerun_requests,
        "_outputs": knowledge,
    }


def naive_baseline(world: World, latency_ms: float, sample: int) -> dict[str, Any]:
    """Per landmark, sequentially: a Wikipedia-API page, a coordinates query, an entity query."""
    landmarks = [lm for lm in world.landmarks if lm.articles][:sample]
    politeness = load_config("sample").politeness
    with SampleWorld(world, latency_ms=latency_ms) as server:
        urls = server.urls()
        transport = PoliteTransport(politeness, rewrite=mediawiki_rewrite(urls["mediawiki"]))
        client = httpx.Client(transport=transport, timeout=politeness.timeout_s)
        start = time.perf_counter()
        for landmark in landmarks:
            lang, article = next(iter(landmark.articles.items()))
            wiki = wikipediaapi.Wikipedia(
                user_agent=politeness.full_user_agent, language=lang, transport=transport
            )
            text = wiki.page(article.title).text  # one extracts request
            assert text, article.title
            client.get(
                urls["mediawiki"].replace("{lang}", lang),
                params={
                    "action": "query",
                    "prop": "coordinates",
                    "titles": article.title,
                    "format": "json",
                },
            )
            client.get(
                urls["wikidata"],
                params={"action": "wbgetentities", "ids": landmark.qid, "format": "json"},
            )
        seconds = time.perf_counter() - start
        requests = sum(server.stats()["requests"].values())
    return {
        "landmarks": len(landmarks),
        "seconds": round(seconds, 2),
        "landmarks_per_s": round(len(landmarks) / seconds, 2),
        "requests_per_landmark": round(requests / max(len(landmarks), 1), 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--faults", type=float, default=0.2)
    parser.add_argument("--baseline-sample", type=int, default=200)
    args = parser.parse_args(argv)

    world = generate_world(args.landmarks, seed=args.seed)
    registry = CountryRegistry.from_dir()
    world_countries = sorted({lm.country for lm in world.landmarks})
    countries = [c for c in world_countries if c in registry]
    with tempfile.TemporaryDirectory() as tmp:
        clean = crawl_once(world, countries, Path(tmp) / "clean", args.latency_ms, 0.0)
        faulty = crawl_once(world, countries, Path(tmp) / "faults", args.latency_ms, args.faults)
    baseline = naive_baseline(world, args.latency_ms, args.baseline_sample)
    identical = clean.pop("_outputs") == faulty.pop("_outputs")
    result = {
        "benchmark": "crawl",
        "world": {
            "landmarks": args.landmarks,
            "countries": len(world_countries),
            "countries_with_a_file": len(countries),
            "seed": args.seed,
            "latency_ms": args.latency_ms,
        },
        "rswk": clean,
        "rswk_with_faults": {"fault_rate": args.faults, **faulty},
        "faulty_output_identical_to_clean": identical,
        "naive_baseline": baseline,
        "speedup_vs_naive": round(clean["landmarks_per_s"] / baseline["landmarks_per_s"], 2),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return result


if __name__ == "__main__":
    main()
