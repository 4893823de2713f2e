"""Ray executor benchmark: the heavy stages on a local 2-CPU Ray cluster vs the local executor.

    python bench/bench_ray.py [--landmarks 300] [--latency-ms 20] [--seed 0]

The sample world (a generated world) runs in its own process (`rswk sample-world serve`), so the
figures measure RSWK rather than the server. Each variant starts from the same `locate` shards
(written from the world) in a fresh workdir with a cold HTTP cache and runs imagery then
attributes; a first local pass warms the server's tile memo and is reported apart. Prints one
JSON object:
- `variants`: per executor (local with `workers` threads; Ray with 2 workers = 1 CPU per task;
  Ray with 1 worker = 2 CPUs per task), seconds per stage and landmarks per second;
- `ray_2_vs_local`: local seconds / Ray seconds for both stages (above 1: Ray is faster);
- `ray_2_vs_1_workers`: the scaling from one Ray worker to two;
- `overhead_per_task_ms`: (Ray - inline local) seconds / tasks for a stage that only copies its
  shard, i.e. what a task costs beyond its own work (scheduling, stage hand-over, store writes).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import LocatedLandmark
from rswk.core.run_summary import RunSummary
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.scale_config import RayConfig
from rswk.core.stage import Stage, run_stage
from rswk.core.stage_executors import LocalStageExecutor, StageExecutor
from rswk.harness.after_locate import HEAVY, run_after_locate
from rswk.harness.locate_records import located_records
from rswk.harness.served_world import start_served_world, stop_served_world
from rswk.sampleworld.loader import load_world


class CopyStage(Stage):
    """Copies a shard's located landmarks: a task with almost no work of its own."""

    name = "copy"
    record_model = LocatedLandmark
    executor_kind = "inline"

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def process(self, shard_id: str) -> ShardResult:
        records = self.store.stage("locate").read_shard(shard_id, LocatedLandmark)
        return ShardResult(records=records, rejections=[], stats={})


def write_located(workdir: Path, landmarks: int, seed: int) -> list[str]:
    world = load_world("generated", landmarks=landmarks, seed=seed)
    store = RunStore(workdir)
    shards = located_records(world)
    for shard_id, records in shards.items():
        result = ShardResult(records=records, rejections=[], stats={})
        store.stage("locate").write_shard(shard_id, LocatedLandmark, result)
    return sorted(shards)


def run_variant(
    config: ProjectConfig, executor: StageExecutor, shards: list[str]
) -> dict[str, Any]:
    summary = RunSummary()
    # Started from `locate` shards alone: the pipeline would wait for knowledge before imagery.
    run_after_locate(config, CountryRegistry.from_dir(), shards, HEAVY, executor, summary)
    rows = {row["stage"]: row for row in summary.as_json()}
    seconds = {name: rows[name]["seconds"] for name in HEAVY}
    landmarks = rows["imagery"]["kept"] + rows["imagery"]["rejected"]
    total = sum(seconds.values())
    return {
        "seconds": seconds,
        "seconds_total": round(total, 3),
        "landmarks": landmarks,
        "landmarks_per_s": round(landmarks / total, 2) if total else None,
        "requests": {name: rows[name]["requests"] for name in HEAVY},
    }


def task_overhead(root: Path, located: Path, shards: list[str]) -> dict[str, Any]:
    """Seconds of the copy stage inline vs on Ray, per task."""
    import shutil

    from rswk.core.ray_executor import RayStageExecutor

    results = {}
    for kind in ("local", "ray"):
        workdir = root / f"copy-{kind}"
        shutil.copytree(located, workdir / "locate")
        store = RunStore(workdir)
        started = time.perf_counter()
        if kind == "local":
            run_stage(CopyStage(store), store, shards, workers=1)
        else:
            config = load_config("sample", workdir=workdir).model_copy(update={"executor": "ray"})
            RayStageExecutor(config).run(CopyStage(store), store, shards, workers=2)
        results[kind] = time.perf_counter() - started
    return {
        "tasks": len(shards),
        "local_inline_s": round(results["local"], 3),
        "ray_s": round(results["ray"], 3),
        "overhead_per_task_ms": round(1000 * (results["ray"] - results["local"]) / len(shards), 2),
    }


def bench(landmarks: int, latency_ms: float, seed: int) -> dict[str, Any]:
    import shutil

    import ray

    from rswk.core.ray_executor import RayStageExecutor

    # The same world as `write_located`'s load_world (spread by area), not quota-shaped.
    server, urls = start_served_world(
        landmarks, seed=seed, placement="area", latency_ms=str(latency_ms)
    )
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            located = root / "located"
            shards = write_located(located, landmarks, seed)
            variants: dict[str, Any] = {}
            # The first pass renders every tile in the server, which memoises them: it is
            # reported (`local_cold_server`) but the comparison uses the passes after it.
            plans = {
                "local_cold_server": ("local", 1.0),
                "local": ("local", 1.0),
                "ray_2_workers": ("ray", 1.0),
                "ray_1_worker": ("ray", 2.0),
            }
            for label, (kind, cpus) in plans.items():
                workdir = root / label
                shutil.copytree(located / "locate", workdir / "locate")
                config = load_config("sample", workdir=workdir).with_sources(urls)
                config = config.model_copy(
                    update={"executor": kind, "ray": RayConfig(cpus_per_task=cpus)}
                )
                executor: StageExecutor = (
                    LocalStageExecutor(config) if kind == "local" else RayStageExecutor(config)
                )
                variants[label] = run_variant(config, executor, shards)
            overhead = task_overhead(root, located / "locate", shards)
    finally:
        ray.shutdown()
        stop_served_world(server)
    local_s = variants["local"]["seconds_total"]
    ray2_s = variants["ray_2_workers"]["seconds_total"]
    ray1_s = variants["ray_1_worker"]["seconds_total"]
    return {
        "landmarks": landmarks,
        "shards": len(shards),
        "latency_ms": latency_ms,
        "variants": variants,
        "ray_2_vs_local": round(local_s / ray2_s, 3) if ray2_s else None,
        "ray_2_vs_1_workers": round(ray1_s / ray2_s, 3) if ray2_s else None,
        "task_overhead": overhead,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = bench(args.landmarks, args.latency_ms, args.seed)
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
