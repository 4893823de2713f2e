"""Generate the country registry, crawlers/countries/<ISO2>.yaml, from well-kept data.

Names come from pycountry, languages from CLDR (babel), quotas from Natural Earth population
and GDP (see rswk/core/country_defaults.py and docs/countries.md). The output depends only on
the installed versions of those packages: rerunning reproduces the files byte for byte.

The curated keys of an existing file (pinned, excluded, extra_classes) are kept; iso2, name,
languages and quota are regenerated. Files of territories Natural Earth folds into another
country (RE in FR...) are deleted: their quota is the parent's. Files for other codes outside the
generated set are left alone.

    python scripts/generate_country_files.py            # rewrite crawlers/countries
    python scripts/generate_country_files.py --out DIR  # write elsewhere
    python scripts/generate_country_files.py --check    # exit 1 if any file would change
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from rswk.core.countries import (
    CountryFile,
    default_country_file,
    load_country_file,
    render_country_file,
    write_country_file,
)
from rswk.core.country_defaults import default_quotas, folded_territories, listed_iso2_codes
from rswk.core.errors import ConfigError, RSWKError, describe_validation_error

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "crawlers" / "countries"
CURATED_KEYS = ("pinned", "excluded", "extra_classes")


def generated_country(iso2: str, existing: Path) -> CountryFile:
    """The defaults for `iso2`, with the curated keys of `existing` carried over if it exists."""
    country = default_country_file(iso2)
    if not existing.exists():
        return country
    curated = load_country_file(existing).model_dump(include=set(CURATED_KEYS))
    try:
        return CountryFile.model_validate({**country.model_dump(), **curated})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(existing, exc)) from None


def generate(out: Path, check: bool = False) -> list[Path]:
    """Write (or with `check`, only compare) every country file; return the paths that differ."""
    changed: list[Path] = []
    for iso2 in listed_iso2_codes():
        path = out / f"{iso2}.yaml"
        country = generated_country(iso2, path)
        text = render_country_file(country)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        changed.append(path)
        if not check:
            write_country_file(country, path)
    for iso2, parent in folded_territories().items():
        path = out / f"{iso2}.yaml"
        if path.exists():
            changed.append(path)
            if not check:
                _remove_folded(path, parent)
    return changed


def _remove_folded(path: Path, parent: str) -> None:
    """Delete the file of a territory Natural Earth folds into `parent`: its quota is the
    parent's now. Curated QIDs are not thrown away silently: move them first."""
    curated = load_country_file(path).model_dump(include=set(CURATED_KEYS))
    keys = ", ".join(key for key, value in curated.items() if value)
    if keys:
        raise ConfigError(
            f"{path}: Natural Earth folds {path.stem} into {parent}, so no file is generated "
            f"for it, but it has curated keys; move its {keys} to {parent}.yaml and delete the file"
        )
    path.unlink()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    try:
        changed = generate(args.out, check=args.check)
    except RSWKError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = sum(default_quotas().values())
    verb = "would change" if args.check else "written or removed"
    print(f"{len(default_quotas())} countries, total quota {total}: {len(changed)} files {verb}")
    for path in changed if args.check else []:
        print(f"  {path.name}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
