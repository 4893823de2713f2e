"""`rswk run`: the whole built pipeline (what `make rswk-release` calls), then a status table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from rswk.cli.common import (
    CacheDirOption,
    ConfigOption,
    ProfileOption,
    WorkdirOption,
    exit_if_failed,
    load_project,
    resolve_countries,
    service_urls,
)
from rswk.cli.status import health_lines, status_table
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore


def run(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country (repeatable); default: every country file."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Cap every country's quota."),
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    until: str | None = typer.Option(
        None, "--until", help="Stop after this stage (discover, locate, knowledge, ...)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards even if current (caches still answer)."
    ),
    releases: Path | None = typer.Option(
        None, "--releases", help="Where the release stage writes (default releases/ in the cwd)."
    ),
    executor: str | None = typer.Option(
        None, "--executor", help="Where shards run: local (default) or ray (extra `scale`)."
    ),
    ray_address: str | None = typer.Option(
        None, "--ray-address", help="An existing Ray cluster (implies --executor ray)."
    ),
) -> None:
    """Run every built stage in dependency order; a rerun resumes after a kill and redoes only
    shards whose inputs changed (or that hold fetch failures to retry). Ends with what this run
    did per stage (time, requests per source, kept, rejected) and the run store's status."""
    from rswk.core.run_summary import RunSummary
    from rswk.core.stage_executors import with_executor
    from rswk.pipeline import assess, run_pipeline, stages_until

    project = with_executor(
        load_project(profile, config, workdir, cache_dir), executor, ray_address
    )
    if releases is not None:
        settings = project.release.model_copy(update={"releases_dir": releases})
        project = project.model_copy(update={"release": settings})
    stages = stages_until(until)
    registry = CountryRegistry.from_dir()
    shard_ids = resolve_countries(registry, country)
    store = RunStore(project.run_store_location)
    summary = RunSummary()
    with service_urls(project) as resolved:
        reports = run_pipeline(
            resolved, registry, shard_ids, stages=stages, limit=limit, force=force, summary=summary
        )
    console = Console()
    console.print(summary.table())
    health = assess(project, registry, store, limit=limit)
    console.print(status_table(store, health))
    for line in health_lines(health):
        console.print(line)
    exit_if_failed(reports)
