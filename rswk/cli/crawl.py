"""`rswk crawl`: discover -> locate -> knowledge into the run store, then a preview table.

`rswk crawl --country XX --limit 20` is the contributor's preview: one country, a capped quota,
a table of what was found and what was rejected and why. With `--profile sample` (the default)
the crawl runs against the sample world: the one `$RSWK_SAMPLE_WORLD` points at, else one
started in-process for the run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
from rswk.cli.crawl_report import crawl_tables
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.runstore import RunStore

if TYPE_CHECKING:
    from rswk.core.stage import StageReport

logger = logging.getLogger(__name__)


def crawl(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country to crawl (repeatable); default: all."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Cap every country's quota (a quick preview)."
    ),
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (answers still come from the HTTP cache)."
    ),
) -> None:
    """Discover, locate and gather knowledge for landmarks, then print what was found."""
    project = load_project(profile, config, workdir, cache_dir)
    registry = CountryRegistry.from_dir()
    shard_ids = resolve_countries(registry, country)
    store = RunStore(project.run_store_location)
    # A different --limit (or an edited country file) changes the shards' lineage: they are
    # redone with the cached answers, never mixed with shards listed under another quota.
    with service_urls(project) as resolved:
        reports = run_crawl(resolved, registry, shard_ids, limit=limit, force=force)
    Console().print(*crawl_tables(store, shard_ids))
    exit_if_failed(reports)


def run_crawl(
    config: ProjectConfig,
    registry: CountryRegistry,
    shard_ids: Sequence[str],
    *,
    limit: int | None = None,
    force: bool = False,
) -> list[StageReport]:
    """Run discover, locate and knowledge; each stage works on the shards its upstream finished.

    Saves the resolved config beside the run. Returns one report per stage.
    """
    from rswk.pipeline import CRAWL_STAGES, run_pipeline

    return run_pipeline(config, registry, shard_ids, stages=CRAWL_STAGES, limit=limit, force=force)
