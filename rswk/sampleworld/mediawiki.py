"""MediaWiki Action API at `/wikipedia/{lang}/w/api.php` (formatversion 1, format=json).

`action=query` with `titles=` (or `pageids=`, at most 50, more is a `toomanyvalues` error as on
the real API) and any combination of `prop=coordinates|pageprops|extracts|info|links`;
`redirects` follows redirects; missing pages come back under negative keys. Limits are the real
ones: `exlimit` defaults to 1 (max 20), `colimit` and `pllimit` to 10 (max 500, counted over all
pages), and a request that needs more answers `continue` ({"excontinue": n} / {"cocontinue":
"pageid|id"} / {"plcontinue": "pageid|ns|title"}). `prop=links` lists, per page, the titles of
the items its landmark's articles link to (`WorldLandmark.linked`) in that edition, sorted by
namespace and title as MediaWiki does; `plnamespace` filters (every link here is namespace 0).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rswk.sampleworld.mediawiki_pages import Page, Resolution, resolve_pageids, resolve_titles
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.world_index import world_index

MAX_TITLES = 50
EXLIMIT_DEFAULT, EXLIMIT_MAX = 1, 20
COLIMIT_DEFAULT, COLIMIT_MAX = 10, 500
SUPPORTED_PROPS = ("info", "pageprops", "coordinates", "extracts", "links")
PLLIMIT_DEFAULT, PLLIMIT_MAX = 10, 500
SERVED_BY = "sampleworld"
API_DOCS = "See https://www.mediawiki.org/w/api.php for API usage."
_RTL = frozenset({"ar", "arz", "fa", "he", "ur", "yi", "ps", "ckb"})
_TOUCHED_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def api_error(code: str, info: str, **extra: Any) -> Response:
    """MediaWiki's error envelope: HTTP 200, a JSON `error` and a MediaWiki-API-Error header."""
    payload = {"error": {"code": code, "info": info, **extra, "*": API_DOCS}}
    response = json_response(payload | {"servedby": SERVED_BY})
    response.headers["MediaWiki-API-Error"] = code
    return response


@ROUTES.route("/wikipedia/{lang}/w/api.php", "mediawiki", maxlag=True)
def api(request: Request, ctx: ServerContext) -> Response:
    """Entry point of one language edition's API."""
    fmt = request.param("format", "json")
    if fmt != "json":
        return api_error("badvalue", f'Unrecognized value for parameter "format": {fmt}.')
    action = request.param("action")
    if action != "query":
        return api_error("badvalue", f'Unrecognized value for parameter "action": {action}.')
    lang = request.path_params["lang"]
    titles, pageids = request.multi("titles"), request.multi("pageids")
    for name, values in (("titles", titles), ("pageids", pageids)):
        if len(values) > MAX_TITLES:
            return api_error(
                "toomanyvalues",
                f'Too many values supplied for parameter "{name}". The limit is {MAX_TITLES}.',
                limit=MAX_TITLES,
                lowlimit=MAX_TITLES,
                highlimit=500,
            )
    index = world_index(ctx)
    if pageids:
        resolution = resolve_pageids(pageids, lang, index)
    else:
        resolution = resolve_titles(titles, lang, index, request.has("redirects"))
    payload = _query(request, lang, resolution)
    return json_response(payload, items=len(titles) + len(pageids))


def _query(request: Request, lang: str, resolution: Resolution) -> dict[str, Any]:
    props = request.multi("prop")
    unknown = [p for p in props if p not in SUPPORTED_PROPS]
    warnings = [f'Unrecognized value for parameter "prop": {p}' for p in unknown]
    done_before = set((request.param("continue") or "").partition("||")[2].split("|")) - {""}
    ordered = _missing_first(resolution.pages)
    entries = {_key(page, i): _entry(page) for i, page in enumerate(ordered)}
    by_id = sorted((p for p in resolution.pages if p.pageid is not None), key=_pageid)
    cont: dict[str, Any] = {}
    done: list[str] = []
    for prop in (p for p in SUPPORTED_PROPS if p in props and p not in done_before):
        more = _apply_prop(prop, request, lang, resolution.pages, by_id, entries)
        cont.update(more)
        if not more:
            done.append(prop)
    result: dict[str, Any] = {}
    if cont:
        result["continue"] = {**cont, "continue": "||" + "|".join(sorted(done_before | set(done)))}
    else:
        result["batchcomplete"] = ""
    if warnings:
        result["warnings"] = {"query": {"*": "\n".join(warnings)}}
    if not resolution.pages:
        return result
    query: dict[str, Any] = {}
    if resolution.normalized:
        query["normalized"] = resolution.normalized
    if resolution.redirects:
        query["redirects"] = resolution.redirects
    query["pages"] = entries
    return result | {"query": query}


def _apply_prop(
    prop: str,
    request: Request,
    lang: str,
    pages: list[Page],
    by_id: list[Page],
    entries: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Add one prop to the page entries; returns its continuation parameters, if any."""
    if prop == "info":
        inprop = set(request.multi("inprop"))
        for i, page in enumerate(_missing_first(pages)):
            entries[_key(page, i)].update(_info(page, lang, inprop))
        return {}
    if prop == "pageprops":
        wanted = set(request.multi("ppprop"))
        for page in by_id:
            props = _pageprops(page, wanted)
            if props:
                entries[str(page.pageid)]["pageprops"] = props
        return {}
    if prop == "coordinates":
        return _coordinates(request, by_id, entries)
    if prop == "links":
        return _links(request, lang, by_id, entries)
    return _extracts(request, by_id, entries)


def _missing_first(pages: list[Page]) -> list[Page]:
    """Missing pages (in request order), then existing ones by page id: the API's order."""
    missing = [p for p in pages if p.pageid is None]
    return missing + sorted((p for p in pages if p.pageid is not None), key=_pageid)


def _pageid(page: Page) -> int:
    return page.pageid or 0


def _key(page: Page, position: int) -> str:
    """Existing pages are keyed by page id; missing titles by -1, -2, ... in order."""
    if page.pageid is not None:
        return str(page.pageid)
    if page.asked_id is not None:
        return str(page.asked_id)
    return str(-(position + 1))


def _entry(page: Page) -> dict[str, Any]:
    if page.asked_id is not None:
        return {"pageid": page.asked_id, "missing": ""}
    if page.pageid is None:
        return {"ns": 0, "title": page.title, "missing": ""}
    return {"pageid": page.pageid, "ns": 0, "title": page.title}


def _info(page: Page, lang: str, inprop: set[str]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "contentmodel": "wikitext",
        "pagelanguage": lang,
        "pagelanguagehtmlcode": lang,
        "pagelanguagedir": "rtl" if lang in _RTL else "ltr",
    }
    if page.ref is not None or page.redirect_to is not None:
        text = page.ref.article.text if page.ref else f"#REDIRECT [[{page.redirect_to}]]"
        revid = page.ref.article.revid if page.ref else (page.pageid or 0) + 1
        info |= {"touched": _touched(revid), "lastrevid": revid, "length": len(text.encode())}
        if page.redirect_to is not None:
            info["redirect"] = ""
    info |= _inprop_fields(page, lang, inprop)
    return info


def _inprop_fields(page: Page, lang: str, inprop: set[str]) -> dict[str, Any]:
    exists = page.pageid is not None
    fields: dict[str, Any] = {}
    if "protection" in inprop:
        fields["protection"] = []
        fields["restrictiontypes"] = ["edit", "move"] if exists else ["create"]
    if "url" in inprop and page.title:
        slug = page.title.replace(" ", "_")
        host = f"https://{lang}.wikipedia.org"
        fields["fullurl"] = f"{host}/wiki/{slug}"
        fields["editurl"] = f"{host}/w/index.php?title={slug}&action=edit"
        fields["canonicalurl"] = f"{host}/wiki/{slug}"
    if "displaytitle" in inprop and page.title:
        fields["displaytitle"] = page.title
    if "varianttitles" in inprop and exists:
        fields["varianttitles"] = {lang: page.title}
    return fields


def _touched(revid: int) -> str:
    moment = _TOUCHED_EPOCH + timedelta(seconds=revid % (365 * 86400))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pageprops(page: Page, wanted: set[str]) -> dict[str, str]:
    if page.ref is None:
        return {}
    props: dict[str, str] = {}
    if page.ref.article.disambiguation:
        # A disambiguation page is not the landmark: it gets no wikibase_item of the landmark.
        props["disambiguation"] = ""
    else:
        description = page.ref.landmark.descriptions.get(page.ref.lang)
        if description:
            props["wikibase-shortdesc"] = description
        props["wikibase_item"] = page.ref.landmark.qid
    return {k: v for k, v in props.items() if not wanted or k in wanted}


def _coordinates(
    request: Request, by_id: list[Page], entries: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Primary coordinates, `colimit` in total over the pages, in page-id order."""
    if request.param("coprimary", "primary") == "secondary":
        return {}
    limit = _limit(request.param("colimit"), COLIMIT_DEFAULT, COLIMIT_MAX)
    start = int((request.param("cocontinue") or "0|0").split("|")[0] or 0)
    coprop = set(request.multi("coprop"))
    given = 0
    for page in by_id:
        landmark = page.ref.landmark if page.ref else None
        if page.ref is None or landmark is None or _pageid(page) < start:
            continue
        if not page.ref.article.has_coordinates or landmark.lat is None or landmark.lon is None:
            continue
        if given == limit:
            return {"cocontinue": f"{page.pageid}|{page.pageid}"}
        coord: dict[str, Any] = {"lat": landmark.lat, "lon": landmark.lon, "primary": ""}
        if "globe" in coprop:
            coord["globe"] = "earth"
        if "country" in coprop:
            coord["country"] = landmark.country
        if "type" in coprop:
            coord["type"] = "landmark"
        entries[str(page.pageid)]["coordinates"] = [coord]
        given += 1
    return {}


def _extracts(
    request: Request, by_id: list[Page], entries: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Plain-text (or simple HTML) extracts for `exlimit` pages from offset `excontinue`."""
    limit = _limit(request.param("exlimit"), EXLIMIT_DEFAULT, EXLIMIT_MAX)
    offset = int(request.param("excontinue") or 0)
    articles = [(p, p.ref) for p in by_id if p.ref is not None]
    for page, ref in articles[offset : offset + limit]:
        text = ref.article.text
        if request.has("exintro"):
            text = text.split("\n\n=", 1)[0].rstrip("\n")
        if request.param("exsectionformat") == "plain":
            text = re.sub(r"^(=+) (.*?) \1$", r"\2", text, flags=re.MULTILINE)
        entries[str(page.pageid)]["extract"] = (
            text if request.has("explaintext") else _as_html(text)
        )
    if offset + limit < len(articles):
        return {"excontinue": offset + limit}
    return {}


def _links(
    request: Request, lang: str, by_id: list[Page], entries: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Links of the pages, `pllimit` in total, in (page id, namespace, title) order."""
    namespaces = set(request.multi("plnamespace"))
    if namespaces and "0" not in namespaces:
        return {}
    limit = _limit(request.param("pllimit"), PLLIMIT_DEFAULT, PLLIMIT_MAX)
    after = (request.param("plcontinue") or "").split("|")
    title_after = after[2].replace("_", " ") if len(after) > 2 else ""
    start = (int(after[0]), title_after) if after[0].isdigit() else None
    given = 0
    for page in by_id:
        if page.ref is None or page.ref.article.disambiguation:
            continue
        titles = sorted(
            {e.sitelinks[lang] for e in page.ref.landmark.linked if lang in e.sitelinks}
        )
        for title in titles:
            if start is not None and (_pageid(page), title) < start:
                continue
            if given == limit:
                return {"plcontinue": f"{page.pageid}|0|{title.replace(' ', '_')}"}
            entries[str(page.pageid)].setdefault("links", []).append({"ns": 0, "title": title})
            given += 1
    return {}


def _as_html(text: str) -> str:
    """TextExtracts' HTML flavour, simplified: headings become <hN>, paragraphs <p>."""
    blocks = []
    for block in (b.strip() for b in text.split("\n\n")):
        heading = re.fullmatch(r"(=+) (.*?) \1", block)
        if heading:
            level = len(heading.group(1))
            blocks.append(
                f'<h{level}><span id="{heading.group(2).replace(" ", "_")}">'
                f"{heading.group(2)}</span></h{level}>"
            )
        elif block:
            blocks.append(f"<p>{block}</p>")
    return "\n".join(blocks)


def _limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if raw == "max":
        return maximum
    return max(1, min(int(raw) if raw.isdigit() else default, maximum))


ROUTES.add_url("mediawiki", lambda base: f"{base}/wikipedia/{{lang}}/w/api.php")
