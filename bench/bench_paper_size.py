"""The paper's size: does a quota-shaped world of N landmarks let the crawl keep N?

1. Plans and generates the world `rswk sample-world serve --landmarks N` serves (shaped by the
   shipped registry's quotas) and counts, per country, landmarks placed against the quota.
2. Unless `--plan-only`: starts that server in its own process, runs discover and locate over
   every country file, and compares what they kept and what discover's stats say its quota cut
   with the world's truth (landmarks per country).

Prints one JSON object. Usage (nice it, the box is shared):
    nice -n 19 .venv/bin/python bench/bench_paper_size.py --landmarks 14141 [--plan-only]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import LocatedLandmark
from rswk.core.runstore import RunStore
from rswk.harness.quota_world import quota_plan, quota_world
from rswk.harness.served_world import served_world
from rswk.pipeline import run_pipeline


def placement(landmarks: int, seed: int, registry: CountryRegistry) -> dict[str, Any]:
    """Per-country placements of the generated world against the registry's quotas."""
    start = time.perf_counter()
    world = quota_world(landmarks, seed, registry)
    seconds = time.perf_counter() - start
    placed = Counter(lm.country for lm in world.landmarks)
    quotas = {c.iso2: c.quota for c in registry.all()}
    short = {c: (placed.get(c, 0), q) for c, q in quotas.items() if placed.get(c, 0) < q}
    return {
        "world_landmarks": len(world.landmarks),
        "world_countries": len(placed),
        "registry_files": len(quotas),
        "registry_quota": sum(quotas.values()),
        "quota_reachable_in_world": sum(min(placed.get(c, 0), q) for c, q in quotas.items()),
        "countries_below_quota": short,
        "margin_placed": sum(placed[c] - q for c, q in quotas.items() if c in placed),
        "landmarks_outside_registry": sum(n for c, n in placed.items() if c not in quotas),
        "unplaceable_files": quota_plan(landmarks, registry).unplaceable,
        "generate_s": round(seconds, 1),
        "_placed": placed,
    }


def crawl(
    landmarks: int, seed: int, registry: CountryRegistry, placed: Counter[str]
) -> dict[str, Any]:
    """discover and locate over every country file against the served world."""
    with (
        served_world(landmarks, seed=seed) as urls,
        tempfile.TemporaryDirectory(prefix="rswk-paper-size-") as tmp,
    ):
        config = load_config("sample", workdir=Path(tmp)).with_sources(urls)
        countries = [c.iso2 for c in registry.all()]
        times = {}
        for stage in ("discover", "locate"):
            start = time.perf_counter()
            run_pipeline(config, registry, countries, stages=(stage,))
            times[stage] = round(time.perf_counter() - start, 1)
        return _figures(RunStore(Path(tmp)), registry, placed, times)


def _figures(
    store: RunStore, registry: CountryRegistry, placed: Counter[str], times: dict[str, float]
) -> dict[str, Any]:
    discover, locate = store.stage("discover"), store.stage("locate")
    stats = {c.iso2: discover.read_stats(c.iso2) for c in registry.all()}
    located = {c.iso2: len(locate.read_shard(c.iso2, LocatedLandmark)) for c in registry.all()}
    rejected: Counter[str] = Counter()
    for c in registry.all():
        rejected.update(str(r.reason) for r in locate.read_rejections(c.iso2))
    cut = sum(s["dropped_by_quota"] for s in stats.values())
    truth_cut = sum(max(0, placed.get(c, 0) - stats[c]["quota"]) for c in stats)
    return {
        "seconds": times,
        "discover_kept": sum(s["kept"] for s in stats.values()),
        "discover_dropped_by_quota": cut,
        "world_truth_cut_by_quota": truth_cut,
        "locate_kept": sum(located.values()),
        "locate_countries": sum(1 for n in located.values() if n),
        "locate_rejections": dict(rejected),
        "countries_below_quota_after_locate": {
            c: (n, stats[c]["quota"]) for c, n in located.items() if n < stats[c]["quota"]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--landmarks", type=int, default=14_141)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan-only", action="store_true", help="world generation only")
    args = parser.parse_args()
    registry = CountryRegistry.from_dir()
    result: dict[str, Any] = {"landmarks": args.landmarks, "seed": args.seed}
    figures = placement(args.landmarks, args.seed, registry)
    placed = figures.pop("_placed")
    result["placement"] = figures
    if not args.plan_only:
        result["crawl"] = crawl(args.landmarks, args.seed, registry, placed)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
