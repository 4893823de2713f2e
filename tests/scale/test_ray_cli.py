"""`rswk run --executor ray` end to end: a local cluster started and stopped by the command,
the end-of-run summary, and `rswk status` per country."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.core.records import AttributesRecord
from rswk.core.runstore import RunStore
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld

ray = pytest.importorskip("ray")


@pytest.fixture
def sample_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleWorld]:
    with SampleWorld(load_world("bundled")) as server:
        monkeypatch.setenv("RSWK_SAMPLE_WORLD", server.base_url)
        yield server


def test_run_on_ray_from_the_command_line(
    sample_world: SampleWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if ray.is_initialized():
        ray.shutdown()
    config = tmp_path / "scale.toml"
    config.write_text("shard_size = 2\n")  # FR (3+ landmarks) is split into sub-shards
    args = ["run", "--workdir", str(tmp_path / "run"), "--config", str(config)]
    args += ["--country", "FR", "--country", "PT", "--executor", "ray"]
    assert main(args) == 0
    assert not ray.is_initialized(), "the command stops the local cluster it started"
    out = capsys.readouterr().out
    assert "this run" in out and "tiles" in out and "wikimedia" in out
    store = RunStore(tmp_path / "run")
    assert "FR-0001" in store.stage("imagery").done_shards()
    measured = store.stage("attributes").read_shard("FR-0001", AttributesRecord)
    assert measured and all(r.country == "FR" for r in measured)
    assert main(["status", "--workdir", str(tmp_path / "run")]) == 0
    status = capsys.readouterr().out
    # FR-0001, FR-0002 and PT are three shards but two countries.
    row = next(line for line in status.splitlines() if "attributes" in line)
    assert "2/2" in row and len(store.stage("attributes").done_shards()) == 3
    # Lineage across sub-shards holds: nothing stale or failed in any stage, curate included
    # (it reads the split imagery and attributes as whole countries).
    assert "the next run redoes them" not in status and "failed (" not in status
    for stage in ("imagery", "attributes", "curate", "validate"):
        line = next(line for line in status.splitlines() if f" {stage} " in line)
        cells = [cell.strip() for cell in line.split("│") if cell.strip()]
        assert cells[1:4] == ["2/2", "0", "0"], line
