"""`rswk import rswk-v1 FILE`: the paper's published records into RSWK's landmarks table."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rswk.cli.common import CacheDirOption, ConfigOption, ProfileOption, WorkdirOption, load_project

app = typer.Typer(help="Import records of other datasets into RSWK's schema.", no_args_is_help=True)


@app.command("rswk-v1")
def import_rswk_v1(
    file: Path = typer.Argument(..., help="RSWK v1 JSON (array) or JSON Lines file."),
    profile: ProfileOption = "sample",
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    split: str | None = typer.Option(
        None, "--split", help="train, validation or test (default: from the file name)."
    ),
) -> None:
    """Parse numbers, units, key variants and Location forms; write the tables and findings."""
    from curation.rswk_v1.importer import import_records, read_records, write_import

    project = load_project(profile, config, workdir, cache_dir)
    if split is None:
        lowered = file.name.lower()
        split = next((s for s in ("train", "validation", "test") if s in lowered), None)
    result = import_records(read_records(file), split=split)
    table, knowledge, findings = write_import(result, project.workdir / "import")
    typer.echo(
        json.dumps(
            {
                "records": len(result.rows),
                "findings": result.counts(),
                "table": str(table),
                "knowledge": str(knowledge),
                "findings_file": str(findings),
                "next": f"rswk validate --workdir {project.run_store_location} --table {table}",
            },
            indent=2,
            ensure_ascii=False,
        )
    )
