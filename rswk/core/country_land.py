"""Country files whose quota the borders model cannot hold: folded territories and no land.

Locate checks every landmark against its country's Natural Earth polygon (rswk.core.borders).
A file whose code has no polygon of its own either names a territory Natural Earth draws inside
another country (RE inside FR: its landmarks are checked against FR's polygon, and Wikidata
files most of them under France) or a place with no land in the model at all. Neither can fill
its quota from a generated sample world, the first usually not from Wikidata either, and the
second's points cannot be checked, so `rswk country check --all` warns about both, with the
quota places they hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from rswk.core.borders import CountryBorders
from rswk.core.countries import CountryRegistry, display_path
from rswk.core.country_rules import SOVEREIGN


@dataclass(frozen=True)
class LandWarning:
    """One file the borders model has no land for; `parent` is set when it is folded."""

    iso2: str
    quota: int
    parent: str | None
    message: str


def land_warnings(registry: CountryRegistry, borders: CountryBorders) -> list[LandWarning]:
    """A warning per file whose code has no Natural Earth polygon, in ISO code order."""
    have = set(borders.iso_codes())
    warnings = []
    for country in registry.all():
        if country.iso2 in have:
            continue
        path = display_path(registry.directory / f"{country.iso2}.yaml")
        parent = SOVEREIGN.get(country.iso2)
        places = f"its {country.quota} quota places"
        if parent is not None and parent in have:
            message = (
                f"{path}: Natural Earth draws {country.iso2} inside {parent}'s polygon, so "
                f"{places} cannot be placed in a generated world and locate checks its landmarks "
                f"against {parent} (Wikidata lists most of them under {parent}); move the quota "
                f"to {parent}.yaml and delete {country.iso2}.yaml, or keep the file only if "
                f"Wikidata has items whose country (P17) is {country.iso2}"
            )
            warnings.append(LandWarning(country.iso2, country.quota, parent, message))
        else:
            message = (
                f"{path}: {country.iso2} has no land in the borders model (no Natural Earth "
                f"polygon), so {places} cannot be placed in a generated world and locate cannot "
                f"check its landmarks' coordinates (they pass unchecked); move the quota to the "
                f"country that holds the land and delete {country.iso2}.yaml"
            )
            warnings.append(LandWarning(country.iso2, country.quota, None, message))
    return warnings
