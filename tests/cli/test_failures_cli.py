"""Failures stay data: a bad landmark is a rejection, a broken shard is a failed shard that the
next run retries, a bad workdir is one line before anything starts, fetch failures heal on a
plain rerun, and a run that got no answer at all says so and exits non-zero."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rswk.cli import main
from rswk.core.config import Sources
from rswk.core.records import KnowledgeRecord, RejectReason
from rswk.core.runstore import RunStore
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World
from tests.core.test_workdir import unwritable_dir

COUNTRIES = ["FR", "PT"]


def run(workdir: Path, *extra: str) -> int:
    codes = [arg for code in COUNTRIES for arg in ("--country", code)]
    return main(["run", "--workdir", str(workdir), *codes, *extra])


def serve(world: World, monkeypatch: pytest.MonkeyPatch, **options: Any) -> SampleWorld:
    server = SampleWorld(world, **options).start()
    monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.base_url)
    return server


@pytest.fixture
def sample_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleWorld]:
    server = serve(load_world("bundled"), monkeypatch)
    yield server
    server.stop()


def with_height(world: World, qid: str, height_m: float) -> World:
    """The world with one landmark's Wikidata height (P2048) replaced."""
    landmarks = [
        lm.model_copy(update={"height_m": height_m}) if lm.qid == qid else lm
        for lm in world.landmarks
    ]
    return world.model_copy(update={"landmarks": landmarks})


def test_a_landmark_failing_validation_is_a_rejection_and_its_shard_completes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A negative height claim: KnowledgeRecord.height_m must be >= 0.
    server = serve(with_height(load_world("bundled"), "Q243", -330.0), monkeypatch)
    try:
        assert run(tmp_path, "--until", "knowledge") == 0
    finally:
        server.stop()
    store = RunStore(tmp_path).stage("knowledge")
    assert store.done_shards() == ["FR", "PT"]
    kept = {r.qid for r in store.read_shard("FR", KnowledgeRecord)}
    assert kept == {"Q2981", "Q19675", "Q64436"}
    (rejected,) = store.read_rejections("FR")
    assert (rejected.qid, rejected.reason) == ("Q243", RejectReason.INVALID_RECORD)
    assert "height_m" in rejected.detail and "-330.0" in rejected.detail


def test_a_shard_that_raises_fails_alone_is_reported_and_retried_next_run(
    sample_world: SampleWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from crawlers.imagery.stage import ImageryStage

    real_targets = ImageryStage.targets

    def broken_for_pt(self: ImageryStage, shard_id: str) -> Any:
        if shard_id == "PT":
            raise OSError("simulated unreadable locate shard")
        return real_targets(self, shard_id)

    monkeypatch.setattr(ImageryStage, "targets", broken_for_pt)
    assert run(tmp_path) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]  # one line
    assert "1 shard(s) failed: imagery PT" in err and "simulated unreadable" in err
    store = RunStore(tmp_path)
    assert store.stage("imagery").done_shards() == ["FR"]
    assert store.stage("imagery").failures() == {"PT": "OSError: simulated unreadable locate shard"}
    assert store.stage("attributes").done_shards() == ["FR"]  # PT waits for its imagery

    assert main(["status", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "imagery PT: OSError: simulated unreadable locate shard" in out

    monkeypatch.setattr(ImageryStage, "targets", real_targets)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "imagery" / "shards").iterdir()}
    assert run(tmp_path) == 0
    assert store.stage("imagery").done_shards() == ["FR", "PT"]
    assert store.stage("attributes").done_shards() == ["FR", "PT"]
    assert store.stage("imagery").failures() == {}
    fr = tmp_path / "imagery" / "shards" / "FR.parquet"
    assert fr.stat().st_mtime_ns == before[fr], "the finished shard is not redone"


@pytest.mark.parametrize("case", ["file", "unwritable", "full disk"])
def test_a_bad_workdir_is_one_line_and_exit_2_before_the_sample_world_starts(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_world(self: SampleWorld) -> SampleWorld:
        raise AssertionError("the sample world started before the workdir was checked")

    monkeypatch.setattr(SampleWorld, "start", no_world)
    monkeypatch.delenv("RSWK_SAMPLE_WORLD", raising=False)
    extra: list[str] = []
    if case == "file":
        workdir = tmp_path / "run.txt"
        workdir.write_text("")
        expected = "is a file, not a directory"
    elif case == "unwritable":
        workdir = unwritable_dir(tmp_path) / "run"
        expected = "cannot write in"
    else:
        workdir = tmp_path / "run"
        config = tmp_path / "roomy.toml"
        config.write_text("min_free_disk_mb = 1e12\n")
        extra = ["--config", str(config)]
        expected = "MB free, fewer than"
    for command in (["run"], ["crawl"], ["imagery"], ["attributes"]):
        code = main([*command, "--workdir", str(workdir), *extra])
        err = capsys.readouterr().err.strip()
        assert code == 2, command
        assert err.startswith("error: --workdir") and expected in err, err
        assert len(err.splitlines()) == 1


def sources_toml(urls: dict[str, str], **override: str) -> str:
    """A config pointing every source at the given URLs, with no client retries."""
    lines = ["[politeness]", "retries = 0", "backoff_s = 0", "timeout_s = 2", "[sources]"]
    chosen = {k: v for k, v in {**urls, **override}.items() if k in Sources.model_fields}
    lines += [f'{key} = "{value}"' for key, value in sorted(chosen.items())]
    return "\n".join(lines) + "\n"


def test_transient_failures_heal_on_a_plain_rerun_and_only_they_cost_requests(
    tmp_path: Path,
) -> None:
    """Articles come from a server failing a third of its answers, Wikidata from a sound one."""
    world = load_world("bundled")
    countries = ["AU", "BR", "DE", "ES", "FR", "GB", "IT", "JP", "PT", "US"]
    config = tmp_path / "sources.toml"

    def run_world(until: str) -> int:
        codes = [arg for code in countries for arg in ("--country", code)]
        workdir = str(tmp_path / "w")
        args = ["--profile", "world", "--workdir", workdir, "--config", str(config)]
        return main(["run", *args, "--until", until, *codes])

    with (
        SampleWorld(world) as sound,
        SampleWorld(world, faults=FaultConfig(rate_5xx=0.35), seed=3) as faulty,
    ):
        config.write_text(sources_toml(sound.urls()))
        assert run_world("locate") == 0
        config.write_text(sources_toml(sound.urls(), mediawiki=faulty.urls()["mediawiki"]))
        run_world("knowledge")
        failed_requests = sum(
            n for code, n in faulty.stats()["statuses"]["mediawiki"].items() if code != "200"
        )
    store = RunStore(tmp_path / "w").stage("knowledge")
    transient = {
        s: {r.qid for r in store.read_rejections(s) if r.reason.transient} for s in countries
    }
    hit = sorted(s for s, qids in transient.items() if qids)
    assert hit, "the faulty server should have failed some article fetches"
    healthy = [s for s in countries if s not in hit]
    assert healthy, "some countries should have got every article"
    before = {s: store.shard_path(s).stat().st_mtime_ns for s in healthy}

    # A plain rerun against a sound server: only what failed is asked again.
    with SampleWorld(world) as healed:
        config.write_text(sources_toml(healed.urls()))
        assert run_world("knowledge") == 0
        requests = healed.stats()["requests"]
    # Articles: only those that failed. Wikidata: the labels of referenced items are batched over
    # the shards being built, and a smaller batch is another URL, so at most that one request.
    assert requests.get("wikidata", 0) <= 1 and set(requests) <= {"mediawiki", "wikidata"}
    healed_landmarks = sum(len(qids) for qids in transient.values())
    assert healed_landmarks <= requests["mediawiki"] <= failed_requests
    for shard in hit:
        assert transient[shard] <= {r.qid for r in store.read_shard(shard, KnowledgeRecord)}
        assert not [r for r in store.read_rejections(shard) if r.reason.transient]
    assert {s: store.shard_path(s).stat().st_mtime_ns for s in healthy} == before


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_run_whose_every_request_failed_exits_non_zero_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    config = tmp_path / "offline.toml"
    config.write_text(
        "[politeness]\nretries = 0\nbackoff_s = 0\ntimeout_s = 2\n"
        "[sources]\n"
        f'sparql = "{base}/sparql"\nwikidata = "{base}/w/api.php"\n'
        f'mediawiki = "{base}/{{lang}}/w/api.php"\n'
    )
    args = ["crawl", "--profile", "world", "--workdir", str(tmp_path / "w"), "--config"]
    assert main([*args, str(config), "--country", "FR", "--country", "PT"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("error: nothing could be fetched") and len(err.splitlines()) == 1
    assert "Connection refused" in err or "refused" in err.lower()
    assert "--force" not in captured.out + err
    discover = RunStore(tmp_path / "w").stage("discover")
    assert all(r.reason.transient for r in discover.read_rejections("FR"))
