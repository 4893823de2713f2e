"""The attributes stage end to end against the sample world on 127.0.0.1.

One request per landmark per collection, partial Statistical API answers, a rerun (even against
a sample world restarted on another port) sending nothing, faults not changing the output, and
credentials never reaching a file or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.attributes.stage import AttributesStage
from rswk.core.config import AttributesConfig, ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.base import RejectReason
from rswk.core.runstore import RunStore
from rswk.core.stage import StageReport, run_stage
from rswk.sampleworld.faults import FaultConfig
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.attributes.upstream import write_imagery, write_located

COUNTRIES = ["FR", "IT"]
COLLECTIONS = 4  # Sentinel-2, DEM, land cover, LST
TIME_FIELDS = frozenset({"retrieved_at"})


@dataclass
class Run:
    """A finished attributes run: where, against which server, and what it wrote."""

    config: ProjectConfig
    store: RunStore
    server_stats: dict[str, Any]
    report: StageReport

    def records(self) -> dict[str, AttributesRecord]:
        stage = self.store.stage("attributes")
        return {r.qid: r for shard in COUNTRIES for r in stage.read_shard(shard, AttributesRecord)}


def sample_config(workdir: Path, server: SampleWorld, **attributes: Any) -> ProjectConfig:
    config = load_config("sample", workdir=workdir).with_sources(server.urls())
    if attributes:
        settings = AttributesConfig.model_validate(attributes)
        config = config.model_copy(update={"attributes": settings})
    return config


def run_attributes(config: ProjectConfig, force: bool = False) -> StageReport:
    store = RunStore(config.workdir)
    stage = AttributesStage(config, CountryRegistry(config.workdir, {}), store)
    try:
        return run_stage(stage, store, COUNTRIES, workers=2, force=force)
    finally:
        stage.close()


def fresh_run(workdir: Path, faults: FaultConfig | None = None, **attributes: Any) -> Run:
    store = RunStore(workdir)
    write_located(store, COUNTRIES)
    with SampleWorld(load_world("bundled"), faults=faults) as server:
        config = sample_config(workdir, server, **attributes)
        report = run_attributes(config)
        return Run(config, store, server.stats(), report)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    yield fresh_run(tmp_path_factory.mktemp("baseline"))


def comparable(value: Any) -> Any:
    """A record dump without retrieval times and with the server's host:port masked."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in TIME_FIELDS}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, str) and value.startswith("http://127.0.0.1:"):
        return "http://HOST/" + value.split("/", 3)[-1]
    return value


def dumps(records: dict[str, AttributesRecord]) -> dict[str, Any]:
    return {qid: comparable(r.model_dump(mode="json")) for qid, r in records.items()}


def test_one_statistical_request_per_landmark_per_collection(baseline: Run) -> None:
    records = baseline.records()
    requests = baseline.server_stats["requests"]
    assert len(records) == baseline.report.records == 7
    assert requests["sh_statistics"] == len(records) * COLLECTIONS
    assert requests["climate"] == len(records)
    assert requests["sh_token"] == 1
    eiffel = records["Q243"]
    assert eiffel.ndvi_mean_annual is not None and eiffel.reflectance_b08_mean is not None
    assert eiffel.elevation_m is not None and eiffel.land_cover_class is not None
    assert eiffel.lst_day_c is not None and eiffel.precip_mm_per_year is not None
    assert eiffel.sentinel2_provenance is not None
    assert eiffel.sentinel2_provenance.time_range == "2024-01-01/2024-12-31"
    assert eiffel.rs_description.startswith("Around Eiffel Tower (within 500 m)")


def test_partial_answers_keep_good_months_and_record_bad_ones(baseline: Run) -> None:
    bad_months = 0
    for record in baseline.records().values():
        kept = {m.month for m in record.monthly}
        for number in range(1, 13):
            month = f"2024-{number:02d}"
            key = f"monthly_2024_{number:02d}"
            assert (month in kept) != (key in record.absent), (record.qid, month)
            if key in record.absent:
                assert "EXECUTION_ERROR" in record.absent[key]
                bad_months += 1
        assert record.ndvi_mean_annual is not None or "ndvi_mean_annual" in record.absent
    # The sample world fails about one interval in twelve: 7 landmarks give some.
    assert bad_months > 0


def test_rerun_on_a_restarted_world_makes_zero_requests(baseline: Run) -> None:
    before = dumps(baseline.records())
    with SampleWorld(load_world("bundled")) as server:
        config = sample_config(baseline.config.workdir, server)
        report = run_attributes(config)
        assert report.skipped == COUNTRIES and not report.written
        report = run_attributes(config, force=True)
        assert sorted(report.written) == COUNTRIES
        assert server.stats()["requests"] == {}
    assert dumps(baseline.records()) == before


def test_a_cut_short_cache_file_is_fetched_again(baseline: Run, tmp_path: Path) -> None:
    before = dumps(baseline.records())
    cache = baseline.config.http_cache_dir / "sentinelhub"
    victim = sorted(cache.rglob("response.json"))[0]
    victim.write_bytes(victim.read_bytes()[:40])
    with SampleWorld(load_world("bundled")) as server:
        run_attributes(sample_config(baseline.config.workdir, server), force=True)
        assert server.stats()["requests"] == {"sh_token": 1, "sh_statistics": 1}
    assert dumps(baseline.records()) == before


def test_faults_give_identical_outputs(baseline: Run, tmp_path: Path) -> None:
    faulty = fresh_run(tmp_path, faults=FaultConfig(rate=0.2, slow_seconds=1.2))
    assert sum(faulty.server_stats["faults"].values()) > 0
    assert dumps(faulty.records()) == dumps(baseline.records())


def test_credentials_never_reach_a_file_or_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client_id, secret = "rswk-test-client-4f1c9a", "rswk-test-secret-8d27e3"
    monkeypatch.setenv("SH_CLIENT_ID", client_id)
    monkeypatch.setenv("SH_CLIENT_SECRET", secret)
    caplog.set_level(logging.DEBUG)
    run = fresh_run(tmp_path)
    run.config.save_resolved()
    assert run.server_stats["requests"]["sh_token"] == 1
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("sentinelhub" in p.parts for p in files)
    for path in files:
        data = path.read_bytes()
        assert client_id.encode() not in data and secret.encode() not in data, path
    assert client_id not in caplog.text and secret not in caplog.text
    assert "Bearer" not in caplog.text


def test_image_attributes_come_from_the_imagery_shard(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    located = write_located(store, COUNTRIES)
    write_imagery(
        store, "FR", {"Q243": (60, 140, 50)}, {"Q2981": RejectReason.BLANK_IMAGE}, located["FR"]
    )
    with SampleWorld(load_world("bundled")) as server:
        run_attributes(sample_config(tmp_path, server))
    records = Run(load_config("sample"), store, {}, StageReport("attributes")).records()
    green = records["Q243"]
    assert green.vegetation_fraction is not None and green.vegetation_fraction > 0.9
    assert green.image_sha256 is not None and green.image_provenance is not None
    assert "vegetation covers most" in green.image_description
    assert "blank_image" in records["Q2981"].absent["vegetation_fraction"]
    assert records["Q19675"].absent["edge_density"] == "the imagery stage produced no image for it"
    assert "no finished imagery shard IT" in records["Q10285"].absent["brightness_mean"]
    # Landmarks without an image still get every other attribute.
    assert records["Q2981"].ndvi_mean_annual is not None


def test_refused_and_switched_off_collections_are_absent_with_reason(tmp_path: Path) -> None:
    run = fresh_run(tmp_path, lst_collection="planet-lst", land_cover_collection="")
    record = run.records()["Q243"]
    assert (
        record.lst_day_c is None and "refused collection 'planet-lst'" in record.absent["lst_day_c"]
    )
    assert "switched off" in record.absent["land_cover_class"]
    assert record.elevation_m is not None
    assert run.server_stats["requests"]["sh_statistics"] == 7 * 3
    with SampleWorld(load_world("bundled")) as server:
        config = sample_config(
            tmp_path, server, lst_collection="planet-lst", land_cover_collection=""
        )
        run_attributes(config, force=True)
        assert server.stats()["requests"] == {}  # the refusal was remembered too
