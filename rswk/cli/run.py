"""`rswk run`: the whole built pipeline (what `make rswk-release` calls), then a status table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from rswk.cli.common import (
    ConfigOption,
    ProfileOption,
    WorkdirOption,
    load_project,
    resolve_countries,
    service_urls,
)
from rswk.cli.crawl import check_limit
from rswk.cli.status import status_table
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore


def run(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country (repeatable); default: every country file."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Cap every country's quota."),
    workdir: WorkdirOption = None,
    config: ConfigOption = None,
    until: str | None = typer.Option(
        None, "--until", help="Stop after this stage (discover, locate, knowledge, ...)."
    ),
    force: bool = typer.Option(False, "--force", help="Redo finished shards."),
    releases: Path | None = typer.Option(
        None, "--releases", help="Where the release stage writes (default releases/ in the cwd)."
    ),
) -> None:
    """Run every built stage in order into the run store; rerun to resume after a kill."""
    from rswk.pipeline import run_pipeline, stages_until

    project = load_project(profile, config, workdir)
    if releases is not None:
        settings = project.release.model_copy(update={"releases_dir": releases})
        project = project.model_copy(update={"release": settings})
    stages = stages_until(until)
    registry = CountryRegistry.from_dir()
    shard_ids = resolve_countries(registry, country)
    store = RunStore(project.workdir)
    check_limit(store, registry, shard_ids, limit, force)
    with service_urls(project) as resolved:
        run_pipeline(resolved, registry, shard_ids, stages=stages, limit=limit, force=force)
    Console().print(status_table(store))
