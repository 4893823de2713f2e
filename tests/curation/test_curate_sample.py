"""The curate stage on a real run of the sample world, and its run-wide decisions on crafted
entries (the same QID in two countries, a sign error, quotas)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from curation.join import Joined
from curation.ledger import LEDGER_FILE, read_ledger, write_ledger
from curation.plan import build_plan
from curation.splits import grid_cell
from curation.stage import CurateStage
from rswk.core.borders import CountryBorders
from rswk.core.config import CurationConfig, load_config
from rswk.core.countries import CountryFile, CountryRegistry
from rswk.core.records import CuratedLandmark, RejectReason
from rswk.core.records.landmark import Split
from rswk.core.runstore import RunStore
from rswk.core.stage import run_stage
from tests.curation.records import discovered, located
from tests.curation.sample_run import COUNTRIES, copy_run


def _rows(workdir: Path) -> dict[str, CuratedLandmark]:
    stage = RunStore(workdir).stage("curate")
    return {r.qid: r for c in COUNTRIES for r in stage.read_shard(c, CuratedLandmark)}


def test_one_row_per_qid_with_classes_splits_and_every_stage(sample_workdir: Path) -> None:
    rows = _rows(sample_workdir)
    eiffel = rows["Q243"]
    assert (eiffel.rswk_class, eiffel.fine_class, eiffel.fine_class_qid) == (
        "Tower",
        "tower",
        "Q12518",
    )
    assert rows["Q2981"].rswk_class == "Church"  # Notre-Dame: cathedral beats religious building
    assert rows["Q64436"].rswk_class == "Historic Site"  # Arc de Triomphe: monument
    assert eiffel.continent == "Europe" and eiffel.split in ("train", "validation", "test")
    assert (
        eiffel.knowledge is not None and eiffel.image is not None and eiffel.attributes is not None
    )
    assert eiffel.image_check == "ok" and eiffel.image_phash
    assert (
        eiffel.name == eiffel.knowledge.name.value
        and eiffel.language == eiffel.knowledge.name.language
    )
    # The sea trap never got a location, so it has no curated row.
    assert "Q990000002" not in rows
    # Landmarks that share a grid cell share its split.
    by_cell: dict[str, set[str]] = {}
    for row in rows.values():
        by_cell.setdefault(row.grid_cell, set()).add(row.split)
    assert all(len(s) == 1 for s in by_cell.values())


def test_the_duplicate_colosseum_folds_into_the_real_one(sample_workdir: Path) -> None:
    rows = _rows(sample_workdir)
    assert "Q990000001" not in rows
    assert rows["Q10285"].merged_qids == ["Q990000001"]
    stage = RunStore(sample_workdir).stage("curate")
    (rejection,) = [r for r in stage.read_rejections("IT") if r.qid == "Q990000001"]
    assert rejection.reason is RejectReason.DUPLICATE and "Q10285" in rejection.detail
    decisions = json.loads((stage.root / "decisions.json").read_text())
    assert {(d["kind"], d["kept_qid"], d["other_qid"]) for d in decisions} >= {
        ("near_duplicate", "Q10285", "Q990000001")
    }


def test_coverage_table_counts_rows_per_country_and_class(sample_workdir: Path) -> None:
    rows = _rows(sample_workdir)
    path = RunStore(sample_workdir).stage("curate").root / "coverage.csv"
    table = {line["country"]: line for line in csv.DictReader(path.open())}
    assert int(table["total"]["total"]) == len(rows)
    assert int(table["FR"]["Tower"]) == sum(
        1 for r in rows.values() if r.country == "FR" and r.rswk_class == "Tower"
    )
    assert "Other" in table["FR"]  # landmarks of no RSWK class are counted, not hidden
    assert set(COUNTRIES) <= set(table)  # every country curated, with or without landmarks


def _joined(qid: str, country: str, lat: float, lon: float, sitelinks: int, rank: int) -> Joined:
    return Joined(
        located=located(qid, country, lat, lon, f"place {qid}"),
        discovered=discovered(qid, country, ["Q12518"], sitelinks, rank),
    )


def test_plan_merges_a_qid_listed_twice_rejects_sign_errors_and_applies_quotas() -> None:
    registry = CountryRegistry(
        Path(),
        {
            "AR": CountryFile(iso2="AR", languages=("es",), quota=5),
            "BR": CountryFile(iso2="BR", languages=("pt",), quota=5),
            "FR": CountryFile(iso2="FR", languages=("fr",), quota=2),
        },
    )
    shards = [
        ("AR", [_joined("Q36332", "AR", -25.69, -54.45, 90, 1)]),  # Iguazu, on the AR side
        ("BR", [_joined("Q36332", "BR", -25.69, -54.45, 90, 1)]),  # the same QID from BR
        (
            "FR",
            [
                _joined("Q1", "FR", 48.8584, 2.2945, 100, 1),
                _joined("Q2", "FR", 43.2965, 5.3698, 90, 2),
                _joined("Q3", "FR", 45.7640, 4.8357, 80, 3),  # beyond the quota of 2
                # Marseille with its longitude sign lost lies in Spain: a sign error, not a mismatch
                _joined("Q4", "FR", 43.2965, -5.3698, 70, 4),
            ],
        ),
    ]
    plan = build_plan(shards, CountryBorders.load(), registry, CurationConfig())
    assert ("Q36332", "AR") in plan.kept and ("Q36332", "BR") not in plan.kept
    assert plan.rejections[("Q36332", "BR")].reason is RejectReason.DUPLICATE
    assert plan.rejections[("Q3", "FR")].reason is RejectReason.OVER_QUOTA
    assert {("Q1", "FR"), ("Q2", "FR")} <= plan.kept
    assert plan.rejections[("Q4", "FR")].reason is RejectReason.LIKELY_SIGN_ERROR


def test_plan_honours_the_ledger_and_returns_it_grown() -> None:
    registry = CountryRegistry(Path(), {"FR": CountryFile(iso2="FR", languages=("fr",), quota=9)})
    places = [(48.8584, 2.2945), (43.2965, 5.3698), (45.7640, 4.8357), (44.8378, -0.5792)]
    shards = [
        (
            "FR",
            [
                _joined(f"Q{i + 1}", "FR", lat, lon, 100 - i, i + 1)
                for i, (lat, lon) in enumerate(places)
            ],
        )
    ]
    paris = grid_cell(*places[0])
    # The second cell has no landmark now.
    ledger: dict[str, Split] = {paris: "test", "g10:1:1": "validation"}
    plan = build_plan(shards, CountryBorders.load(), registry, CurationConfig(), ledger=ledger)
    assert plan.facts[("Q1", "FR")].split == "test"
    assert plan.ledger["g10:1:1"] == "validation"  # kept for when a landmark comes back
    assert {grid_cell(*p) for p in places} <= set(plan.ledger)
    assert all(plan.facts[k].split == plan.ledger[plan.facts[k].cell] for k in plan.kept)


def test_the_run_writes_its_ledger_and_a_release_ledger_is_honoured(
    sample_workdir: Path, tmp_path: Path
) -> None:
    rows = _rows(sample_workdir)
    ledger_file = RunStore(sample_workdir).stage("curate").root / LEDGER_FILE
    ledger = read_ledger(ledger_file, CurationConfig().split_salt)
    assert all(ledger[r.grid_cell] == r.split for r in rows.values())
    marker = json.loads((sample_workdir / "curate" / "done" / "FR.json").read_text())
    assert "input:split_ledger" in marker["lineage"]["inputs"]

    # A release that put the Eiffel Tower's cell in another split: curate is stale, and redone
    # with the release's assignment; nothing else moves.
    run = copy_run(sample_workdir.parent, tmp_path)
    eiffel = rows["Q243"]
    other: Split = "test" if eiffel.split != "test" else "validation"
    release = tmp_path / "releases" / "rswk-1.0.0"
    release.mkdir(parents=True)
    (release / "manifest.json").write_text(
        json.dumps({"release_version": "1.0.0", "features_sha256": "x"})
    )
    write_ledger(release / LEDGER_FILE, {**ledger, eiffel.grid_cell: other}, "rswk", 10)
    config = load_config("sample", workdir=run)
    config = config.model_copy(
        update={
            "release": config.release.model_copy(update={"releases_dir": tmp_path / "releases"})
        }
    )
    store = RunStore(run)
    report = run_stage(CurateStage(config, CountryRegistry.from_dir(), store), store, COUNTRIES)
    assert set(report.written) == set(COUNTRIES)  # every country: the decision is run-wide
    moved = {r.qid: r.split for r in _rows(run).values() if r.split != rows[r.qid].split}
    same_cell = {q for q, r in rows.items() if r.grid_cell == eiffel.grid_cell}
    assert moved == dict.fromkeys(same_cell, other)
    assert read_ledger(store.stage("curate").root / LEDGER_FILE, "rswk")[eiffel.grid_cell] == other
