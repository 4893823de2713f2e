"""URLs of the Wikimedia APIs the crawlers call, built from the configured base URLs."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from rswk.core.config import Sources

Params = Sequence[tuple[str, str]]


def with_query(base: str, params: Params) -> str:
    """`base?params`, spaces as %20 (readable cache keys); MediaWiki lists joined with '|'."""
    return f"{base}?{urlencode(list(params), quote_via=quote)}"


def mediawiki_api(sources: Sources, lang: str) -> str:
    """The Action API endpoint of the `lang` Wikipedia edition."""
    return sources.mediawiki.replace("{lang}", lang)


def wbgetentities_url(sources: Sources, qids: Sequence[str], languages: Sequence[str]) -> str:
    """One `wbgetentities` request for up to 50 ids: claims, labels, sitelinks and revision."""
    params = [
        ("action", "wbgetentities"),
        ("format", "json"),
        ("ids", "|".join(qids)),
        ("props", "claims|labels|sitelinks|info"),
        ("languages", "|".join(dict.fromkeys([*languages, "en"]))),
    ]
    return with_query(sources.wikidata, params)


def sparql_url(sources: Sources, query: str) -> str:
    """A GET to the SPARQL endpoint (GET, not POST, so the HTTP cache can key it by URL)."""
    return with_query(sources.sparql, [("query", query), ("format", "json")])


SPARQL_HEADERS = (("Accept", "application/sparql-results+json"),)


def asked_values(url: str, param: str) -> list[str]:
    """The '|'-separated values of `param` in a request URL (the ids a batch asked for)."""
    values = parse_qs(urlsplit(url).query).get(param, [""])[0]
    return [v for v in values.split("|") if v]
