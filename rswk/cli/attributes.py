"""`rswk attributes`: remote-sensing attributes for every located landmark, into the run store.

Works on the shards the `locate` stage finished (all of them, or those of `--country`), and uses
the `imagery` shards when present for the image-derived attributes. With `--profile sample` (the
default) it runs against the sample world: the one `$RSWK_SAMPLE_WORLD` points at, else one
started in-process. Sentinel Hub credentials come only from `SH_CLIENT_ID` / `SH_CLIENT_SECRET`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore

PROFILES = ("sample", "world")


def attributes(
    profile: str = typer.Option("sample", "--profile", help="sample (offline) or world (live)."),
    country: list[str] = typer.Option(
        [], "--country", help="ISO2 code of a country (repeatable); default: every located one."
    ),
    workdir: Path | None = typer.Option(
        None, "--workdir", help="Run store directory (default work/<profile>)."
    ),
    config: Path | None = typer.Option(None, "--config", help="TOML file overriding defaults."),
    force: bool = typer.Option(
        False, "--force", help="Redo finished shards (answers still come from the caches)."
    ),
) -> None:
    """Measure NDVI/NDWI/NDBI, reflectance, terrain, climate and image attributes."""
    if profile not in PROFILES:
        raise RSWKError(f"--profile {profile!r}: use 'sample' (offline) or 'world' (live)")
    project = load_config("sample" if profile == "sample" else "world", config, workdir)
    store = RunStore(project.workdir)
    shard_ids = located_shards(store, country)
    with service_urls(project) as urls:
        resolved = project.with_sources(urls) if urls else project
        summary = run_attributes(resolved, shard_ids, force=force)
    typer.echo(json.dumps(summary, sort_keys=True))


def located_shards(store: RunStore, countries: Sequence[str]) -> list[str]:
    """Finished `locate` shards, limited to `countries` (ISO2, any case) when given."""
    done = store.stage("locate").done_shards()
    if not done:
        raise RSWKError(
            f"{store.workdir}: no finished `locate` shards; run `rswk crawl` first (same --workdir)"
        )
    if not countries:
        return done
    wanted = {code.strip().upper() for code in countries}
    chosen = [shard for shard in done if shard[:2] in wanted]
    missing = sorted(wanted - {shard[:2] for shard in chosen})
    if missing:
        raise RSWKError(
            f"--country {', '.join(missing)}: not located yet in {store.workdir}; run "
            f"`rswk crawl --country {missing[0]}` first"
        )
    return chosen


@contextmanager
def service_urls(config: ProjectConfig) -> Iterator[dict[str, str] | None]:
    """The sample world's URLs for the sample profile (None: use the configured sources)."""
    if config.profile != "sample":
        yield None
        return
    from rswk.sampleworld.running import sample_world_urls_from_env_or_start

    with sample_world_urls_from_env_or_start() as urls:
        yield urls


def run_attributes(
    config: ProjectConfig, shard_ids: Sequence[str], *, force: bool = False
) -> dict[str, object]:
    """Run the attributes stage over `shard_ids`; returns shards, records and request counts."""
    from crawlers.attributes.stage import AttributesStage
    from rswk.core.stage import run_stage

    store = RunStore(config.workdir)
    config.save_resolved()
    stage = AttributesStage(config, CountryRegistry.from_dir(), store)
    try:
        report = run_stage(stage, store, shard_ids, workers=config.workers, force=force)
        counts = stage.request_counts()
    finally:
        stage.close()
    return {
        "stage": report.stage,
        "written": report.written,
        "skipped": report.skipped,
        "records": report.records,
        "requests": counts,
    }
