"""Index build benchmark: peak RSS and time of building the index files as the run grows.

    python bench/bench_index_build.py --workdir work/sample [--copies 1 25 250]

Builds the index files (`build_index_files`, forced) from a finished run's index shards copied
N times, for each N in `--copies`: the paper's ~290,000 chunks without ~2.4 hours of encoding on
2 cores (the encoders' speed is `bench_index_encoding.py`'s). Each copy of a shard (those with
chunks) gets a new sub-shard id (`GB-0001`, `GB-0002`...) and its vectors a seeded perturbation
(Gaussian noise of `--noise`, renormalised), so the copies are near neighbours, not exact
duplicates the graph would pile up on; chunk rows (their text too) are the original's, and the
first copy's curated shards come along for the image self-evaluation.

Each size is built in a fresh process (this script with `--child`) that first loads both encoders,
as the index stage has them loaded when it builds, then builds while sampling its own RSS. Per
size: chunks, images, `build_s`, `rss_ready_mb` (encoders loaded), `peak_rss_mb`, and the sha256
of ids.parquet and of each index file; then `growth_kb_per_chunk` (peak RSS gained per chunk from
the smallest size to the largest) and `peak_ratio`. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from rswk.harness.rss import RssSampler

STAGES_COPIED = ("index", "curate")


def copy_run(source: Path, target: Path, copies: int, noise: float, seed: int) -> dict[str, int]:
    """`target` as a run store whose index stage holds every index shard of `source` `copies`
    times under sub-shard ids; returns the shard and chunk counts."""
    rng = np.random.default_rng(seed)
    index = source / "index"
    # Shards of countries without landmarks are left out: copied 250 times they would only add
    # files to open.
    shards = sorted(
        p.stem for p in (index / "done").glob("*.json") if json.loads(p.read_text())["records"] > 0
    )
    if not shards or any("-" in s for s in shards):
        raise SystemExit(
            f"{source}: needs finished index shards with country ids (GB, not GB-0001)"
        )
    for stage in STAGES_COPIED:
        for folder in ("shards", "done", "embeddings"):
            (target / stage / folder).mkdir(parents=True, exist_ok=True)
    chunks = 0
    for copy in range(1, copies + 1):
        for shard in shards:
            new = f"{shard}-{copy:04d}"
            shutil.copyfile(
                index / "shards" / f"{shard}.parquet", target / f"index/shards/{new}.parquet"
            )
            shutil.copyfile(index / "done" / f"{shard}.json", target / f"index/done/{new}.json")
            perturbed, count = perturbed_vectors(index / "embeddings" / f"{shard}.npz", rng, noise)
            (target / f"index/embeddings/{new}.npz").write_bytes(perturbed)
            chunks += count
            if copy == 1 and (source / "curate" / "done" / f"{shard}.json").is_file():
                for folder, suffix in (("shards", ".parquet"), ("done", ".json")):
                    shutil.copyfile(
                        source / "curate" / folder / f"{shard}{suffix}",
                        target / "curate" / folder / f"{new}{suffix}",
                    )
    return {"shards": len(shards) * copies, "chunks": chunks}


def perturbed_vectors(path: Path, rng: np.random.Generator, noise: float) -> tuple[bytes, int]:
    """The shard's vectors file with every vector moved by seeded noise and renormalised."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    for name in ("image", "text", "text_dense"):
        if name in arrays and arrays[name].size:
            moved = arrays[name] + noise * rng.standard_normal(arrays[name].shape)
            arrays[name] = (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue(), len(arrays["text"])


def child(workdir: Path) -> dict[str, Any]:
    """Build the index files of `workdir` in this process, sampling its RSS."""
    import hashlib

    from indexing.encoders import load_encoder, load_image_encoder
    from indexing.index_files import build_index_files, files_dir
    from rswk.core.config import load_config
    from rswk.core.runstore import RunStore

    config = load_config("sample", workdir=workdir)
    settings = config.index
    sampler = RssSampler()
    with sampler.running():
        sampler.label = "load"
        encoder = load_image_encoder(settings.encoder, settings.device)
        text = (
            load_encoder(settings.text_encoder, settings.device) if settings.text_encoder else None
        )
        ready = sampler.sample()
        sampler.label = "build"
        started = time.perf_counter()
        manifest = build_index_files(
            config,
            RunStore(workdir),
            encoder=encoder,
            text_info=text.info if text else None,
            force=True,
        )
        seconds = time.perf_counter() - started
    mb = 1024 * 1024
    files = files_dir(workdir)
    return {
        "images": manifest["counts"]["images"],
        "chunks": manifest["counts"]["chunks"],
        "build_s": round(seconds, 1),
        "rss_ready_mb": round(ready / mb, 1),
        "peak_rss_mb": round(max(sampler.peaks.values()) / mb, 1),
        "recall": manifest["recall"],
        "sha256": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in sorted(files.iterdir())
            if p.suffix in (".parquet", ".usearch")
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("work/sample"))
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 25, 250])
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    sizes: dict[str, Any] = {}
    for copies in sorted(args.copies):
        with tempfile.TemporaryDirectory(prefix="rswk-index-build-") as tmp:
            run = Path(tmp) / "run"
            counts = copy_run(args.workdir, run, copies, args.noise, args.seed)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(run)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            sizes[str(copies)] = {"shards": counts["shards"], **json.loads(out.splitlines()[-1])}
        print(json.dumps({str(copies): sizes[str(copies)]}), file=sys.stderr)
    first, last = sizes[str(min(args.copies))], sizes[str(max(args.copies))]
    added = last["chunks"] - first["chunks"]
    print(
        json.dumps(
            {
                "workdir": str(args.workdir),
                "noise": args.noise,
                "sizes": sizes,
                "growth_kb_per_chunk": (
                    round((last["peak_rss_mb"] - first["peak_rss_mb"]) * 1024 / added, 2)
                    if added
                    else None
                ),
                "peak_ratio": round(last["peak_rss_mb"] / first["peak_rss_mb"], 2),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
