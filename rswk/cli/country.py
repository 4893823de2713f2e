"""`rswk country add | list | check`: manage the country registry (crawlers/countries/*.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rswk.core.countries import (
    CountryFile,
    CountryRegistry,
    default_country_file,
    display_path,
    load_country_file,
    shipped_countries_dir,
    write_country_file,
)
from rswk.core.country_defaults import SKIPPED_TERRITORIES, country_name
from rswk.core.errors import ConfigError, RSWKError

app = typer.Typer(
    help="Manage the country registry (crawlers/countries/*.yaml).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DIR_HELP = "Registry directory (default: the shipped crawlers/countries)."


@contextmanager
def _user_errors() -> Iterator[None]:
    """Report an RSWKError as `error: ...` lines on stderr and exit 1, without a traceback."""
    try:
        yield
    except RSWKError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _folder(directory: Path | None) -> Path:
    return directory if directory is not None else shipped_countries_dir()


def _summary(country: CountryFile) -> str:
    return f"{country.name}, quota {country.quota}, languages {', '.join(country.languages)}"


@app.command("add")
def add(
    iso2: str = typer.Argument(..., help="ISO 3166-1 alpha-2 code, e.g. FR."),
    quota: int | None = typer.Option(
        None, "--quota", help="Landmarks to list (default: heuristic)."
    ),
    directory: Path | None = typer.Option(None, "--dir", help=_DIR_HELP),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file with defaults."),
) -> None:
    """Write <DIR>/<ISO2>.yaml from defaults (pycountry name, CLDR languages, quota heuristic)."""
    code = iso2.upper()
    with _user_errors():
        country = default_country_file(code)
        if quota is not None:
            if quota <= 0:
                raise ConfigError(f"--quota: must be > 0 (got {quota})")
            country = CountryFile.model_validate({**country.model_dump(), "quota": quota})
        path = _folder(directory) / f"{code}.yaml"
        if path.exists() and not force:
            raise ConfigError(
                f"{display_path(path)} already exists (edit it, or pass --force to overwrite "
                "it with defaults)"
            )
        write_country_file(country, path)
    typer.echo(f"wrote {display_path(path)}: {_summary(country)}")
    if code in SKIPPED_TERRITORIES:
        typer.echo(f"note: {code} is not in the shipped registry ({SKIPPED_TERRITORIES[code]})")


@app.command("list")
def list_countries(
    directory: Path | None = typer.Option(None, "--dir", help=_DIR_HELP),
    missing: bool = typer.Option(
        False, "--missing", help="List ISO 3166-1 codes that have no file instead."
    ),
) -> None:
    """Show every country file as a table (ISO2, name, quota, languages) and the total quota."""
    with _user_errors():
        registry = CountryRegistry.from_dir(directory)
    if missing:
        _print_missing(registry)
        return
    table = Table(title=f"country registry {display_path(registry.directory)}")
    table.add_column("ISO2")
    table.add_column("name")
    table.add_column("quota", justify="right")
    table.add_column("languages")
    for country in registry.all():
        table.add_row(country.iso2, country.name, str(country.quota), ", ".join(country.languages))
    console = Console()
    console.print(table)
    console.print(f"total: {len(registry)} countries, quota {registry.total_quota()}")


def _print_missing(registry: CountryRegistry) -> None:
    import pycountry

    absent = sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 not in registry)
    for code in absent:
        if code in SKIPPED_TERRITORIES:
            typer.echo(f"{code}  {SKIPPED_TERRITORIES[code]} (not shipped)")
        else:
            typer.echo(f"{code}  {country_name(code)}")
    typer.echo(f"total: {len(absent)} ISO 3166-1 codes without a file (add: rswk country add XX)")


def _check_all(folder: Path) -> None:
    """Validate every file (errors exit 1), then warn about files the borders model has no
    land for (exit 0: the files are valid, their quota is just out of reach)."""
    from rswk.core.borders import CountryBorders
    from rswk.core.country_land import land_warnings

    registry = CountryRegistry.from_dir(folder)
    warnings = land_warnings(registry, CountryBorders.load())
    for warning in warnings:
        typer.echo(f"warning: {warning.message}", err=True)
    held = sum(w.quota for w in warnings)
    plural = "s" if len(warnings) != 1 else ""
    note = (
        f"; {len(warnings)} warning{plural}, {held} quota places out of reach" if warnings else ""
    )
    typer.echo(
        f"ok: {len(registry)} country files in {display_path(folder)}, "
        f"total quota {registry.total_quota()}{note}"
    )


@app.command("check")
def check(
    iso2: str | None = typer.Argument(None, help="ISO 3166-1 alpha-2 code of the file to check."),
    all_files: bool = typer.Option(False, "--all", help="Check every file of the directory."),
    directory: Path | None = typer.Option(None, "--dir", help=_DIR_HELP),
) -> None:
    """Validate one country file (or all with --all): print `ok` or the errors and exit 1."""
    if (iso2 is None) == (not all_files):
        raise typer.BadParameter("give one country code (e.g. FR) or --all, not both or neither")
    folder = _folder(directory)
    with _user_errors():
        if all_files:
            _check_all(folder)
            return
        code = (iso2 or "").upper()
        path = folder / f"{code}.yaml"
        if not path.exists():
            raise ConfigError(
                f"no country file {display_path(path)} (add one with `rswk country add {code}`)"
            )
        country = load_country_file(path)
    typer.echo(f"ok: {display_path(path)} ({_summary(country)})")
