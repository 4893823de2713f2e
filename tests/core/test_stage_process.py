"""Stages in forked children: results and errors come back, memory does not stay behind."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from rswk.core.config import load_config
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage_executors import LocalStageExecutor
from rswk.core.stage_process import (
    ChildDied,
    ChildTraceback,
    call_in_child,
    can_fork,
    forks_safely,
)
from rswk.harness.rss import rss_bytes
from tests.core.test_runstore import CountingStage, result

pytestmark = pytest.mark.skipif(not can_fork(), reason="stages run in-process without fork")

MB = 1024 * 1024


def test_the_result_comes_back_from_another_process() -> None:
    assert call_in_child(lambda: ("pid", os.getpid()), name="t")[1] != os.getpid()


def test_the_child_s_collections_skip_what_the_parent_holds() -> None:
    # The parent's objects sit in the frozen generation in the child (full collections there
    # walked all of them: ~0.4 s each in a crawl, stalling its requests); the parent's own
    # collector keeps them as before.
    parents = len(gc.get_objects())
    assert call_in_child(gc.get_freeze_count, name="t") >= parents // 2
    assert gc.get_freeze_count() == 0


def test_memory_the_child_used_leaves_with_it() -> None:
    def hold_300_mb() -> int:
        block = bytearray(300 * MB)
        block[::4096] = b"\1" * len(block[::4096])  # touch every page: resident
        return len(block)

    before = rss_bytes()
    assert call_in_child(hold_300_mb, name="big") == 300 * MB
    assert rss_bytes() - before < 50 * MB


class Unpicklable(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("holds a lock")
        self.lock = lock


def test_errors_are_raised_here_with_the_childs_traceback() -> None:
    def fail() -> None:
        raise RSWKError("credentials refused: set SH_CLIENT_ID")

    with pytest.raises(RSWKError, match="SH_CLIENT_ID") as caught:
        call_in_child(fail, name="attributes")
    assert isinstance(caught.value.__cause__, ChildTraceback)
    assert "in fail" in str(caught.value.__cause__)

    def fail_oddly() -> None:
        raise Unpicklable(threading.Lock())

    with pytest.raises(RSWKError, match="Unpicklable: holds a lock"):
        call_in_child(fail_oddly, name="odd")


def test_a_child_that_dies_is_named_with_its_exit_code() -> None:
    with pytest.raises(ChildDied, match=r"stage imagery: .*exit code 3.*run again"):
        call_in_child(lambda: os._exit(3), name="stage imagery")


class PidStage(CountingStage):
    """Notes the process each shard ran in, in a file (the stage object stays in the child)."""

    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log

    def process(self, shard_id: str) -> ShardResult:
        with self.log.open("a") as out:
            out.write(f"{shard_id} {os.getpid()}\n")
        return result(shard_id, 2)


def test_the_local_executor_runs_each_stage_in_a_child(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path / "run")
    store = RunStore(tmp_path / "run")
    log = tmp_path / "pids"
    report = LocalStageExecutor(config).run(PidStage(log), store, ["FR", "DE"], workers=1)
    assert sorted(report.written) == ["DE", "FR"] and report.records == 4
    pids = {line.split()[1] for line in log.read_text().splitlines()}
    assert len(pids) == 1 and pids != {str(os.getpid())}
    assert store.stage("discover").done_shards() == ["DE", "FR"]
    # Done shards are skipped by the next run, wherever it runs.
    again = LocalStageExecutor(config, in_process=True).run(
        PidStage(log), store, ["FR", "DE", "IT"], workers=1
    )
    assert again.written == ["IT"] and sorted(again.skipped) == ["DE", "FR"]
    assert log.read_text().splitlines()[-1] == f"IT {os.getpid()}"


class PreparingStage(PidStage):
    """Notes where `before_fork` ran, and whether what it loaded reached the child."""

    loaded = False

    def before_fork(self) -> None:
        self.loaded = True
        with self.log.open("a") as out:
            out.write(f"before_fork {os.getpid()}\n")

    def process(self, shard_id: str) -> ShardResult:
        with self.log.open("a") as out:
            out.write(f"loaded {self.loaded}\n")
        return super().process(shard_id)


def test_what_a_stage_loads_before_the_fork_is_loaded_once_here(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path / "run")
    log = tmp_path / "pids"
    LocalStageExecutor(config).run(PreparingStage(log), RunStore(tmp_path), ["FR"], workers=1)
    lines = log.read_text().splitlines()
    assert lines[0] == f"before_fork {os.getpid()}" and lines[1] == "loaded True"
    assert lines[2].split()[1] != str(os.getpid())  # the shard itself ran in the child


def test_stage_processes_off_runs_here(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path).model_copy(update={"stage_processes": False})
    log = tmp_path / "pids"
    LocalStageExecutor(config).run(PidStage(log), RunStore(tmp_path), ["FR"], workers=1)
    assert log.read_text() == f"FR {os.getpid()}\n"


def test_a_torch_stage_forks_only_while_torch_is_not_loaded_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # torch's OpenMP pool waits forever in a child forked after the parent used it.
    class TorchStage:
        uses_torch = True

    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert forks_safely(TorchStage()) and forks_safely(object())
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    assert not forks_safely(TorchStage()) and forks_safely(object())


def test_the_sampler_tells_a_child_s_memory_from_the_driver_s() -> None:
    from rswk.harness.rss import RssSampler

    def hold_200_mb_a_while() -> int:
        block = bytearray(200 * MB)
        block[::4096] = b"\1" * len(block[::4096])
        time.sleep(1.0)  # several of the sampler's looks at the children
        return len(block)

    sampler = RssSampler(every_s=0.01, children_every_s=0.05)
    with sampler.running():
        sampler.label = "child"
        call_in_child(hold_200_mb_a_while, name="t")
        sampler.label = "after"
        time.sleep(0.2)
    child_peak, driver_peak = sampler.peaks["child"], sampler.own_peaks["child"]
    assert child_peak - driver_peak >= 190 * MB, "the child's private memory is in the peak"
    assert driver_peak < rss_bytes() + 50 * MB, "... and not in the driver's own"
    assert sampler.peaks["after"] - sampler.own_peaks["after"] < 20 * MB
