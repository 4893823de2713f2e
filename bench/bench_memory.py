"""Memory benchmark: peak RSS of the heavy stages at two world sizes; prints one JSON object.

    nice -n 19 python bench/bench_memory.py [--sizes 600 1800] [--stages imagery [attributes]]

For each size, a generated sample world serves in its own process (`rswk sample-world serve`)
and a fresh pipeline process (this script with `--child`) starts from `locate` shards written
straight from the world's facts, runs the stages on the local executor, and samples its own RSS
(`/proc/self/statm`, every 20 ms). Figures per size and stage:
- `peak_rss_mb`: the highest RSS seen while the stage ran (the process's imports included);
- `rss_first_mb` / `rss_middle_mb` / `rss_last_mb`: RSS when the first, the middle and the last
  shard of the stage were written; `growth_kb_per_landmark` = (last - first) / landmarks between
  them, and the same over the second half only (after the tile memo has filled): ~0 when memory
  is bounded by the shards in flight, ~ the image size when something keeps every image;
and `ratio`: peak RSS at the larger size / at the smaller one, per stage (goal <= 1.3 for 10x).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rswk.harness.after_locate import HEAVY
from rswk.harness.rss import RssSampler
from rswk.harness.served_world import served_world


def stage_figures(sampler: RssSampler, stage: str) -> dict[str, Any]:
    mb = 1024 * 1024
    shards = sampler.at_shard.get(stage, [])
    figures: dict[str, Any] = {"peak_rss_mb": round(sampler.peaks.get(stage, 0) / mb, 1)}
    if len(shards) >= 4:
        half = len(shards) // 2
        (_, first), (_, middle), (_, last) = shards[0], shards[half], shards[-1]
        figures |= {
            "shards": len(shards),
            "rss_first_mb": round(first / mb, 1),
            "rss_middle_mb": round(middle / mb, 1),
            "rss_last_mb": round(last / mb, 1),
            "growth_kb_per_landmark": growth(first, last, shards[1:]),
            "growth_kb_per_landmark_second_half": growth(middle, last, shards[half + 1 :]),
        }
    return figures


def growth(start: int, end: int, shards: Sequence[tuple[int, int]]) -> float | None:
    """KB of RSS gained per landmark written over `shards` (landmarks, RSS after each)."""
    landmarks = sum(n for n, _ in shards)
    return round((end - start) / 1024 / landmarks, 2) if landmarks else None


def child(workdir: Path, urls: dict[str, str], stages: Sequence[str]) -> dict[str, Any]:
    """Run `stages` over the located shards in `workdir`, sampling this process's RSS."""
    from rswk.core import stage as stage_module
    from rswk.core.config import load_config
    from rswk.core.countries import CountryRegistry
    from rswk.core.run_summary import RunSummary
    from rswk.core.runstore import RunStore
    from rswk.core.stage_executors import LocalStageExecutor
    from rswk.harness.after_locate import run_after_locate

    sampler = RssSampler()
    real_count = stage_module.count_written

    def counting(report: Any, shard_id: str, result: Any) -> None:
        real_count(report, shard_id, result)
        sampler.shard_written(len(result.records) + len(result.rejections))

    stage_module.count_written = counting
    config = load_config("sample", workdir=workdir).with_sources(urls)
    countries = RunStore(workdir).stage("locate").done_shards()
    summary = RunSummary()

    def label(name: str) -> None:
        sampler.label = name

    with sampler.running():
        sampler.label = "before"
        # In this process: the shard hook above counts RSS where the shards are written.
        executor = LocalStageExecutor(config, in_process=True)
        run_after_locate(
            config, CountryRegistry.from_dir(), countries, stages, executor, summary, label
        )
        sampler.label = "after"
    rows = {row["stage"]: row for row in summary.as_json()}
    return {
        "rss_before_stages_mb": round(sampler.peaks.get("before", 0) / 2**20, 1),
        "stages": {
            name: stage_figures(sampler, name)
            | {"seconds": rows[name]["seconds"], "kept": rows[name]["kept"]}
            for name in stages
        },
    }


def write_located(workdir: Path, landmarks: int, seed: int) -> int:
    """The world's located landmarks as `locate` shards; returns how many."""
    from rswk.core.records import LocatedLandmark
    from rswk.core.runstore import RunStore, ShardResult
    from rswk.harness.locate_records import located_records
    from rswk.sampleworld.loader import load_world

    world = load_world("generated", landmarks=landmarks, seed=seed)
    store = RunStore(workdir)
    total = 0
    for shard_id, records in located_records(world).items():
        store.stage("locate").write_shard(
            shard_id, LocatedLandmark, ShardResult(records=records, rejections=[], stats={})
        )
        total += len(records)
    return total


def one_size(landmarks: int, seed: int, stages: Sequence[str]) -> dict[str, Any]:
    # The located shards come from load_world("generated"): the same area-spread world.
    with (
        served_world(landmarks, seed=seed, placement="area") as urls,
        tempfile.TemporaryDirectory() as tmp,
    ):
        workdir = Path(tmp)
        located = write_located(workdir, landmarks, seed)
        command = [sys.executable, __file__, "--child", str(workdir), json.dumps(urls)]
        out = subprocess.run(
            [*command, "--stages", *stages], stdout=subprocess.PIPE, text=True, check=True
        ).stdout
        return {"landmarks_located": located} | json.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(600, 1800))
    parser.add_argument("--stages", nargs="+", default=["imagery"], choices=HEAVY)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=2, metavar=("WORKDIR", "URLS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(Path(args.child[0]), json.loads(args.child[1]), args.stages)
        print(json.dumps(result, sort_keys=True))
        return 0
    small, large = (one_size(n, args.seed, args.stages) for n in args.sizes)
    ratio = {
        name: round(large["stages"][name]["peak_rss_mb"] / small["stages"][name]["peak_rss_mb"], 3)
        for name in args.stages
    }
    result = {"sizes": dict(zip(map(str, args.sizes), (small, large), strict=True)), "ratio": ratio}
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
