"""`rswk imagery`: one georeferenced image per located landmark, into the run store.

Works on the shards the `locate` stage finished (all of them, or those named by --country).
With `--profile sample` (the default) the images come from the sample world: the one
`$RSWK_SAMPLE_WORLD` points at, else one started in-process for the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from rswk.cli.common import (
    CacheDirOption,
    ConfigOption,
    ProfileOption,
    WorkdirOption,
    exit_if_failed,
    load_project,
    located_shards,
    service_urls,
)
from rswk.core.config import ProjectConfig
from rswk.core.runstore import RunStore

if TYPE_CHECKING:
    from rswk.core.countries import CountryRegistry
    from rswk.core.stage import StageReport


def imagery(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a located country (repeatable); default: all."
    ),
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (tiles still come from the HTTP cache)."
    ),
    provider: str | None = typer.Option(
        None, "--provider", help="Imagery provider (xyz, sentinelhub); default imagery.provider."
    ),
) -> None:
    """Fetch an image centred on every located landmark, then print kept and rejected counts."""
    from rswk.core.countries import CountryRegistry

    project = load_project(profile, config, workdir, cache_dir)
    if provider:
        chosen = project.imagery.model_copy(update={"provider": provider})
        project = project.model_copy(update={"imagery": chosen})
    store = RunStore(project.run_store_location)
    shard_ids = located_shards(store, country)
    with service_urls(project) as resolved:
        report = run_imagery(resolved, CountryRegistry.from_dir(), shard_ids, force=force)
    Console().print(imagery_table(store, shard_ids))
    exit_if_failed([report])


def run_imagery(
    config: ProjectConfig,
    registry: CountryRegistry,
    shard_ids: Sequence[str],
    *,
    force: bool = False,
) -> StageReport:
    """Run the imagery stage over `shard_ids`, saving the resolved config beside the run (when
    a shard is to be done)."""
    from crawlers.imagery.stage import ImageryStage
    from rswk.core.stage import run_stage
    from rswk.core.subshards import SubShardRunStore, as_stored

    # Reads a country whose upstream shards `rswk run` split in sub-shards, and works on this
    # stage's own sub-shards of a country it split (never a second, whole copy).
    store = SubShardRunStore(config.run_store_location, config.shard_size)
    shard_ids = as_stored(store, "imagery", shard_ids)
    stage = ImageryStage(config, registry, store)
    return run_stage(
        stage,
        store,
        shard_ids,
        workers=config.workers,
        force=force,
        before_work=config.save_resolved,
    )


def imagery_table(store: RunStore, shard_ids: Sequence[str]) -> Table:
    """Per shard: images kept, rejected, and the rejection reasons."""
    stage = store.stage("imagery")
    table = Table(title=f"imagery in {store}")
    for column in ("shard", "images", "rejected", "reasons"):
        table.add_column(column, justify="left" if column in ("shard", "reasons") else "right")
    for shard_id in shard_ids:
        if not stage.is_done(shard_id):
            table.add_row(shard_id, "-", "-", "not done")
            continue
        marker = stage.marker(shard_id)
        reasons = sorted(
            (k.removeprefix("rejected_"), v)
            for k, v in stage.read_stats(shard_id).items()
            if k.startswith("rejected_")
        )
        text = ", ".join(f"{reason} {count}" for reason, count in reasons)
        table.add_row(shard_id, str(marker["records"]), str(marker["rejected"]), text)
    return table
