"""Title resolution for the MediaWiki API: normalisation, redirects, missing pages, page ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rswk.sampleworld.world_index import PageRef, WorldIndex, normalize_title

# Redirect pages are not articles of the world; give them ids well above any article's.
_REDIRECT_PAGEID_BASE = 1_900_000_000


@dataclass(frozen=True)
class Page:
    """One page of a query result: an article, a redirect page (not followed) or a missing one."""

    title: str
    pageid: int | None  # None when missing
    ref: PageRef | None = None
    redirect_to: str | None = None  # set for a redirect page that was not followed
    asked_id: int | None = None  # set for a missing page asked for by `pageids=`


@dataclass
class Resolution:
    """The `normalized` and `redirects` lists MediaWiki reports, and the resulting pages."""

    normalized: list[dict[str, str]] = field(default_factory=list)
    redirects: list[dict[str, str]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


def resolve_titles(
    titles: list[str], lang: str, index: WorldIndex, follow_redirects: bool
) -> Resolution:
    """Resolve requested titles like MediaWiki: normalise, follow redirects, dedupe."""
    out = Resolution()
    seen: set[str] = set()
    for raw in titles:
        title = normalize_title(raw)
        if title != raw and {"from": raw, "to": title} not in out.normalized:
            out.normalized.append({"from": raw, "to": title})
        target = index.redirects.get((lang, title))
        page: Page
        if target is not None and follow_redirects:
            if {"from": title, "to": target} not in out.redirects:
                out.redirects.append({"from": title, "to": target})
            ref = index.page(lang, target)
            page = Page(target, ref.article.pageid if ref else None, ref)
        elif target is not None:
            page = Page(title, _redirect_pageid(lang, title), redirect_to=target)
        else:
            ref = index.page(lang, title)
            page = Page(title, ref.article.pageid if ref else None, ref)
        if page.title not in seen:
            seen.add(page.title)
            out.pages.append(page)
    return out


def resolve_pageids(pageids: list[str], lang: str, index: WorldIndex) -> Resolution:
    """Pages asked for by `pageids=`; unknown ids come back as missing."""
    out = Resolution()
    for raw in dict.fromkeys(pageids):
        pageid = int(raw) if raw.isdigit() else 0
        ref = index.pages_by_id.get((lang, pageid))
        if ref is not None:
            out.pages.append(Page(ref.article.title, pageid, ref))
        else:
            out.pages.append(Page("", None, asked_id=pageid))
    return out


def _redirect_pageid(lang: str, title: str) -> int:
    digest = hashlib.blake2b(f"{lang}:{title}".encode(), digest_size=4).digest()
    return _REDIRECT_PAGEID_BASE + int.from_bytes(digest, "big") % 100_000_000
