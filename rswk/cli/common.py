"""What every pipeline command shares: the profile, the sample world, which shards to work on,
and how a run that left failed shards (or got no answer at all) ends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore
from rswk.core.workdir import check_run_store_url, check_workdir

if TYPE_CHECKING:
    from rswk.core.stage import StageReport

# Failed shards named in the closing error line before it says "and N more".
MAX_NAMED_FAILURES = 5

PROFILES = ("sample", "world")

# The options every pipeline command takes, spelled once.
ProfileOption = Annotated[str, typer.Option("--profile", help="sample (offline) or world (live).")]
WorkdirOption = Annotated[
    str | None,
    typer.Option(
        "--workdir",
        help="Run store: a directory (default work/<profile>) or an fsspec URL "
        "(s3://bucket/run, gs://..., file://...; credentials from the environment).",
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="HTTP cache directory; with a URL --workdir, the run's local directory "
        "(default ~/.cache/rswk/<hash of the URL>).",
    ),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML file overriding defaults.")
]


def load_project(
    profile: str, config: Path | None, workdir: str | None, cache_dir: Path | None = None
) -> ProjectConfig:
    """The project config for the `--profile`, `--config`, `--workdir` and `--cache-dir` of a
    command.

    The workdir is checked here (a directory, writable, `min_free_disk_mb` free; a URL: reachable
    and writable with the credentials in the environment), so a bad one is one line before
    anything starts.
    """
    if profile not in PROFILES:
        raise RSWKError(f"--profile {profile!r}: use 'sample' (offline) or 'world' (live)")
    project = load_config("sample" if profile == "sample" else "world", config, workdir, cache_dir)
    check_workdir(project.workdir, project.min_free_disk_mb)
    if project.store_url is not None:
        check_run_store_url(project.store_url)
    return project


def run_outcome(reports: Sequence[StageReport]) -> str | None:
    """The one-line error a run ends with, or None when it succeeded.

    A run fails when a shard failed (it is retried by the next run), or when its requests all
    failed: no stage kept a record and there were fetch failures (no network, a wrong source
    URL), which a user must hear about rather than read as "0 landmarks".
    """
    failed = [f"{r.stage} {shard}" for r in reports for shard in r.failed]
    if failed:
        named = ", ".join(failed[:MAX_NAMED_FAILURES])
        more = (
            f" and {len(failed) - MAX_NAMED_FAILURES} more"
            if len(failed) > MAX_NAMED_FAILURES
            else ""
        )
        first = next(error for r in reports for error in r.failed.values())
        return (
            f"{len(failed)} shard(s) failed: {named}{more} (first: {first}); "
            "`rswk status` shows why, a rerun retries them"
        )
    transient = sum(r.transient for r in reports)
    if transient and not any(r.records for r in reports):
        why = next((r.first_transient for r in reports if r.first_transient), "no answer")
        return (
            f"nothing could be fetched: every landmark of this run failed to download "
            f"({transient} fetch failure(s), first: {why}); check the network and the source "
            "URLs in --config, then rerun (only what failed is asked again)"
        )
    return None


def exit_if_failed(reports: Sequence[StageReport]) -> None:
    """Print the run's closing error line and exit 1 if it failed (see `run_outcome`)."""
    problem = run_outcome(reports)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)


@contextmanager
def service_urls(config: ProjectConfig) -> Iterator[ProjectConfig]:
    """`config` pointed at the sample world for the sample profile, as it is for `world`.

    The sample world is the one `$RSWK_SAMPLE_WORLD` names, else one started for the command.
    """
    if config.profile != "sample":
        yield config
        return
    from rswk.sampleworld.running import sample_world_urls_from_env_or_start, stable_port

    # One address per run store: provenance URLs (and so reruns) stay byte-identical.
    where = config.store_url or str(config.workdir.resolve())
    port = stable_port(where)
    with sample_world_urls_from_env_or_start(preferred_port=port) as urls:
        yield config.with_sources(urls)


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


def located_shards(store: RunStore, codes: Sequence[str]) -> list[str]:
    """The `locate` shards to work on: all finished ones, or the named countries' shards."""
    done = store.stage("locate").done_shards()
    if not done:
        raise RSWKError(
            f"{store}: no located landmarks yet (run `rswk crawl` with this --workdir first)"
        )
    if not codes:
        return done
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes))
    chosen = [s for s in done if s.split("-")[0] in wanted]
    missing = [code for code in wanted if not any(s.split("-")[0] == code for s in chosen)]
    if missing:
        raise RSWKError(
            f"--country {', '.join(missing)}: not located in {store} "
            f"(run `rswk crawl --country {missing[0]}` first)"
        )
    return chosen
