"""Lineage benchmark: what deciding "is this shard current?" costs on a full-size run store.

Builds a run store with one (empty) shard per country file for every registered stage, each
done-marker carrying the lineage the real stage computes, then times:
  - `assess` (what `rswk status` and `rswk run` do to list stale shards and why), all current;
  - the same after one country file is edited (that country stale in every stage);
  - a `run_stage` rerun of the last stage with nothing to do (fingerprints + skip decisions).
Prints one JSON object. Usage: .venv/bin/python bench/bench_lineage.py
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry, shipped_countries_dir, write_country_file
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import run_stage
from rswk.pipeline import assess, build_stage, stage_order, upstream


def build_store(workdir: Path, registry: CountryRegistry) -> int:
    """Every stage's shard of every country, written with its true lineage; returns the count."""
    config = load_config("sample", workdir=workdir)
    store = RunStore(workdir)
    shards = [c.iso2 for c in registry]
    for name in stage_order():
        stage = build_stage(name, config, registry, store)
        for shard_id in shards:
            lineage = stage.lineage(store, shard_id, upstream(name))
            result = ShardResult(records=[], rejections=[], stats={})
            store.stage(name).write_shard(shard_id, stage.record_model, result, lineage)
    return len(shards) * len(stage_order())


def timed_assess(workdir: Path, registry: CountryRegistry) -> tuple[float, int]:
    config = load_config("sample", workdir=workdir)
    start = time.perf_counter()
    health = assess(config, registry, RunStore(workdir))
    return time.perf_counter() - start, sum(len(h.stale) for h in health)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rswk-bench-lineage-") as tmp:
        root = Path(tmp)
        countries = root / "countries"
        shutil.copytree(shipped_countries_dir(), countries)
        registry = CountryRegistry.from_dir(countries)
        workdir = root / "work"
        start = time.perf_counter()
        shards = build_store(workdir, registry)
        build_s = time.perf_counter() - start
        current_s, current_stale = timed_assess(workdir, registry)

        fr = registry.get("FR")
        write_country_file(fr.model_copy(update={"quota": fr.quota + 1}), countries / "FR.yaml")
        edited = CountryRegistry.from_dir(countries)
        edited_s, edited_stale = timed_assess(workdir, edited)

        config = load_config("sample", workdir=workdir)
        store = RunStore(workdir)
        last = stage_order()[-1]
        stage = build_stage(last, config, registry, store)
        start = time.perf_counter()
        report = run_stage(stage, store, [c.iso2 for c in registry], upstream=upstream(last))
        rerun_s = time.perf_counter() - start
    print(
        json.dumps(
            {
                "countries": len(registry),
                "shards": shards,
                "build_store_s": round(build_s, 3),
                "assess_all_current_s": round(current_s, 3),
                "assess_ms_per_shard": round(1000 * current_s / shards, 3),
                "stale_when_current": current_stale,
                "assess_after_editing_FR_s": round(edited_s, 3),
                "stale_after_editing_FR": edited_stale,
                f"rerun_{last}_nothing_to_do_s": round(rerun_s, 3),
                f"rerun_{last}_skipped": len(report.skipped),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
