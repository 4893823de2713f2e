"""`rswk validate`: the expectation suite over the curated shards (or an imported table).

Prints a summary table, writes `validate/results.json` and offline Data Docs into the run store,
records `validate/pass.json` against the curated shards' hashes, and exits 1 when a blocking
expectation fails.
"""

from __future__ import annotations

from pathlib import Path

import typer

from rswk.cli.common import CacheDirOption, ConfigOption, ProfileOption, WorkdirOption, load_project
from rswk.core.errors import RSWKError


def validate(
    profile: ProfileOption = "sample",
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    table: Path | None = typer.Option(
        None,
        "--table",
        help="Validate this landmarks table (Parquet, e.g. from `rswk import rswk-v1`) instead "
        "of the curated shards; results go to validate/tables/<name>/, no pass is recorded.",
    ),
) -> None:
    """Check the curated landmarks; exit 1 if a blocking expectation fails."""
    from rich.console import Console

    from validation.run import summary_table, validate_frame, validate_workdir

    project = load_project(profile, config, workdir, cache_dir)
    console = Console(width=160)
    out = project.workdir / "validate"
    if table is not None:
        import pandas as pd

        if not table.exists():
            raise RSWKError(f"--table {table}: no such file (write one with `rswk import`)")
        # Apart from the curated run's results, which pass.json points to.
        out = out / "tables" / table.stem
        report = validate_frame(pd.read_parquet(table), project, out)
        success = report.success
    else:
        report, recorded, _ = validate_workdir(project)
        success = recorded.success
    console.print(summary_table(report))
    verdict = (
        "passed" if success else "FAILED (blocking: " + ", ".join(report.blocking_failed) + ")"
    )
    # A run store at a URL got a copy of what was built locally; name the copy.
    where = f"{project.store_url}/validate" if project.store_url and table is None else str(out)
    console.print(
        f"validation {verdict}; results {where}/results.json, "
        f"Data Docs {where}/data_docs/index.html"
    )
    if not success:
        raise typer.Exit(1)
