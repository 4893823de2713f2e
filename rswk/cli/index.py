"""`rswk index`: chunk and embed every curated landmark, then build the USearch index files.

Works on the shards the `curate` stage finished (all of them, or those of `--country`). Finished
index shards are skipped and their stored embeddings reused, so a rerun embeds nothing; the files
under WORKDIR/index/files/ are rebuilt only when their inputs changed. Prints what the index holds,
which encoder built it (and whether its weights are trained), the tuned recall and the
self-evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer

from rswk.cli.common import CacheDirOption, ConfigOption, ProfileOption, WorkdirOption, load_project
from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore


def curated_shards(store: RunStore, codes: Sequence[str]) -> list[str]:
    """The finished `curate` shards, or those of the named countries."""
    done = store.stage("curate").done_shards()
    if not done:
        raise RSWKError(
            f"{store}: no curated landmarks yet (run `rswk run` or `rswk curate` with "
            "this --workdir first)"
        )
    if not codes:
        return done
    wanted = {code.strip().upper() for code in codes}
    chosen = [s for s in done if s.split("-")[0] in wanted]
    missing = sorted(wanted - {s.split("-")[0] for s in chosen})
    if missing:
        raise RSWKError(f"--country {', '.join(missing)}: not curated in {store}")
    return chosen


def index(
    profile: ProfileOption = "sample",
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country (repeatable); default: every curated one."
    ),
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    force: bool = typer.Option(False, "--force", help="Embed finished shards again."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Embed curated landmarks (images + knowledge chunks) into USearch index files."""
    project = load_project(profile, config, workdir, cache_dir)
    summary = run_index(project, country, force=force)
    if as_json:
        typer.echo(json.dumps(summary, sort_keys=True, ensure_ascii=False))
        return
    from indexing.index_files import summary_lines

    typer.echo(
        f"index: {len(summary['written'])} shard(s) embedded "
        f"({summary['embedded']['images']} images, {summary['embedded']['chunks']} chunks), "
        f"{len(summary['skipped'])} already done"
    )
    for line in summary_lines(summary["manifest"]):
        typer.echo(line)
    typer.echo(f"files: {summary['files']}")


def run_index(
    config: ProjectConfig, countries: Sequence[str] = (), *, force: bool = False
) -> dict[str, Any]:
    """Run the index stage and make the index files current; returns what was done."""
    from indexing.index_files import build_index_files, files_dir
    from indexing.stage import IndexStage
    from rswk.core.stage import run_stage

    store = RunStore(config.run_store_location)
    shard_ids = curated_shards(store, countries)
    config.save_resolved()
    stage = IndexStage(config, CountryRegistry.from_dir(), store)
    report = run_stage(stage, store, shard_ids, workers=config.workers, force=force)
    manifest = build_index_files(
        config,
        store,
        encoder=stage.encoder,
        text_info=stage.text_encoder.info if stage.text_encoder else None,
    )
    return {
        "stage": report.stage,
        "written": report.written,
        "skipped": report.skipped,
        "records": report.records,
        "embedded": {
            "images": stage.embedded["images"],
            "chunks": stage.embedded["chunks"],
        },
        "files": str(files_dir(config.workdir)),
        "manifest": manifest,
    }
