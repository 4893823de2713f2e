"""End to end on a generated world: every stage, its time, requests, memory and disk; then a
no-change rerun. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/bench_end_to_end.py --landmarks 1414 [--until release] \
        [--latency-ms 0] [--seed 0] [--out PATH] [--keep FOLDER] [--quota-scale 1] [--part K/N]

A quota-shaped world of `--landmarks` (`rswk sample-world serve --placement quotas`, in its own
process) is crawled over every country file with the sample profile, one stage after the other
as `rswk run` does, up to `--until`. Per stage: wall seconds, shards, kept and rejected, requests
per source and per landmark handled, seconds per kept landmark, the highest RSS of this process
while the stage ran (`/proc/self/statm`, every 20 ms) and the stage's folder on disk; then the
HTTP cache per folder, the run's peak RSS, and a rerun of every stage with nothing changed
(requests and shards written: both should be 0). Compare two sizes (e.g. 1,414 and 14,141) for
growth: peak RSS ratio, and seconds per landmark per stage.

The shipped quotas add up to 14,141 (the paper's size): a larger world needs larger quotas,
`--quota-scale F` runs on a copy of the country files with every quota times F (the world is
shaped by the same copy), e.g. `--landmarks 100000 --quota-scale 7.08` for the moonshot.

A run longer than one command may take is done in parts by country: `--part K/N` runs only the
K-th of N groups of countries of near-equal total quota (`country_parts`), on the same world;
run K = 1..N and sum the parts' seconds, requests and disk (the peak is the parts' largest).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry, load_country_file, shipped_countries_dir
from rswk.core.run_summary import RunSummary
from rswk.harness.quota_world import country_parts, with_quota
from rswk.harness.rss import RssSampler
from rswk.harness.served_world import served_world
from rswk.pipeline import run_pipeline, stages_until

MB = 1024 * 1024


def folder_mb(path: Path) -> float:
    """Apparent size of every file under `path`, MB."""
    if not path.exists():
        return 0.0
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MB, 2)


def cache_mb(cache: Path) -> dict[str, float]:
    """HTTP cache MB per client folder; the tile client's entries, kept at the top level in
    folders named by a key's first two hex digits, are summed as `tiles`."""
    if not cache.exists():
        return {}
    sizes: dict[str, float] = {}
    for folder in sorted(p for p in cache.iterdir() if p.is_dir()):
        name = "tiles" if re.fullmatch(r"[0-9a-f]{2}", folder.name) else folder.name
        sizes[name] = round(sizes.get(name, 0.0) + folder_mb(folder), 2)
    return sizes


def stage_row(row: dict[str, Any], peak: int, driver_peak: int, disk_mb: float) -> dict[str, Any]:
    handled = row["kept"] + row["rejected"]
    requests: dict[str, int] = row["requests"]
    return {
        "seconds": row["seconds"],
        "shards_written": row["shards_written"],
        "kept": row["kept"],
        "rejected": row["rejected"],
        "requests": requests,
        "requests_per_landmark": {
            source: round(n / handled, 3) for source, n in requests.items() if handled
        },
        "ms_per_kept_landmark": round(1000 * row["seconds"] / row["kept"], 2)
        if row["kept"]
        else None,
        "peak_rss_mb": round(peak / MB, 1),
        # The driver alone (the stage itself runs in a forked child): what the run keeps.
        "driver_peak_rss_mb": round(driver_peak / MB, 1),
        "disk_mb": disk_mb,
    }


def scaled_registry(factor: float, folder: Path) -> Path:
    """The shipped country files with every quota times `factor` (rounded, at least the pinned
    QIDs), written to `folder`: a registry for a world beyond the paper's quotas (the sum is
    14,141), as a user building a larger dataset would edit the files' quotas."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(shipped_countries_dir().glob("*.yaml")):
        country = load_country_file(source)
        quota = max(1, len(country.pinned), round(country.quota * factor))
        try:
            (folder / source.name).write_text(with_quota(source.read_text(), quota))
        except ValueError as exc:
            raise SystemExit(f"{source}: {exc}") from None
    return folder


def crawl(
    config: ProjectConfig,
    stages: list[str],
    sampler: RssSampler,
    countries_dir: Path | None = None,
    part: tuple[int, int] = (1, 1),
) -> dict[str, Any]:
    """Every stage in order, one `run_pipeline` each (so RSS is labelled per stage), over the
    countries of `part` (K, N): the K-th of N groups, all of them for (1, 1)."""
    registry = CountryRegistry.from_dir(countries_dir)
    groups = country_parts({c.iso2: c.quota for c in registry.all()}, part[1])
    countries = groups[part[0] - 1]
    workdir = Path(config.run_store_location)
    summary = RunSummary()
    for name in stages:
        sampler.label = name
        print(f"{time.strftime('%H:%M:%S')} {name}", file=sys.stderr, flush=True)
        run_pipeline(config, registry, countries, stages=(name,), summary=summary)
    rows = {row["stage"]: row for row in summary.as_json()}
    figures = {
        name: stage_row(
            rows[name],
            sampler.peaks.get(name, 0),
            sampler.own_peaks.get(name, 0),
            folder_mb(workdir / name),
        )
        for name in stages
    }
    sampler.label = "rerun"
    print(f"{time.strftime('%H:%M:%S')} no-change rerun", file=sys.stderr, flush=True)
    again = RunSummary()
    start = time.monotonic()
    run_pipeline(config, registry, countries, stages=stages, summary=again)
    rerun = {
        "seconds": round(time.monotonic() - start, 1),
        "requests": sum(sum(row["requests"].values()) for row in again.as_json()),
        "shards_written": sum(row["shards_written"] for row in again.as_json()),
    }
    return {
        "part": f"{part[0]}/{part[1]}",
        "countries": len(countries),
        "stages": figures,
        "seconds_total": round(sum(f["seconds"] for f in figures.values()), 1),
        "peak_rss_mb": round(max(sampler.peaks.get(n, 0) for n in stages) / MB, 1),
        "http_cache_mb": cache_mb(config.http_cache_dir),
        "rerun": rerun,
    }


def bench(
    landmarks: int,
    until: str,
    latency_ms: str,
    seed: int,
    keep: Path | None = None,
    quota_scale: float = 1.0,
    part: tuple[int, int] = (1, 1),
) -> dict[str, Any]:
    stages = stages_until(until)
    sampler = RssSampler()
    if keep is not None and any(keep.iterdir() if keep.exists() else ()):
        raise SystemExit(f"--keep {keep}: the folder is not empty; give a new or empty one")
    with tempfile.TemporaryDirectory(prefix="rswk-e2e-") as tmp:
        # --keep: the run (and its releases) in a folder that outlives the benchmark, so one
        # stage can be probed again on the same shards (`rswk run --workdir KEEP/run ...`).
        root = keep if keep is not None else Path(tmp)
        countries = None
        if quota_scale != 1.0:
            countries = scaled_registry(quota_scale, root / "countries")
        with (
            served_world(
                landmarks, seed=seed, latency_ms=latency_ms, countries_dir=countries
            ) as urls,
            sampler.running(),
        ):
            return run_bench(root, urls, stages, sampler, countries, part) | {
                "landmarks_in_world": landmarks,
                "seed": seed,
                "latency_ms": latency_ms,
                "quota_scale": quota_scale,
            }


def run_bench(
    root: Path,
    urls: dict[str, str],
    stages: list[str],
    sampler: RssSampler,
    countries: Path | None,
    part: tuple[int, int],
) -> dict[str, Any]:
    """The stages on the served world with the sample profile, in `root`."""
    config = load_config("sample", workdir=root / "run").with_sources(urls)
    release = config.release.model_copy(update={"releases_dir": root / "releases"})
    config = config.model_copy(update={"release": release})
    return {"workers": config.workers} | crawl(config, stages, sampler, countries, part)


def parse_part(text: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N) as (K, N)."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise argparse.ArgumentTypeError(f"{text!r}: give K/N with 1 <= K <= N, e.g. 1/8")
    return int(match[1]), int(match[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=1414, help="size of the generated world")
    parser.add_argument("--until", default="release", help="last stage run")
    parser.add_argument("--latency-ms", default="0", help="per-endpoint latency of the world")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--keep", type=Path, help="run in this (new or empty) folder and keep it")
    parser.add_argument(
        "--quota-scale",
        type=float,
        default=1.0,
        help="every country file's quota times this (beyond 14,141 landmarks: e.g. 7.08 for 100k)",
    )
    parser.add_argument(
        "--part",
        type=parse_part,
        default=(1, 1),
        help="only the K-th of N country groups of near-equal quota (K/N; run all N and sum)",
    )
    args = parser.parse_args(argv)
    if args.quota_scale <= 0:
        parser.error("--quota-scale must be > 0")
    result = bench(
        args.landmarks,
        args.until,
        args.latency_ms,
        args.seed,
        args.keep,
        args.quota_scale,
        args.part,
    )
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
