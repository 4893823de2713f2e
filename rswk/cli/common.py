"""What every pipeline command shares: the profile, the sample world, which shards to work on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.errors import RSWKError
from rswk.core.runstore import RunStore

PROFILES = ("sample", "world")

# The options every pipeline command takes, spelled once.
ProfileOption = Annotated[str, typer.Option("--profile", help="sample (offline) or world (live).")]
WorkdirOption = Annotated[
    Path | None, typer.Option("--workdir", help="Run store directory (default work/<profile>).")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML file overriding defaults.")
]


def load_project(profile: str, config: Path | None, workdir: Path | None) -> ProjectConfig:
    """The project config for the `--profile`, `--config` and `--workdir` of a command."""
    if profile not in PROFILES:
        raise RSWKError(f"--profile {profile!r}: use 'sample' (offline) or 'world' (live)")
    return load_config("sample" if profile == "sample" else "world", config, workdir)


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
    port = stable_port(str(config.workdir.resolve()))
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
            f"{store.workdir}: no located landmarks yet "
            "(run `rswk crawl` with this --workdir first)"
        )
    if not codes:
        return done
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes))
    chosen = [s for s in done if s.split("-")[0] in wanted]
    missing = [code for code in wanted if not any(s.split("-")[0] == code for s in chosen)]
    if missing:
        raise RSWKError(
            f"--country {', '.join(missing)}: not located in {store.workdir} "
            f"(run `rswk crawl --country {missing[0]}` first)"
        )
    return chosen
