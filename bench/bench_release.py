"""Release benchmark: build, load and verify a release; prints one JSON object.

    PYTHONPATH=. .venv/bin/python bench/bench_release.py [--rows 14141] [--skip-sample]

Figures, for the sample world (its run store built first by running the crawl stages on the
bundled world, untimed) and for a generated run store of `--rows` landmarks (128 px JPEGs):
- `build_s` (wall) and `build_cpu_s` (this process's CPU, steadier on a shared machine):
  `build_release` (gate, rows, five configs, index copy, report, card, changelog,
  manifest, rename); `size_mb`: the release folder on disk;
- `load_dataset_s`: `datasets.load_dataset(<folder>, "landmarks")` cold (fresh cache dir), plus
  every config for the sample world; `verify_s`: `verify_release` (every sha256 and row count).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rswk.release.assemble import CONFIGS, build_release
from rswk.release.manifest import verify_release
from tests.release.fixtures import generated_run_store, sample_run_store


def _size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 2)


def measure(workdir: Path, scratch: Path, configs: tuple[str, ...]) -> dict[str, Any]:
    """Build, load and verify a release of the run store in `workdir`."""
    import datasets

    datasets.disable_progress_bars()
    started, cpu = time.perf_counter(), time.process_time()
    result = build_release(workdir, scratch / "releases")
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    assert result.path is not None
    started = time.perf_counter()
    rows = 0
    for config in configs:
        loaded = datasets.load_dataset(
            str(result.path), config, cache_dir=str(scratch / f"hf-cache-{config}")
        )
        rows += sum(len(split) for split in loaded.values())
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    problems = verify_release(result.path)
    verify_s = time.perf_counter() - started
    manifest = json.loads((result.path / "manifest.json").read_text())
    return {
        "landmarks": manifest["landmarks"],
        "files": len(manifest["files"]),
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 2),
        "size_mb": _size_mb(result.path),
        "load_dataset_s": round(load_s, 2),
        "load_dataset_configs": list(configs),
        "rows_loaded": rows,
        "verify_s": round(verify_s, 2),
        "verified": problems == [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=14_141)
    parser.add_argument("--skip-sample", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if not args.skip_sample:
            sample = scratch / "sample"
            sample_run_store(sample / "work")
            figures["sample_world"] = measure(sample / "work", sample, CONFIGS)
        generated = scratch / "generated"
        started = time.perf_counter()
        generated_run_store(generated / "work", args.rows)
        figures["generated_store_s"] = round(time.perf_counter() - started, 2)
        figures["generated"] = measure(generated / "work", generated, ("landmarks",))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
