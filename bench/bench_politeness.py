"""Each stage's throughput against the limit its politeness settings allow; prints one JSON object.

    python bench/bench_politeness.py [--landmarks 2000] [--crawl 200] [--stages discover,locate] \
        [--latency-ms 0,mediawiki=150,wikidata=150,sparql=150,tiles=60,sh_token=400,...]

A generated sample world runs in its own process (`rswk sample-world serve`) with a latency per
service like the live one's (MediaWiki ~150 ms, tiles ~60 ms, Sentinel Hub ~400 ms; the whole
time an answer takes, the server's own work on it included, as with a live service), and the
crawl stages (discover → attributes) run one at a time on countries of that world holding about
`--crawl` landmarks, from a cold HTTP cache (after an untimed pass that warms the server), with
the **world profile's** politeness: Wikimedia serial per host (`requests_per_host`; the sample
world serves every Wikimedia API from one host, so they share that one slot), tiles / Sentinel
Hub / climate their per-source concurrency and per-minute quota (`politeness.sources`).

The server counts each stage's requests per endpoint. The least time the politeness settings
allow for a source is (Σ requests × latency of the endpoint) ÷ allowed concurrency, and never less
than requests ÷ its per-minute quota; sources can overlap, so a stage's bound is its slowest
source's. `efficiency` = that bound ÷ the stage's wall time = throughput ÷ the allowed limit
(1.0: the stage keeps every allowed slot busy; goal ≥ 0.8).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.run_summary import RunSummary
from rswk.core.scale_config import SourceLimit, default_source_limits
from rswk.harness.quota_world import quota_world
from rswk.harness.served_world import start_served_world, stop_served_world
from rswk.pipeline import run_pipeline
from rswk.sampleworld.latency import Latency

CRAWL_STAGES = ("discover", "locate", "knowledge", "imagery", "attributes")
LIVE_LIKE = (
    "0,mediawiki=150,wikidata=150,sparql=150,tiles=60,"
    "sh_token=400,sh_process=400,sh_statistics=400,climate=150"
)
# Which politeness setting governs each endpoint of the sample world.
SOURCE_OF_ENDPOINT = {
    "mediawiki": "wikimedia",
    "wikidata": "wikimedia",
    "sparql": "wikimedia",
    "tiles": "tiles",
    "sh_token": "sentinelhub",
    "sh_process": "sentinelhub",
    "sh_statistics": "sentinelhub",
    "climate": "climate",
}


def countries_to_crawl(landmarks: int, target: int, registry: CountryRegistry) -> list[str]:
    """Countries with a country file, biggest first, skipping any bigger than what is left,
    until they hold about `target` landmarks of the world (few countries: little per-country
    overhead in the figures)."""
    known = {country.iso2 for country in registry}
    per_country = Counter(lm.country for lm in quota_world(landmarks, 0, registry).landmarks)
    chosen: list[str] = []
    left = target
    for iso, count in per_country.most_common():
        if iso in known and count <= left:
            chosen.append(iso)
            left -= count
        if left <= 0:
            break
    return sorted(chosen)


def world_politeness(config: ProjectConfig) -> ProjectConfig:
    """`config` with the world profile's per-source limits (the sample profile drops quotas)."""
    politeness = config.politeness.model_copy(update={"sources": default_source_limits()})
    return config.model_copy(update={"politeness": politeness})


def allowed_seconds(
    requests: dict[str, int], latency: Latency, config: ProjectConfig
) -> dict[str, float]:
    """Per source: the least time its politeness allows for these requests."""
    busy: dict[str, float] = {}
    count: Counter[str] = Counter()
    for endpoint, n in requests.items():
        source = SOURCE_OF_ENDPOINT.get(endpoint)
        if source is None:
            continue
        busy[source] = busy.get(source, 0.0) + n * latency.seconds(endpoint)
        count[source] += n
    limits = config.politeness.sources
    bound = {}
    for source, seconds in busy.items():
        limit = limits.get(source) or SourceLimit(concurrency=config.politeness.requests_per_host)
        floor = seconds / limit.concurrency
        if limit.per_minute:
            floor = max(floor, count[source] / (limit.per_minute / 60.0))
        bound[source] = round(floor, 3)
    return bound


def server_requests(stats_url: str) -> dict[str, int]:
    return dict(httpx.get(stats_url, timeout=30).json()["requests"])


def bench(
    landmarks: int, target: int, latency: Latency, measured: tuple[str, ...] = CRAWL_STAGES
) -> dict[str, Any]:
    registry = CountryRegistry.from_dir()
    shards = countries_to_crawl(landmarks, target, registry)
    server, urls = start_served_world(landmarks, latency_ms=latency.describe())
    stages: dict[str, Any] = {}
    # The stages up to the last one measured run in order; only the measured ones are reported.
    to_run = CRAWL_STAGES[: max(CRAWL_STAGES.index(name) for name in measured) + 1]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # A first, untimed pass renders what the server renders once per world (tiles,
            # Sentinel Hub statistics), so the timed pass measures RSWK, not the sample world.
            warm = world_politeness(load_config("sample", workdir=Path(tmp) / "warm"))
            run_pipeline(warm.with_sources(urls), registry, shards, stages=to_run)
            config = world_politeness(load_config("sample", workdir=Path(tmp) / "run"))
            config = config.with_sources(urls)
            for name in to_run:
                if name not in measured:
                    run_pipeline(config, registry, shards, stages=(name,))
                    continue
                httpx.post(f"{urls['stats']}/reset", timeout=30)
                summary = RunSummary()
                run_pipeline(config, registry, shards, stages=(name,), summary=summary)
                row = summary.as_json()[0]
                requests = server_requests(urls["stats"])
                handled = row["kept"] + row["rejected"]
                seconds = row["seconds"]
                bound = allowed_seconds(requests, latency, config)
                slowest = max(bound.values(), default=0.0)
                stages[name] = {
                    "seconds": seconds,
                    "landmarks": handled,
                    "landmarks_per_s": round(handled / seconds, 2) if seconds else None,
                    "requests": requests,
                    "requests_per_landmark": {
                        e: round(n / handled, 3) for e, n in requests.items() if handled
                    },
                    "allowed_seconds_per_source": bound,
                    "bottleneck": max(bound, key=lambda s: bound[s]) if bound else None,
                    "efficiency": round(slowest / seconds, 3) if seconds else None,
                }
    finally:
        stop_served_world(server)
    return {
        "landmarks_in_world": landmarks,
        "countries": shards,
        "latency_ms": latency.describe(),
        "limits": {
            "wikimedia_requests_per_host": config.politeness.requests_per_host,
            **{k: v.model_dump() for k, v in config.politeness.sources.items()},
        },
        "workers": config.workers,
        "stages": stages,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=2000, help="size of the generated world")
    parser.add_argument("--crawl", type=int, default=200, help="about this many landmarks crawled")
    parser.add_argument("--latency-ms", default=LIVE_LIKE, help="per-endpoint latency, ms")
    parser.add_argument(
        "--stages",
        default=",".join(CRAWL_STAGES),
        help="stages to measure, comma-separated (the ones before them run untimed)",
    )
    args = parser.parse_args(argv)
    measured = tuple(s for s in args.stages.split(",") if s)
    unknown = sorted(set(measured) - set(CRAWL_STAGES))
    if unknown or not measured:
        parser.error(f"--stages: choose from {', '.join(CRAWL_STAGES)} (got {args.stages!r})")
    result = bench(args.landmarks, args.crawl, Latency.parse(args.latency_ms), measured)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
