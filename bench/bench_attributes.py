"""Attributes stage benchmark against an in-process sample world; prints one JSON object.

    .venv/bin/python bench/bench_attributes.py [--landmarks 100] [--workers 2] [--faults 0.0]

Figures:
- `landmarks_per_s`: the attributes stage with cold caches over a generated world's landmarks
  (locate shards written directly from the world; no imagery shards, so no image analysis);
- `statistical_requests_per_landmark_per_collection`: Statistical API requests the server
  counted, per landmark and per collection asked for (target 1: one request covers the year's
  twelve months); `token_requests`: OAuth token requests for the whole run;
- `climate_requests_per_landmark` (target 1);
- `rerun_requests`: every request the server saw during a second, forced run (target 0: it reads
  the caches), and `rerun_landmarks_per_s`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawlers.attributes.optional_collections import OPTIONAL_COLLECTIONS
from crawlers.attributes.stage import AttributesStage
from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import LocatedLandmark
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import run_stage
from rswk.harness.locate_records import located_records
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World

SH_ENDPOINTS = ("sh_statistics",)


def write_located(store: RunStore, world: World) -> list[str]:
    """One `locate` shard per country of `world`, shaped as the locate stage writes them."""
    shards = located_records(world)
    for shard_id, records in shards.items():
        result = ShardResult(records=records, rejections=[], stats={})
        store.stage("locate").write_shard(shard_id, LocatedLandmark, result)
    return sorted(shards)


def timed_run(config: ProjectConfig, shard_ids: list[str], force: bool) -> tuple[float, int]:
    """Seconds the stage took and the records it wrote."""
    store = RunStore(config.workdir)
    # The stage reads no country file: an empty registry will do.
    stage = AttributesStage(config, CountryRegistry(config.workdir, {}), store)
    started = time.perf_counter()
    try:
        report = run_stage(stage, store, shard_ids, workers=config.workers, force=force)
    finally:
        stage.close()
    return time.perf_counter() - started, report.records


def bench(landmarks: int, workers: int, faults: float, seed: int) -> dict[str, Any]:
    world = load_world("generated", landmarks=landmarks, seed=seed)
    fault_config = FaultConfig(rate=faults) if faults > 0 else None
    with tempfile.TemporaryDirectory() as tmp, SampleWorld(world, faults=fault_config) as server:
        workdir = Path(tmp)
        config = load_config("sample", workdir=workdir).with_sources(server.urls())
        config = config.model_copy(update={"workers": workers})
        shard_ids = write_located(RunStore(workdir), world)
        seconds, records = timed_run(config, shard_ids, force=False)
        first = server.stats()
        server.reset_stats()
        rerun_seconds, _ = timed_run(config, shard_ids, force=True)
        rerun = server.stats()
    requests = first.get("requests", {})
    collections = 1 + sum(
        1 for c in OPTIONAL_COLLECTIONS if getattr(config.attributes, c.config_key)
    )
    statistical = sum(requests.get(name, 0) for name in SH_ENDPOINTS)
    return {
        "landmarks": records,
        "shards": len(shard_ids),
        "workers": workers,
        "faults": faults,
        "seconds": round(seconds, 3),
        "landmarks_per_s": round(records / seconds, 2) if seconds else None,
        "collections_per_landmark": collections,
        "statistical_requests": statistical,
        "statistical_requests_per_landmark_per_collection": (
            round(statistical / (records * collections), 3) if records else None
        ),
        "token_requests": requests.get("sh_token", 0),
        "climate_requests_per_landmark": (
            round(requests.get("climate", 0) / records, 3) if records else None
        ),
        "requests_by_endpoint": requests,
        "rerun_requests": sum(rerun.get("requests", {}).values()),
        "rerun_landmarks_per_s": round(records / rerun_seconds, 2) if rerun_seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = bench(args.landmarks, args.workers, args.faults, args.seed)
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
