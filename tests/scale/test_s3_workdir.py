"""`rswk run --workdir s3://...`: the run store in a bucket of a local S3-compatible server (moto),
reached through the real s3fs client with the standard AWS_* variables; local-only files
(the HTTP cache) in --cache-dir."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.scale.moto_s3 import S3Server, moto_s3

pytest.importorskip("moto.server")
pytest.importorskip("s3fs")

COUNTRIES = ["PT", "VA"]
STAGES = ("discover", "locate", "knowledge", "imagery")
URL = "s3://rswk-runs/e2e"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_s3() as server:
        server.create_bucket("rswk-runs")
        yield server


@pytest.fixture
def world(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleWorld]:
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    with SampleWorld(load_world("bundled")) as server:
        monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.base_url)
        yield server


def run_args(workdir: str, *extra: str) -> list[str]:
    countries = [arg for code in COUNTRIES for arg in ("--country", code)]
    return ["run", "--workdir", workdir, *countries, "--until", STAGES[-1], *extra]


def requests(world: SampleWorld) -> int:
    return sum(world.stats()["requests"].values())


def shard_digests(store: RunStore, stage: str) -> dict[str, str]:
    """sha256 of every shard and rejection file of `stage`, read through the store."""
    files = store.files
    return {
        f"{folder}/{name}": hashlib.sha256(files.read(f"{stage}/{folder}/{name}")).hexdigest()
        for folder in ("shards", "rejected")
        for name in files.names(f"{stage}/{folder}")
    }


def test_a_run_with_its_store_in_s3_equals_a_local_run_and_reruns_without_a_request(
    world: SampleWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local_dir = tmp_path / "local-cache"
    assert main([*run_args(URL), "--cache-dir", str(local_dir)]) == 0
    assert requests(world) > 0
    remote = RunStore(URL)
    for stage in STAGES:
        assert remote.stage(stage).done_shards() == COUNTRIES, stage
    assert remote.files.exists("config.resolved.json")
    # Only the local-only files are on this machine: the HTTP cache, no shard.
    assert (local_dir / "http-cache").is_dir()
    assert not list(local_dir.rglob("*.parquet")) and not list(local_dir.rglob("done"))

    # A no-change rerun sends no request and rewrites no marker.
    markers = {s: remote.stage("imagery").marker(s) for s in COUNTRIES}
    world.reset_stats()
    assert main([*run_args(URL), "--cache-dir", str(local_dir)]) == 0
    assert requests(world) == 0
    assert {s: remote.stage("imagery").marker(s) for s in COUNTRIES} == markers

    # The same run in a local workdir, answered from a copy of that HTTP cache (0 requests),
    # writes byte-identical shards and rejections: the store changes where, not what.
    workdir = tmp_path / "work"
    shutil.copytree(local_dir / "http-cache", workdir / "http-cache")
    assert main(run_args(str(workdir))) == 0
    assert requests(world) == 0
    local = RunStore(workdir)
    for stage in STAGES:
        assert shard_digests(remote, stage) == shard_digests(local, stage), stage
        for shard in COUNTRIES:
            assert remote.stage(stage).marker(shard) == local.stage(stage).marker(shard)

    capsys.readouterr()
    assert main(["status", "--workdir", URL]) == 0
    out = capsys.readouterr().out
    assert URL in out and "imagery" in out and "2/2" in out


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("s3://no-such-bucket/run", {}, "bucket does not exist"),
        ("s3://rswk-runs/run", {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, "Could not connect"),
        ("nope://x/run", {}, "Protocol not known"),
    ],
)
def test_an_unusable_store_url_is_one_line_before_anything_starts(
    world: SampleWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main([*run_args(url), "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: --workdir {url}") and expected in err
    assert len(err.splitlines()) == 1
    assert requests(world) == 0 and not (tmp_path / "c").exists()


def test_missing_credentials_are_named(
    world: SampleWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["status", "--workdir", URL]) == 2
    err = capsys.readouterr().err
    assert "Unable to locate credentials" in err and "AWS_*" in err
