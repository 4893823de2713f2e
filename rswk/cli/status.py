"""`rswk status`: per stage, shards done / planned, stale and failed, records and rejections;
then which shards a plain rerun would redo and why, and which failed and with what error."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rswk.cli.common import ConfigOption
from rswk.core.config import RESOLVED_CONFIG
from rswk.core.runstore import RunStore
from rswk.core.store_files import is_url
from rswk.core.subshards import countries_in, country_summary
from rswk.core.workdir import check_run_store_url

if TYPE_CHECKING:
    from rswk.core.config import Profile
    from rswk.pipeline import StageHealth

# Shards named per line of the stale list before it says "+N more".
MAX_NAMED_SHARDS = 8


def status(
    workdir: str = typer.Option(
        "work/sample", "--workdir", help="The run's work directory or run store URL (s3://...)."
    ),
    profile: str | None = typer.Option(
        None, "--profile", help="Profile to judge staleness by (default: the run's own)."
    ),
    config: ConfigOption = None,
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="The --limit the next run will use (it caps quotas)."
    ),
) -> None:
    """Show, per stage, shards done / planned, stale and failed, and landmarks kept or rejected.

    A shard is stale when something that made it changed since (its stage's code, the config
    keys it reads, its country file, the class table, an upstream shard) or when it holds fetch
    failures to retry; the next plain run redoes exactly those.
    """
    if is_url(workdir):
        check_run_store_url(workdir)
    store = RunStore(workdir if is_url(workdir) else Path(workdir))
    console = Console()
    if not store.stages():
        console.print(f"nothing in {workdir} yet (run `rswk crawl` first)")
        return
    health = assess_store(store, profile, config, limit)
    console.print(status_table(store, health))
    for line in health_lines(health):
        console.print(line)


def assess_store(
    store: RunStore, profile: str | None, config: Path | None, limit: int | None
) -> list[StageHealth]:
    """Stale and failed shards of every stage, judged by today's config and country files."""
    from rswk.core.config import load_config
    from rswk.core.countries import CountryRegistry
    from rswk.pipeline import assess

    project = load_config(_profile(store, profile), config, str(store.location))
    return assess(project, CountryRegistry.from_dir(), store, limit=limit)


def _profile(store: RunStore, profile: str | None) -> Profile:
    """`--profile`, else the profile of the run's saved config, else sample."""
    if profile is not None:
        if profile not in ("sample", "world"):
            from rswk.core.errors import RSWKError

            raise RSWKError(f"--profile {profile!r}: use 'sample' (offline) or 'world' (live)")
        return "world" if profile == "world" else "sample"
    try:
        recorded = json.loads(store.files.read(RESOLVED_CONFIG)).get("profile")
    except FileNotFoundError:
        return "sample"
    return "world" if recorded == "world" else "sample"


def status_table(store: RunStore, health: Sequence[StageHealth] = ()) -> Table:
    """One row per stage: countries done / planned, stale, failed, records kept, rejections.

    Counted per country: a country split into sub-shards counts once, done when all its
    sub-shards are, stale or failed when one of them is.
    """
    by_stage = {h.stage: h for h in health}
    table = Table(title=f"run store {store}")
    columns = ("stage", "shards done", "stale", "failed", "records", "rejected", "to retry")
    for column in columns:
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in store.stages():
        summary = country_summary(stage)
        stale = by_stage.get(stage.name)
        table.add_row(
            summary.stage,
            f"{summary.done}/{summary.planned}",
            str(len(countries_in(stale.stale))) if stale is not None else "?",
            str(summary.failed),
            str(summary.records),
            str(summary.rejected),
            str(summary.transient),
        )
    return table


def health_lines(health: Sequence[StageHealth]) -> list[Text]:
    """The stale shards grouped by stage and reasons, then every failed shard with its error."""
    lines: list[Text] = []
    stale_groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for stage in health:
        for shard_id, reasons in stage.stale.items():
            stale_groups[(stage.stage, "; ".join(reasons))].append(shard_id)
    if stale_groups:
        lines.append(Text("stale (the next run redoes them):", style="yellow"))
        for (stage_name, why), shards in stale_groups.items():
            lines.append(Text(f"  {stage_name} {_shard_list(shards)}: {why}"))
    failed = [(s.stage, shard, error) for s in health for shard, error in s.failed.items()]
    if failed:
        lines.append(Text("failed (the next run retries them):", style="red"))
        lines.extend(Text(f"  {stage} {shard}: {error}") for stage, shard, error in failed)
    return lines


def _shard_list(shards: Sequence[str]) -> str:
    named = ", ".join(shards[:MAX_NAMED_SHARDS])
    more = len(shards) - MAX_NAMED_SHARDS
    return f"{named} (+{more} more)" if more > 0 else named
