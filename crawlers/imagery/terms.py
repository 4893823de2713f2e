"""Terms of use of tile sources: attribution, licence, and the gate for restrictive providers.

xyzservices knows the URL template and attribution of hundreds of tile providers, but not their
terms; RSWK adds which of them restrict bulk download and storage (ESRI World Imagery, the
paper's source, and the OpenStreetMap tile servers). Such a provider runs only once the user sets
`imagery.accept_terms = true`; the check happens before any request.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import xyzservices

from crawlers.imagery.quality import ESRI_PLACEHOLDER, Placeholder
from rswk.core.config import ImageryConfig
from rswk.core.errors import RSWKError

ESRI_ATTRIBUTION = (
    "Tiles © Esri — Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, Aerogrid, IGN, "
    "IGP, UPR-EGP, and the GIS User Community"
)
_TILE_KEYS = frozenset({"x", "y", "z", "s", "r"})
# Known "no data" tiles a config can name (`imagery.placeholder`) for a source RSWK does not know.
PLACEHOLDERS: dict[str, Placeholder] = {"esri": ESRI_PLACEHOLDER}


@dataclass(frozen=True)
class ProviderTerms:
    """What a tile source requires: the attribution every record carries, its licence, whether
    bulk use needs the user's explicit acceptance, and its known "no data" image."""

    name: str
    attribution: str
    licence: str
    restrictive: bool = False
    why_restrictive: str = ""
    terms_url: str | None = None
    placeholder: Placeholder | None = None


@dataclass(frozen=True)
class _KnownTerms:
    licence: str
    why_restrictive: str
    terms_url: str
    placeholder: Placeholder | None = None


# By xyzservices provider-name prefix: terms that restrict bulk download or storage.
RESTRICTIVE_TERMS: dict[str, _KnownTerms] = {
    "Esri.": _KnownTerms(
        licence="Esri Master License Agreement (no bulk download or offline storage of tiles)",
        why_restrictive="Esri's terms require the attribution and restrict bulk download and "
        "storing of tiles",
        terms_url="https://www.esri.com/en-us/legal/terms/full-master-agreement",
        placeholder=ESRI_PLACEHOLDER,
    ),
    "OpenStreetMap.": _KnownTerms(
        licence="ODbL-1.0 (data); tiles under the OSM Tile Usage Policy",
        why_restrictive="the OSM Tile Usage Policy forbids bulk downloading of tiles",
        terms_url="https://operations.osmfoundation.org/policies/tiles/",
    ),
}


def resolve_terms(template: str, imagery: ImageryConfig) -> ProviderTerms:
    """The terms for a tile template: the matching xyzservices provider's, else those the config
    states (any source RSWK does not know, the sample world's included); config overrides
    always win."""
    terms = _known_terms(template)
    if terms is None:
        if imagery.attribution is None or imagery.licence is None:
            raise RSWKError(
                f"tile template {template!r} is not a provider RSWK knows (xyzservices has no "
                "match): set imagery.attribution and imagery.licence in your config file from "
                "the provider's terms of use (and imagery.restrictive = true if they restrict "
                "bulk download)"
            )
        terms = ProviderTerms("custom", imagery.attribution, imagery.licence)
    return ProviderTerms(
        name=terms.name,
        attribution=imagery.attribution or terms.attribution,
        licence=imagery.licence or terms.licence,
        restrictive=terms.restrictive or imagery.restrictive,
        why_restrictive=terms.why_restrictive
        or ("imagery.restrictive marks this source restrictive" if imagery.restrictive else ""),
        terms_url=terms.terms_url,
        placeholder=PLACEHOLDERS[imagery.placeholder] if imagery.placeholder else terms.placeholder,
    )


def require_accepted(terms: ProviderTerms, template: str, imagery: ImageryConfig) -> None:
    """Refuse (before any request) a restrictive provider whose terms the user has not accepted."""
    if not terms.restrictive or imagery.accept_terms:
        return
    read = f" ({terms.terms_url})" if terms.terms_url else ""
    raise RSWKError(
        f"tile source {terms.name} ({template}) is restrictive: {terms.why_restrictive}. "
        f"Read its terms{read}; if your use complies, set `accept_terms = true` under [imagery] "
        "in your config file (--config FILE). No request was made."
    )


def _known_terms(template: str) -> ProviderTerms | None:
    name = _xyzservices_index().get(normalise_template(template))
    if name is None:
        return None
    provider = xyzservices.providers.query_name(name)
    attribution = _plain(str(provider.get("html_attribution") or provider.get("attribution", "")))
    known = next((t for prefix, t in RESTRICTIVE_TERMS.items() if name.startswith(prefix)), None)
    if known is None:
        return ProviderTerms(name, attribution, f"see the terms of use of {name}")
    return ProviderTerms(
        name,
        attribution,
        known.licence,
        restrictive=True,
        why_restrictive=known.why_restrictive,
        terms_url=known.terms_url,
        placeholder=known.placeholder,
    )


def normalise_template(template: str) -> str:
    """A template reduced to what identifies the provider: host without subdomain letters,
    path with placeholders, no scheme or query (services.arcgisonline.com = server.…)."""
    parts = urlsplit(template)
    host = (parts.hostname or "").lower()
    host = re.sub(r"^(\{s\}|[a-d])\.", "", host)
    host = host.replace("services.arcgisonline.com", "server.arcgisonline.com")
    path = re.sub(r"\{r\}|@2x", "", parts.path)
    return f"{host}{path}"


@cache
def _xyzservices_index() -> dict[str, str]:
    """Normalised template -> xyzservices provider name (providers needing a key skipped)."""
    index: dict[str, str] = {}
    for name, provider in xyzservices.providers.flatten().items():
        if provider.requires_token():
            continue
        url = str(provider["url"])
        fixed = {k: v for k, v in provider.items() if f"{{{k}}}" in url and k not in _TILE_KEYS}
        for key, value in fixed.items():
            url = url.replace(f"{{{key}}}", str(value))
        index.setdefault(normalise_template(url), name)
    return index


def _plain(attribution_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", attribution_html)).strip()
