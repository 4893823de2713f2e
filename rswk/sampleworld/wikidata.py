"""Wikibase API at `/wikidata/w/api.php`: `action=wbgetentities` by `ids=` or `sites=&titles=`.

At most 50 ids (or titles) per request, more is a `toomanyvalues` error as on the real API.
Landmarks come with labels, descriptions, claims (P31 in no fixed order, P17, P625, P571 with
precision and circa, P580, P582, P1619, P576, P84, P149, P1435, P2046, P2048, P793 with P585 and
P710, P131, P366, P466, P6375) and sitelinks; the items those claims point at (classes, countries
with P297, architects, styles, heritage statuses, events, places with their own P131 up to the
country, people with P31 = Q5 and sitelinks) come with labels and their claims. `sites`/`titles`
resolves landmark articles and the pages of linked items.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rswk.sampleworld.mediawiki import api_error
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.wikidata_claims import (
    item_value,
    landmark_claims,
    statement,
    string_value,
)
from rswk.sampleworld.world import WorldLandmark
from rswk.sampleworld.world_index import EntityInfo, WorldIndex, normalize_title, world_index

MAX_IDS = 50
DEFAULT_PROPS = ("info", "sitelinks", "aliases", "labels", "descriptions", "claims", "datatype")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_MODIFIED_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@ROUTES.route("/wikidata/w/api.php", "wikidata", maxlag=True)
def api(request: Request, ctx: ServerContext) -> Response:
    """Entry point of the Wikibase API."""
    fmt = request.param("format", "json")
    if fmt != "json":
        return api_error("badvalue", f'Unrecognized value for parameter "format": {fmt}.')
    action = request.param("action")
    if action != "wbgetentities":
        return api_error("badvalue", f'Unrecognized value for parameter "action": {action}.')
    ids, titles = request.multi("ids"), request.multi("titles")
    for name, values in (("ids", ids), ("titles", titles)):
        if len(values) > MAX_IDS:
            return api_error(
                "toomanyvalues",
                f'Too many values supplied for parameter "{name}". The limit is {MAX_IDS}.',
                limit=MAX_IDS,
                lowlimit=MAX_IDS,
                highlimit=500,
                parameter=name,
            )
    if not ids and not (titles and request.multi("sites")):
        return api_error(
            "param-missing",
            'Either provide the item "ids" or pairs of "sites" and "titles" for corresponding '
            "pages",
        )
    bad = next((i for i in ids if not _QID.match(i.upper())), None)
    if bad is not None:
        return api_error("no-such-entity", f'Could not find an entity with the ID "{bad}".', id=bad)
    view = _View(request)
    index = world_index(ctx)
    if ids:
        entities = {q.upper(): _entity(q.upper(), index, view) for q in dict.fromkeys(ids)}
    else:
        entities = _by_titles(request.multi("sites"), titles, index, view)
    return json_response({"entities": entities, "success": 1}, items=len(ids) + len(titles))


class _View:
    """What parts of an entity were asked for."""

    def __init__(self, request: Request) -> None:
        self.props = set(request.multi("props") or DEFAULT_PROPS)
        self.languages = set(request.multi("languages"))
        self.sites = set(request.multi("sitefilter"))

    def terms(self, values: dict[str, str]) -> dict[str, dict[str, str]]:
        return {
            lang: {"language": lang, "value": text}
            for lang, text in values.items()
            if not self.languages or lang in self.languages
        }


def _by_titles(
    sites: list[str], titles: list[str], index: WorldIndex, view: _View
) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    missing = 0
    for site in sites:
        lang = site.removesuffix("wiki")
        for title in titles:
            ref = index.page(lang, title)
            linked = index.titled.get((lang, normalize_title(title)))
            if ref is not None and not ref.article.disambiguation:
                entities[ref.landmark.qid] = _entity(ref.landmark.qid, index, view)
            elif linked is not None:
                entities[linked] = _entity(linked, index, view)
            else:
                missing += 1
                entities[str(-missing)] = {"site": site, "title": title, "missing": ""}
    return entities


def _entity(qid: str, index: WorldIndex, view: _View) -> dict[str, Any]:
    landmark = index.landmarks.get(qid)
    if landmark is not None:
        return _landmark_entity(landmark, view)
    info = index.entities.get(qid)
    if info is not None:
        return _referenced_entity(info, view)
    return {"id": qid, "missing": ""}


def _head(qid: str, view: _View) -> dict[str, Any]:
    head: dict[str, Any] = {}
    if "info" in view.props:
        digest = hashlib.blake2b(qid.encode(), digest_size=8).digest()
        revid = 1_000_000_000 + int.from_bytes(digest, "big") % 1_200_000_000
        modified = _MODIFIED_EPOCH + timedelta(seconds=revid % (700 * 86400))
        head = {
            "pageid": int(qid[1:]) % 90_000_000 + 1000,
            "ns": 0,
            "title": qid,
            "lastrevid": revid,
            "modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return head | {"type": "item", "id": qid}


def _landmark_entity(landmark: WorldLandmark, view: _View) -> dict[str, Any]:
    entity = _head(landmark.qid, view)
    if "labels" in view.props:
        entity["labels"] = view.terms(landmark.labels)
    if "descriptions" in view.props:
        entity["descriptions"] = view.terms(landmark.descriptions)
    if "aliases" in view.props:
        entity["aliases"] = {}
    if "claims" in view.props:
        entity["claims"] = landmark_claims(landmark)
    if "sitelinks" in view.props:
        entity["sitelinks"] = {
            f"{lang}wiki": {"site": f"{lang}wiki", "title": article.title, "badges": []}
            for lang, article in landmark.articles.items()
            if not view.sites or f"{lang}wiki" in view.sites
        }
    return entity


def _referenced_entity(info: EntityInfo, view: _View) -> dict[str, Any]:
    entity = _head(info.qid, view)
    if "labels" in view.props:
        entity["labels"] = view.terms(info.labels)
    if "descriptions" in view.props:
        entity["descriptions"] = {}
    if "aliases" in view.props:
        entity["aliases"] = {}
    if "claims" in view.props:
        claims = {}
        if info.iso2 is not None:
            p297 = statement(info.qid, "P297", string_value(info.iso2), 0, datatype="external-id")
            claims["P297"] = [p297]
        if info.classes:
            claims["P31"] = [
                statement(info.qid, "P31", item_value(c), i) for i, c in enumerate(info.classes)
            ]
        if info.located_in is not None:
            claims["P131"] = [statement(info.qid, "P131", item_value(info.located_in), 0)]
        entity["claims"] = claims
    if "sitelinks" in view.props:
        entity["sitelinks"] = {
            f"{lang}wiki": {"site": f"{lang}wiki", "title": title, "badges": []}
            for lang, title in info.sitelinks
            if not view.sites or f"{lang}wiki" in view.sites
        }
    return entity


ROUTES.add_url("wikidata", lambda base: f"{base}/wikidata/w/api.php")
