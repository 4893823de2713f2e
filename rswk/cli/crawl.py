"""`rswk crawl`: discover -> locate -> knowledge into the run store, then a preview table.

`rswk crawl --country XX --limit 20` is the contributor's preview: one country, a capped quota,
a table of what was found and what was rejected and why. With `--profile sample` (the default)
the crawl runs against the sample world: the one `$RSWK_SAMPLE_WORLD` points at, else one
started in-process for the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from rswk.cli.crawl_report import crawl_tables
from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore

if TYPE_CHECKING:
    from rswk.core.stage import StageReport

logger = logging.getLogger(__name__)
PROFILES = ("sample", "world")


def crawl(
    profile: str = typer.Option("sample", "--profile", help="sample (offline) or world (live)."),
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country to crawl (repeatable); default: all."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Cap every country's quota (a quick preview)."
    ),
    workdir: Path | None = typer.Option(
        None, "--workdir", help="Run store directory (default work/<profile>)."
    ),
    config: Path | None = typer.Option(None, "--config", help="TOML file overriding defaults."),
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (answers still come from the HTTP cache)."
    ),
) -> None:
    """Discover, locate and gather knowledge for landmarks, then print what was found."""
    if profile not in PROFILES:
        raise RSWKError(f"--profile {profile!r}: use 'sample' (offline) or 'world' (live)")
    registry = CountryRegistry.from_dir()
    shard_ids = resolve_countries(registry, country)
    project = load_config("sample" if profile == "sample" else "world", config, workdir)
    store = RunStore(project.workdir)
    check_limit(store, registry, shard_ids, limit, force)
    with service_urls(project) as urls:
        resolved = project.with_sources(urls) if urls else project
        run_crawl(resolved, registry, shard_ids, limit=limit, force=force)
    Console().print(*crawl_tables(store, shard_ids))


def resolve_countries(registry: CountryRegistry, codes: Sequence[str]) -> list[str]:
    """Upper-cased ISO2 codes, each with a country file (all countries when `codes` is empty)."""
    if not codes:
        return [c.iso2 for c in registry.all()]
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes))
    unknown = [code for code in wanted if code not in registry]
    if unknown:
        raise RSWKError(
            f"--country {', '.join(unknown)}: no such country file in the registry "
            f"({registry.directory}); `rswk country list` shows the codes, "
            f"`rswk country add XX` adds one"
        )
    return wanted


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


@contextmanager
def service_urls(config: ProjectConfig) -> Iterator[dict[str, str] | None]:
    """The sample world's URLs for the sample profile (None: use the configured sources)."""
    if config.profile != "sample":
        yield None
        return
    from rswk.sampleworld.running import sample_world_urls_from_env_or_start

    with sample_world_urls_from_env_or_start() as urls:
        yield urls


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
    from crawlers.discover.stage import DiscoverStage
    from crawlers.knowledge.stage import KnowledgeStage
    from crawlers.locate.stage import LocateStage
    from rswk.core.stage import run_stage

    store = RunStore(config.workdir)
    config.save_resolved()
    stages = [
        DiscoverStage(config, registry, store, limit=limit),
        LocateStage(config, registry, store),
        KnowledgeStage(config, registry, store),
    ]
    reports = []
    todo = list(shard_ids)
    for stage in stages:
        reports.append(run_stage(stage, store, todo, workers=config.workers, force=force))
        finished = set(store.stage(stage.name).done_shards())
        todo = [s for s in todo if s in finished]
    return reports
