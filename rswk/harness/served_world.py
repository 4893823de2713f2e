"""A generated sample world served in its own process, for benchmarks.

Benchmarks measure RSWK, not the server: the world runs as `rswk sample-world serve` in a
separate process (its tile rendering and latency sleeps do not share the pipeline's interpreter),
and the benchmark reads the service URLs from the one JSON line it prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Placement = Literal["quotas", "area"]


def start_served_world(
    landmarks: int,
    *,
    seed: int = 0,
    placement: Placement = "quotas",
    latency_ms: str = "0",
    countries_dir: Path | None = None,
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start `rswk sample-world serve --world generated` and return it with its URLs.

    `placement` must match how the benchmark builds its own view of the world: "quotas" for a
    crawl that discovers the landmarks, "area" for `load_world("generated", ...)`;
    `countries_dir` is the registry whose quotas shape it (default: the shipped one).
    """
    command = [
        sys.executable, "-m", "rswk", "sample-world", "serve", "--world", "generated",
        "--landmarks", str(landmarks), "--seed", str(seed), "--placement", placement,
        "--latency-ms", latency_ms,
    ]  # fmt: skip
    if countries_dir is not None:
        command += ["--countries", str(countries_dir)]
    # The checkout on the path, so a benchmark run from it serves its own code.
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", ".")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=30)
        raise SystemExit("the sample world did not start (its error is above)")
    return process, json.loads(line)


def stop_served_world(process: subprocess.Popen[str]) -> None:
    """Stop a world started by `start_served_world` and wait for it."""
    process.terminate()
    process.wait(timeout=30)


@contextmanager
def served_world(
    landmarks: int,
    *,
    seed: int = 0,
    placement: Placement = "quotas",
    latency_ms: str = "0",
    countries_dir: Path | None = None,
) -> Iterator[dict[str, str]]:
    """The service URLs of a world served in its own process while the block runs."""
    process, urls = start_served_world(
        landmarks,
        seed=seed,
        placement=placement,
        latency_ms=latency_ms,
        countries_dir=countries_dir,
    )
    try:
        yield urls
    finally:
        stop_served_world(process)
