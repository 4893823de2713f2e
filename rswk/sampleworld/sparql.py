"""A SPARQL endpoint at `/wikidata/sparql` that answers the discovery query shape only.

It reads the markers of `crawlers/discover_query.py` (the ISO code after `wdt:P297`,
`VALUES ?class`, `VALUES ?wiki`, `wikibase:language`, `LIMIT`, a `COUNT(...) AS ?matching`
sub-query) and answers SPARQL 1.1 JSON results: the country's landmarks whose P31 meets the
class list, ordered like the real `ORDER BY DESC(?sitelinks) ?item` (the item IRI compares as a
string, so Q1000 sorts before Q243). With the count, every row also binds `?country` (the
country's item) and `?matching` (how many landmarks matched before the `LIMIT`), as the
sub-query joined on `?country` does on WDQS. Any other query is a 400 that says which marker is
missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from rswk.sampleworld.country_qids import country_qid
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.world import WorldLandmark
from rswk.sampleworld.world_index import world_index

ENTITY = "http://www.wikidata.org/entity/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
RESULTS_TYPE = "application/sparql-results+json; charset=utf-8"
VARS = ["item", "itemLabel", "sitelinks", "coord", "classes", "articles"]
COUNT_VARS = ["country", "matching"]

_ISO = re.compile(r'wdt:P297\s+"([A-Za-z]{2})"')
_CLASSES = re.compile(r"VALUES\s+\?class\s*\{([^}]*)\}")
_WIKIS = re.compile(r"VALUES\s+\?wiki\s*\{([^}]*)\}")
_LANGUAGES = re.compile(r'wikibase:language\s+"([^"]*)"')
_LIMIT = re.compile(r"\bLIMIT\s+(\d+)", re.IGNORECASE)
_COUNTED = re.compile(r"\bCOUNT\s*\([^)]*\)\s+AS\s+\?matching\b", re.IGNORECASE)


class QueryShapeError(ValueError):
    """The query is not the discovery query shape this endpoint understands."""


@dataclass(frozen=True)
class DiscoveryQuery:
    """The parts of a discovery query the answer depends on."""

    iso2: str
    classes: tuple[str, ...]
    wikis: tuple[str, ...]
    label_languages: tuple[str, ...]
    limit: int | None
    counted: bool = False


def parse_discovery_query(text: str) -> DiscoveryQuery:
    """Read the discovery query's markers; raises QueryShapeError naming a missing one."""
    iso = _ISO.search(text)
    classes = _CLASSES.search(text)
    if iso is None:
        raise QueryShapeError('no country marker: expected wdt:P297 "XX" with an ISO2 code')
    if classes is None:
        raise QueryShapeError("no class list: expected VALUES ?class { wd:Q… }")
    wikis = _WIKIS.search(text)
    languages = _LANGUAGES.search(text)
    limit = _LIMIT.search(text)
    label_languages = [
        "en" if lang.strip() == "[AUTO_LANGUAGE]" else lang.strip()
        for lang in (languages.group(1) if languages else "en").split(",")
    ]
    return DiscoveryQuery(
        iso2=iso.group(1).upper(),
        classes=tuple(re.findall(r"wd:(Q\d+)", classes.group(1))),
        wikis=tuple(re.findall(r"https?://([a-z-]+)\.wikipedia\.org/", wikis.group(1)))
        if wikis
        else (),
        label_languages=tuple(dict.fromkeys(lang for lang in label_languages if lang)),
        limit=int(limit.group(1)) if limit else None,
        counted=_COUNTED.search(text) is not None,
    )


@ROUTES.route("/wikidata/sparql", "sparql")
def endpoint(request: Request, ctx: ServerContext) -> Response:
    """GET ?query=… or POST (form `query=` or an application/sparql-query body)."""
    text = _query_text(request)
    if not text:
        return _bad_request("no query: send ?query=<SPARQL> (GET) or a form field query= (POST)")
    try:
        query = parse_discovery_query(text)
    except QueryShapeError as exc:
        return _bad_request(
            f"MalformedQueryException: {exc} (the sample world answers only "
            "the discovery query of crawlers/discover_query.py)"
        )
    rows = answer(query, world_index(ctx).by_country.get(query.iso2, []))
    head = [*VARS, *COUNT_VARS] if query.counted else VARS
    payload = {"head": {"vars": head}, "results": {"bindings": rows}}
    return json_response(payload, items=1, content_type=RESULTS_TYPE)


def answer(query: DiscoveryQuery, landmarks: list[WorldLandmark]) -> list[dict[str, Any]]:
    """The result bindings for `query` over `landmarks`, ordered and limited like WDQS."""
    wanted = set(query.classes)
    matches = [
        lm for lm in landmarks if lm.country.upper() == query.iso2 and wanted & set(lm.classes)
    ]
    matches.sort(key=lambda lm: (-lm.sitelinks, ENTITY + lm.qid))
    counted = _count_bindings(query, len(matches))
    if query.limit is not None:
        matches = matches[: query.limit]
    return [{**_binding(lm, query), **counted} for lm in matches]


def _count_bindings(query: DiscoveryQuery, matching: int) -> dict[str, Any]:
    """`?country` and `?matching` of the count sub-query, when the query has one."""
    if not query.counted:
        return {}
    return {
        "country": {"type": "uri", "value": ENTITY + country_qid(query.iso2)},
        "matching": {"datatype": XSD_INTEGER, "type": "literal", "value": str(matching)},
    }


def _binding(landmark: WorldLandmark, query: DiscoveryQuery) -> dict[str, Any]:
    row: dict[str, Any] = {
        "item": {"type": "uri", "value": ENTITY + landmark.qid},
        "itemLabel": _label(landmark, query.label_languages),
        "sitelinks": {"datatype": XSD_INTEGER, "type": "literal", "value": str(landmark.sitelinks)},
    }
    if landmark.lat is not None and landmark.lon is not None:
        wkt = f"Point({_number(landmark.lon)} {_number(landmark.lat)})"
        row["coord"] = {"datatype": WKT_LITERAL, "type": "literal", "value": wkt}
    classes = sorted(ENTITY + c for c in set(landmark.classes) & set(query.classes))
    articles = [
        f"{lang}:{landmark.articles[lang].title}"
        for lang in query.wikis
        if lang in landmark.articles
    ]
    row["classes"] = {"type": "literal", "value": " ".join(classes)}
    row["articles"] = {"type": "literal", "value": "|".join(articles)}
    return row


def _number(value: float) -> str:
    """Decimal text as WDQS writes it: 2.2945, and 45 rather than 45.0."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _label(landmark: WorldLandmark, languages: tuple[str, ...]) -> dict[str, str]:
    """The label service: the first language with a label, else the bare QID (no xml:lang)."""
    for lang in languages:
        if lang in landmark.labels:
            return {"xml:lang": lang, "type": "literal", "value": landmark.labels[lang]}
    return {"type": "literal", "value": landmark.qid}


def _query_text(request: Request) -> str | None:
    text = request.param("query")
    if text is None and request.body and "sparql-query" in request.headers.get("content-type", ""):
        return request.body.decode("utf-8", errors="replace")
    if text is None and request.body and not request.form:
        return parse_qs(request.body.decode("utf-8", errors="replace")).get("query", [None])[0]
    return text


def _bad_request(message: str) -> Response:
    return Response(
        status=400, headers={"Content-Type": "text/plain; charset=utf-8"}, body=message.encode()
    )


ROUTES.add_url("sparql", lambda base: f"{base}/wikidata/sparql")
