"""Reading MediaWiki `action=query` answers: what each requested title turned out to be.

A title is normalised (`normalized`), followed through redirects (`redirects`, loops detected),
then looked up in `pages`: a missing or invalid page, a redirect left unresolved (a double
redirect), or a disambiguation page (`pageprops.disambiguation`) is a problem with a reason;
anything else is an article with its page id, latest revision, Wikidata item and primary
coordinate. Answers continued over several responses (`continue`) are merged first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rswk.core.records import RejectReason


@dataclass(frozen=True)
class PageFound:
    """A usable article."""

    title: str
    pageid: int
    revid: int
    wikibase_item: str | None
    lat: float | None
    lon: float | None
    length: int | None = None  # page size in bytes (prop=info)


@dataclass(frozen=True)
class PageProblem:
    """Why a requested title gives no article."""

    reason: RejectReason
    detail: str


Outcome = PageFound | PageProblem


def merge_answers(bodies: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One `query` object from the responses of a continued request."""
    merged: dict[str, Any] = {"normalized": [], "redirects": [], "pages": {}}
    for body in bodies:
        query = body.get("query") or {}
        merged["normalized"].extend(query.get("normalized") or [])
        merged["redirects"].extend(query.get("redirects") or [])
        for key, page in (query.get("pages") or {}).items():
            into = merged["pages"].setdefault(key, {})
            for field, value in page.items():
                if field == "coordinates":
                    into.setdefault("coordinates", []).extend(value)
                elif field == "pageprops":
                    into.setdefault("pageprops", {}).update(value)
                else:
                    into[field] = value
    return merged


def _primary_coordinate(page: dict[str, Any]) -> tuple[float | None, float | None]:
    for coord in page.get("coordinates") or []:
        if "primary" in coord and coord.get("globe", "earth") == "earth":
            return float(coord["lat"]), float(coord["lon"])
    return None, None


def _follow(title: str, redirects: dict[str, str]) -> tuple[str, bool]:
    """The end of the redirect chain from `title`, and whether the chain loops."""
    seen = {title}
    while title in redirects:
        title = redirects[title]
        if title in seen:
            return title, True
        seen.add(title)
    return title, False


def _outcome(requested: str, page: dict[str, Any] | None, final: str) -> Outcome:
    if page is None or "missing" in page or "invalid" in page:
        return PageProblem(RejectReason.MISSING_PAGE, f"no page {final!r} (asked {requested!r})")
    if "redirect" in page:
        return PageProblem(
            RejectReason.REDIRECT_LOOP,
            f"{requested!r} leads to {final!r}, itself a redirect (double redirect)",
        )
    props = page.get("pageprops") or {}
    if "disambiguation" in props:
        return PageProblem(RejectReason.DISAMBIGUATION, f"{final!r} is a disambiguation page")
    lat, lon = _primary_coordinate(page)
    return PageFound(
        title=str(page["title"]),
        pageid=int(page["pageid"]),
        revid=int(page.get("lastrevid") or 0),
        wikibase_item=props.get("wikibase_item"),
        lat=lat,
        lon=lon,
        length=int(page["length"]) if isinstance(page.get("length"), int) else None,
    )


def resolve(query: dict[str, Any], requested: Sequence[str]) -> dict[str, Outcome]:
    """What each of the `requested` titles is, from a (merged) `query` object."""
    normalized = {n["from"]: n["to"] for n in query.get("normalized", []) if "from" in n}
    redirects = {r["from"]: r["to"] for r in query.get("redirects", []) if "from" in r}
    by_title = {p["title"]: p for p in query.get("pages", {}).values() if "title" in p}
    outcomes: dict[str, Outcome] = {}
    for title in requested:
        final, loops = _follow(normalized.get(title, title), redirects)
        if loops:
            outcomes[title] = PageProblem(
                RejectReason.REDIRECT_LOOP, f"{title!r} redirects in a loop through {final!r}"
            )
        else:
            outcomes[title] = _outcome(title, by_title.get(final), final)
    return outcomes
