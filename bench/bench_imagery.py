"""Imagery stage benchmark against an in-process sample world; prints one JSON object.

    .venv/bin/python bench/bench_imagery.py [--landmarks 60] [--cluster 20] [--workers 2]

Figures:
- `stage_images_per_s`: the imagery stage (cold HTTP cache) over scattered landmarks plus one
  cluster, against the sample world serving pre-rendered tiles (see `prerendered_tiles`);
  `stage_images_per_s_server_rendering`: the same while the server renders every tile;
- `memory_images_per_s`: the same work without any network: the same provider code (tile
  decode, placeholder check, stitch + crop, blank check, encode) fed the same tiles from memory,
  on the same number of threads; `ratio` = stage / memory (target >= 0.8);
- `cluster`: a fresh run over the cluster alone (landmarks within ~150 m, sharing tiles): tile
  requests per image and the cache hit rate (memo + disk hits / tile lookups);
- `rerun_requests`, `rerun_images_per_s`: a second, forced run over everything (target 0
  requests: it reads the disk cache).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.upstream import located_record
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
            located_record(s.qid, s.country, s.lat, s.lon, f"Landmark {s.qid}", provenance)
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
    return {"seconds": seconds, "records": report.records, "rejected": report.rejected, **counters}


class MemoryTiles:
    """Stands in for `TileFetcher`: the same tiles and their times, from dicts."""

    def __init__(
        self,
        tiles: dict[tuple[int, int, int], bytes | None],
        produced: datetime | None,
    ) -> None:
        self.tiles = tiles
        self.produced = produced
        self.counts: Counter[str] = Counter()

    def get(self, z: int, x: int, y: int) -> bytes | None:
        return self.tiles[(z, x, y)]

    def produced_at(self, keys: Iterable[tuple[int, int, int]]) -> datetime | None:
        return self.produced


def memory_run(config: ProjectConfig, sites: Sequence[Site]) -> float:
    """Seconds for the provider's work on `sites` with every tile already in memory."""
    targets = [ImageTarget(s.qid, s.country, s.lat, s.lon) for s in sites]
    online = XyzProvider(config)
    online.open()
    wanted = {(r.zoom, r.x, r.y) for t in targets for r in online.window_for(t).tiles()}
    assert online.tiles is not None
    tiles = {key: online.tiles.get(*key) for key in sorted(wanted)}  # from the disk cache
    produced = online.tiles.produced_at(wanted)
    online.close()
    offline = XyzProvider(config)
    offline.tiles = MemoryTiles(tiles, produced)
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


@contextmanager
def prerendered_tiles() -> Iterator[None]:
    """Serve each sample-world tile rendered once, then from memory.

    The sample world renders tiles on demand in this very process (tens of ms each on the
    CPUs the client also uses), which a real tile service does not; with tiles pre-rendered, a
    second cold run measures what RSWK itself adds: HTTP, retries, disk cache, stitching.
    """
    route = next(r for r in ROUTES.routes() if r.endpoint == "tiles")
    memo: dict[str, Response] = {}
    lock = threading.Lock()

    def cached(request: Request, ctx: ServerContext) -> Response:
        key = request.signature()
        with lock:
            hit = memo.get(key)
        if hit is None:
            hit = route.handler(request, ctx)
            with lock:
                memo[key] = hit
        return Response(hit.status, dict(hit.headers), hit.body, hit.items)

    register = ROUTES.route(route.pattern, route.endpoint, methods=tuple(route.methods))
    register(cached)
    try:
        yield
    finally:
        register(route.handler)


def run_all(args: argparse.Namespace, near: list[Site], everything: list[Site]) -> dict[str, Any]:
    """Every measured run against one sample world; raw figures."""
    figures: dict[str, Any] = {}
    with (
        SampleWorld(world_of(everything), seed=args.seed) as server,
        tempfile.TemporaryDirectory() as tmp,
        prerendered_tiles(),
    ):
        # The cluster alone, cold: how much sharing tiles saves.
        config = bench_config(Path(tmp) / "cluster", server.urls(), args.workers)
        figures["cluster"] = run_imagery(config, write_located(RunStore(config.workdir), near))
        figures["cluster_requests"] = tile_requests(server)
        # Everything, cold, the server rendering each tile as it is asked for.
        config = bench_config(Path(tmp) / "rendering", server.urls(), args.workers)
        figures["rendering"] = run_imagery(
            config, write_located(RunStore(config.workdir), everything)
        )
        server.reset_stats()
        # Everything, cold client cache, tiles pre-rendered: the stage's own throughput.
        config = bench_config(Path(tmp) / "all", server.urls(), args.workers)
        shards = write_located(RunStore(config.workdir), everything)
        figures["stage"] = run_imagery(config, shards)
        figures["requests"] = tile_requests(server)
        server.reset_stats()
        figures["rerun"] = run_imagery(config, shards, force=True)
        figures["rerun_requests"] = sum(server.stats()["requests"].values())
        figures["memory_seconds"] = memory_run(config, everything)
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; returns the JSON-ready figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=60, help="scattered landmarks")
    parser.add_argument("--cluster", type=int, default=20, help="landmarks sharing tiles")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scattered, near = sites_for(args.landmarks, args.cluster, args.seed)
    everything = scattered + near
    raw = run_all(args, near, everything)
    stage, cluster = raw["stage"], raw["cluster"]
    images = stage["records"] + stage["rejected"]
    stage_ips = images / stage["seconds"]
    memory_ips = len(everything) / raw["memory_seconds"]
    lookups = cluster.get("tile_lookups", 0)
    hits = cluster.get("tile_memo_hits", 0) + cluster.get("http_cache_hits", 0)
    return {
        "benchmark": "imagery",
        "landmarks": len(everything),
        "workers": args.workers,
        "images": stage["records"],
        "rejected": stage["rejected"],
        "stage_images_per_s": round(stage_ips, 2),
        "memory_images_per_s": round(memory_ips, 2),
        "ratio": round(stage_ips / memory_ips, 3),
        "stage_images_per_s_server_rendering": round(images / raw["rendering"]["seconds"], 2),
        "tile_requests_per_image": round(raw["requests"] / max(images, 1), 2),
        "cluster": {
            "landmarks": len(near),
            "tile_requests": raw["cluster_requests"],
            "tile_requests_per_image": round(raw["cluster_requests"] / max(len(near), 1), 2),
            "tile_lookups": lookups,
            "cache_hit_rate": round(hits / lookups, 3) if lookups else None,
        },
        "rerun_requests": raw["rerun_requests"],
        "rerun_images_per_s": round(images / raw["rerun"]["seconds"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
