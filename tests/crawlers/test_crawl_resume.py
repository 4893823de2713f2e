"""A crawl killed with SIGKILL and rerun gives the output of an uninterrupted crawl.

The crawl runs as `python -m rswk crawl` in a subprocess against a slow sample world started by
the test; it is killed as soon as the first country's discover shard is done. The rerun (a fresh
process) must finish the rest without re-asking for finished countries, and a third, forced run
must be answered entirely from the HTTP cache.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from rswk.cli.crawl import run_crawl
from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import DiscoveredLandmark, KnowledgeRecord, LocatedLandmark
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.running import ENV_VAR
from rswk.sampleworld.server import SampleWorld
from tests.crawlers.crawl_support import shard_rows, total_requests

COUNTRIES = ["AU", "BR", "CN", "DE", "ES", "FR", "GB", "IT", "JP", "US"]
STAGES: list[tuple[str, type[BaseModel]]] = [
    ("discover", DiscoveredLandmark),
    ("locate", LocatedLandmark),
    ("knowledge", KnowledgeRecord),
]
REPO = Path(__file__).resolve().parents[2]


def _crawl_command(workdir: Path, *extra: str) -> list[str]:
    args = ["crawl", "--workdir", str(workdir), *extra]
    return [sys.executable, "-m", "rswk", *args, *(f"--country={c}" for c in COUNTRIES)]


def _env(server: SampleWorld) -> dict[str, str]:
    return {**os.environ, ENV_VAR: server.base_url, "PYTHONPATH": str(REPO)}


def _wait_for_first_done(folder: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not any(folder.glob("*.json")):
        if proc.poll() is not None:
            pytest.fail(f"the crawl ended (exit {proc.returncode}) before a shard was done")
        if time.monotonic() > deadline:
            pytest.fail("no shard was done in time")
        time.sleep(0.01)


def _reference(tmp_path: Path) -> tuple[Path, str]:
    """An uninterrupted crawl of the same countries against a fast server."""
    with SampleWorld(load_world("bundled")) as fast:
        config = load_config("sample", workdir=tmp_path / "reference")
        run_crawl(config.with_sources(fast.urls()), CountryRegistry.from_dir(), COUNTRIES)
        return config.workdir, fast.base_url


@pytest.mark.slow
def test_sigkill_then_rerun_gives_identical_output(tmp_path: Path) -> None:
    workdir = tmp_path / "killed"
    with SampleWorld(load_world("bundled"), latency_ms=80) as slow:
        proc = subprocess.Popen(_crawl_command(workdir), env=_env(slow), cwd=tmp_path)
        try:
            _wait_for_first_done(workdir / "discover" / "done", proc, timeout_s=60)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        done_before = RunStore(workdir).stage("discover").done_shards()
        assert 0 < len(done_before) < len(COUNTRIES)
        time.sleep(0.5)  # the request the killed crawl had in flight is answered and counted

        slow.reset_stats()
        subprocess.run(_crawl_command(workdir), env=_env(slow), cwd=tmp_path, check=True)
        asked = slow.stats()["requests"].get("sparql", 0)
        assert asked <= len(COUNTRIES) - len(done_before)  # finished countries not asked again

        slow.reset_stats()
        forced = _crawl_command(workdir, "--force")
        subprocess.run(forced, env=_env(slow), cwd=tmp_path, check=True)
        assert total_requests(slow) == 0  # a fresh process, everything from the HTTP cache
        killed_base = slow.base_url

    reference, reference_base = _reference(tmp_path)
    for stage, model in STAGES:
        got = shard_rows(workdir, stage, model, killed_base)
        assert sorted(got) == COUNTRIES
        assert got == shard_rows(reference, stage, model, reference_base), stage
        qids = [row["qid"] for rows in got.values() for row in rows if "stage" not in row]
        assert len(qids) == len(set(qids))  # no landmark twice
