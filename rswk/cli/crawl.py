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
    ConfigOption,
    ProfileOption,
    WorkdirOption,
    load_project,
    resolve_countries,
    service_urls,
)
from rswk.cli.crawl_report import crawl_tables
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
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
    config: ConfigOption = None,
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (answers still come from the HTTP cache)."
    ),
) -> None:
    """Discover, locate and gather knowledge for landmarks, then print what was found."""
    project = load_project(profile, config, workdir)
    registry = CountryRegistry.from_dir()
    shard_ids = resolve_countries(registry, country)
    store = RunStore(project.workdir)
    check_limit(store, registry, shard_ids, limit, force)
    with service_urls(project) as resolved:
        run_crawl(resolved, registry, shard_ids, limit=limit, force=force)
    Console().print(*crawl_tables(store, shard_ids))


def effective_quota(registry: CountryRegistry, iso2: str, limit: int | None) -> int:
    quota = registry.get(iso2).quota
    return min(quota, limit) if limit else quota


def check_limit(
    store: RunStore,
    registry: CountryRegistry,
    shard_ids: Sequence[str],
    limit: int | None,
    force: bool,
) -> None:
    """Refuse to mix quotas: a shard discovered under another `--limit` is not silently reused."""
    if force:
        return
    discover = store.stage("discover")
    for iso2 in shard_ids:
        if not discover.is_done(iso2):
            continue
        done_with = discover.read_stats(iso2).get("quota")
        wanted = effective_quota(registry, iso2, limit)
        if done_with is not None and done_with != wanted:
            raise RSWKError(
                f"{store.workdir}: country {iso2} was discovered with quota {done_with}, this run "
                f"asks for {wanted}; rerun with --force to redo it (cached answers are reused) "
                f"or use another --workdir"
            )


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
