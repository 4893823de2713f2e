"""`rswk curate`: join every stage's shards into one curated landmark per QID, per country."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rswk.cli.common import CacheDirOption, ConfigOption, ProfileOption, WorkdirOption, load_project
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore


def curate(
    profile: ProfileOption = "sample",
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    force: bool = typer.Option(False, "--force", help="Redo finished shards."),
    releases: Path | None = typer.Option(
        None,
        "--releases",
        help="Releases folder whose newest split ledger curation honours (default releases/).",
    ),
) -> None:
    """Classes, text normalisation, dedup, country check, quotas and splits; coverage table."""
    from curation.stage import CurateStage
    from rswk.core.stage import run_stage

    project = load_project(profile, config, workdir, cache_dir)
    if releases is not None:
        settings = project.release.model_copy(update={"releases_dir": releases})
        project = project.model_copy(update={"release": settings})
    store = RunStore(project.run_store_location)
    shards = store.stage("locate").done_shards()
    if not shards:
        raise RSWKError(
            f"{project.run_store_location}: nothing located yet "
            "(run `rswk run --until attributes` first)"
        )
    project.save_resolved()
    stage = CurateStage(project, CountryRegistry.from_dir(), store)
    report = run_stage(stage, store, shards, workers=project.workers, force=force)
    files = store.stage("curate").files
    typer.echo(
        json.dumps(
            {
                "written": len(report.written),
                "skipped": len(report.skipped),
                "records": report.records,
                "rejected": report.rejected,
                "coverage": files.describe("curate/coverage.csv"),
                "decisions": files.describe("curate/decisions.json"),
                "split_ledger": files.describe("curate/splits.parquet"),
            },
            sort_keys=True,
        )
    )
