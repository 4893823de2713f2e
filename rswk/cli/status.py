"""`rswk status`: per stage, shards done / planned and record and rejection counts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rswk.core.runstore import RunStore
from rswk.core.subshards import country_summary


def status(
    workdir: Path = typer.Option(
        Path("work/sample"), "--workdir", help="The run's work directory."
    ),
) -> None:
    """Show, per stage, shards done / planned and how many landmarks were kept or rejected."""
    store = RunStore(workdir)
    console = Console()
    if not store.stages():
        console.print(f"nothing in {workdir} yet (run `rswk crawl` first)")
        return
    console.print(status_table(store))


def status_table(store: RunStore) -> Table:
    """One row per stage: countries done / planned (a split country counts once, done when all
    its sub-shards are), records kept, landmarks rejected."""
    table = Table(title=f"run store {store.workdir}")
    for column in ("stage", "shards done", "records", "rejected"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in store.stages():
        summary = country_summary(stage)
        table.add_row(
            summary.stage,
            f"{summary.done}/{summary.planned}",
            str(summary.records),
            str(summary.rejected),
        )
    return table
