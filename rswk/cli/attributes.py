"""`rswk attributes`: remote-sensing attributes for every located landmark, into the run store.

Works on the shards the `locate` stage finished (all of them, or those of `--country`), and uses
the `imagery` shards when present for the image-derived attributes. With `--profile sample` (the
default) it runs against the sample world: the one `$RSWK_SAMPLE_WORLD` points at, else one
started in-process. Sentinel Hub credentials come only from `SH_CLIENT_ID` / `SH_CLIENT_SECRET`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import typer

from rswk.cli.common import (
    CacheDirOption,
    ConfigOption,
    ProfileOption,
    WorkdirOption,
    load_project,
    located_shards,
    service_urls,
)
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore


def attributes(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country (repeatable); default: every located one."
    ),
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (answers still come from the caches)."
    ),
) -> None:
    """Measure NDVI/NDWI/NDBI, reflectance, terrain, climate and image attributes."""
    project = load_project(profile, config, workdir, cache_dir)
    store = RunStore(project.run_store_location)
    shard_ids = located_shards(store, country)
    with service_urls(project) as resolved:
        summary = run_attributes(resolved, shard_ids, force=force)
    typer.echo(json.dumps(summary, sort_keys=True))
    if summary["failed"]:
        typer.echo(f"error: shard(s) failed: {summary['failed']}; a rerun retries them", err=True)
        raise typer.Exit(1)


def run_attributes(
    config: ProjectConfig, shard_ids: Sequence[str], *, force: bool = False
) -> dict[str, object]:
    """Run the attributes stage over `shard_ids`; returns shards, records and request counts."""
    from crawlers.attributes.stage import AttributesStage
    from rswk.core.stage import run_stage
    from rswk.core.subshards import SubShardRunStore, as_stored

    # Reads a country whose upstream shards `rswk run` split in sub-shards, and works on this
    # stage's own sub-shards of a country it split (never a second, whole copy).
    store = SubShardRunStore(config.run_store_location, config.shard_size)
    shard_ids = as_stored(store, "attributes", shard_ids)
    stage = AttributesStage(config, CountryRegistry.from_dir(), store)
    report = run_stage(
        stage,
        store,
        shard_ids,
        workers=config.workers,
        force=force,
        before_work=config.save_resolved,
    )
    counts = stage.request_counts()
    return {
        "stage": report.stage,
        "written": report.written,
        "skipped": report.skipped,
        "failed": report.failed,
        "records": report.records,
        "requests": counts,
    }
