"""The `rswk` command line: one typer app, each command group in its own module."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import typer

from rswk import __version__
from rswk.cli import status
from rswk.core.errors import RSWKError

app = typer.Typer(
    name="rswk",
    help="Build the Remote Sensing World Knowledge (RSWK) dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("status")(status.status)


_registered = False


def _register_command_groups() -> None:
    """Add each command module once; modules keep heavy imports inside their commands."""
    global _registered
    if _registered:
        return
    from rswk.cli import (
        attributes,
        country,
        crawl,
        curate,
        imagery,
        import_rswk,
        run,
        sampleworld,
        validate,
    )

    app.command("run")(run.run)
    app.command("crawl")(crawl.crawl)
    app.command("imagery")(imagery.imagery)
    app.command("attributes")(attributes.attributes)
    app.command("curate")(curate.curate)
    app.command("validate")(validate.validate)
    app.add_typer(import_rswk.app, name="import")
    app.add_typer(country.app, name="country")
    app.add_typer(sampleworld.app, name="sample-world")
    _registered = True


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"rswk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug detail."),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Scrapy and sentinelhub are chatty at INFO; their warnings still show.
    for noisy in (
        "scrapy",
        "filelock",
        "httpx",
        "urllib3",
        "sentinelhub",
        "py.warnings",
        "wikipediaapi",
    ):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rswk` script: user errors become one line and exit code 2."""
    _register_command_groups()
    command = typer.main.get_command(app)
    try:
        # Without standalone mode, click hands back a command's `Exit(code)` as the return value.
        result = command.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except RSWKError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted; finished shards are kept, rerun to resume", err=True)
        return 130
    except typer.TyperException as exc:
        # Usage errors (typer vendors click, so its exception classes are typer's own).
        exc.show()  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", 2))
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
