"""Imagery stage benchmark against an in-process sample world; prints one JSON object.

    .venv/bin/python bench/bench_imagery.py [--landmarks 60] [--cluster 20] [--workers 2]

Figures:
- `stage_images_per_s`: the imagery stage (cold HTTP cache) over scattered landmarks plus one
  cluster, against the sample world;
- `memory_images_per_s`: the same work without any network: the same provider code (tile
  decode, placeholder check, stitch + crop, blank check, encode) fed the same tiles from memory,
  on the same number of threads; `ratio` = stage / memory (target >= 0.8);
- `cluster`: a fresh run over the cluster alone (landmarks within ~150 m, sharing tiles): tile
  requests per image and the cache hit rate (memo + disk hits / tile lookups);
- `rerun_requests`: requests a second, forced run over everything sends (target 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from crawlers.imagery.providers import ImageTarget
from crawlers.imagery.stage import ImageryStage
from crawlers.imagery.xyz import XyzProvider
from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import LocatedLandmark, Provenance
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import run_stage
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World, WorldLandmark

CLUSTER_CENTRE = (48.8584, 2.2945)


@dataclass(frozen=True)
class Site:
    qid: str
    country: str
    lat: float
    lon: float


def sites_for(landmarks: int, cluster: int, seed: int) -> tuple[list[Site], list[Site]]:
    """`landmarks` scattered sites (shard XA) and `cluster` sites near Paris (shard XB)."""
    rng = np.random.default_rng(seed)
    scattered = [
        Site(f"Q{100 + i}", "XA", float(rng.uniform(-60, 60)), float(rng.uniform(-179, 179)))
        for i in range(landmarks)
    ]
    lat, lon = CLUSTER_CENTRE
    near = [
        Site(f"Q{10_000 + i}", "XB", lat + float(rng.uniform(-1.3e-3, 1.3e-3)),
             lon + float(rng.uniform(-1.3e-3, 1.3e-3)))
        for i in range(cluster)
    ]  # fmt: skip
    return scattered, near


def world_of(sites: Sequence[Site]) -> World:
    landmarks = [
        WorldLandmark(
            qid=s.qid, country=s.country, lat=s.lat, lon=s.lon, classes=["Q12518"],
            sitelinks=10, labels={"en": f"Landmark {s.qid}"},
        )
        for s in sites
    ]  # fmt: skip
    return World(name="bench-imagery", landmarks=landmarks)


def write_located(store: RunStore, sites: Sequence[Site]) -> list[str]:
    """Done `locate` shards for `sites`, one per country code."""
    retrieved = datetime(2025, 1, 1, tzinfo=UTC)
    provenance = Provenance(
        source_url="http://127.0.0.1/bench", retrieved_at=retrieved, licence="CC0-1.0",
        attribution="bench",
    )  # fmt: skip
    shards: dict[str, list[LocatedLandmark]] = {}
    for s in sites:
        shards.setdefault(s.country, []).append(
            LocatedLandmark(
                qid=s.qid,
                country=s.country,
                label=f"Landmark {s.qid}",
                lat=s.lat,
                lon=s.lon,
                coordinate_source="wikidata:P625",
                distance_to_country_m=0.0,
                entity_revision=1,
                provenance=provenance,
            )
        )
    for shard_id, records in shards.items():
        store.stage("locate").write_shard(shard_id, LocatedLandmark, ShardResult(records, [], {}))
    return sorted(shards)


def bench_config(workdir: Path, urls: dict[str, str], workers: int) -> ProjectConfig:
    config = load_config("sample", workdir=workdir).with_sources(urls)
    return config.model_copy(update={"workers": workers})


def run_imagery(config: ProjectConfig, shards: list[str], force: bool = False) -> dict[str, Any]:
    """Run the stage; its wall time, report and provider counters."""
    store = RunStore(config.workdir)
    stage = ImageryStage(config, CountryRegistry.from_dir(), store)
    started = time.perf_counter()
    report = run_stage(stage, store, shards, workers=config.workers, force=force)
    seconds = time.perf_counter() - started
    counters = stage.provider.stats()
    stage.close()
    return {"seconds": seconds, "records": report.records, "rejected": report.rejected, **counters}


class MemoryTiles:
    """Stands in for `TileFetcher`: the same tiles, from a dict."""

    def __init__(self, tiles: dict[tuple[int, int, int], bytes | None]) -> None:
        self.tiles = tiles
        self.counts: Counter[str] = Counter()

    def get(self, z: int, x: int, y: int) -> bytes | None:
        return self.tiles[(z, x, y)]


def memory_run(config: ProjectConfig, sites: Sequence[Site]) -> float:
    """Seconds for the provider's work on `sites` with every tile already in memory."""
    targets = [ImageTarget(s.qid, s.country, s.lat, s.lon) for s in sites]
    online = XyzProvider(config)
    online.open()
    wanted = {(r.zoom, r.x, r.y) for t in targets for r in online.window_for(t).tiles()}
    assert online.tiles is not None
    tiles = {key: online.tiles.get(*key) for key in sorted(wanted)}  # from the disk cache
    online.close()
    offline = XyzProvider(config)
    offline.tiles = MemoryTiles(tiles)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=config.workers) as pool:
        list(pool.map(_fetch_or_reason(offline), targets))
    return time.perf_counter() - started


def _fetch_or_reason(provider: XyzProvider) -> Any:
    from crawlers.imagery.quality import ImageRejected

    def one(target: ImageTarget) -> str:
        try:
            return provider.fetch(target).sha256
        except ImageRejected as exc:
            return exc.reason.value

    return one


def tile_requests(server: SampleWorld) -> int:
    return int(server.stats()["requests"].get("tiles", 0))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=60, help="scattered landmarks")
    parser.add_argument("--cluster", type=int, default=20, help="landmarks sharing tiles")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scattered, near = sites_for(args.landmarks, args.cluster, args.seed)
    everything = scattered + near
    with (
        SampleWorld(world_of(everything), seed=args.seed) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        # The cluster alone, cold: how much sharing tiles saves.
        cluster_cfg = bench_config(Path(tmp) / "cluster", server.urls(), args.workers)
        cluster_run = run_imagery(cluster_cfg, write_located(RunStore(cluster_cfg.workdir), near))
        cluster_requests = tile_requests(server)
        server.reset_stats()
        # Everything, cold: throughput against the sample world.
        config = bench_config(Path(tmp) / "all", server.urls(), args.workers)
        shards = write_located(RunStore(config.workdir), everything)
        stage_run = run_imagery(config, shards)
        requests = tile_requests(server)
        server.reset_stats()
        rerun = run_imagery(config, shards, force=True)
        rerun_requests = sum(server.stats()["requests"].values())
        memory_seconds = memory_run(config, everything)
    images = stage_run["records"] + stage_run["rejected"]
    stage_ips = images / stage_run["seconds"]
    memory_ips = len(everything) / memory_seconds
    lookups = cluster_run.get("tile_lookups", 0)
    hits = cluster_run.get("tile_memo_hits", 0) + cluster_run.get("http_cache_hits", 0)
    result = {
        "benchmark": "imagery",
        "landmarks": len(everything),
        "workers": args.workers,
        "images": stage_run["records"],
        "rejected": stage_run["rejected"],
        "stage_seconds": round(stage_run["seconds"], 3),
        "stage_images_per_s": round(stage_ips, 2),
        "memory_images_per_s": round(memory_ips, 2),
        "ratio": round(stage_ips / memory_ips, 3),
        "tile_requests_per_image": round(requests / max(images, 1), 2),
        "cluster": {
            "landmarks": len(near),
            "tile_requests": cluster_requests,
            "tile_requests_per_image": round(cluster_requests / max(len(near), 1), 2),
            "tile_lookups": lookups,
            "cache_hit_rate": round(hits / lookups, 3) if lookups else None,
        },
        "rerun_requests": rerun_requests,
        "rerun_seconds": round(rerun["seconds"], 3),
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
