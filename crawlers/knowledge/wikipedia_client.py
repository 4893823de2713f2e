"""Article text and sections from Wikipedia-API, pointed at the configured MediaWiki base URL.

Wikipedia-API hard-codes `https://{lang}.wikipedia.org/w/api.php` but hands extra keyword
arguments to `httpx.Client`; we give it the shared `PoliteTransport`, whose `rewrite` sends each
request to `config.sources.mediawiki` (politeness, retries and the disk cache come with it).
Exactly one request per article: the `extracts` call (text + section headings), which also asks
for the page's links (`prop=extracts|links`, main namespace, `pllimit=max`): the knowledge stage
finds the people an article names among them. Links past the first `pllimit` (500) are not
followed: that would cost a request per long article. Nothing here
touches `page.exists()` or other lazy attributes that would issue `prop=info`. The library's own
retries are off because the transport already retries (doing both would multiply them).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import httpx
import wikipediaapi
from wikipediaapi import WikipediaPageSection

from crawlers.knowledge.wikidata_client import response_time
from rswk.core.config import ProjectConfig
from rswk.core.http import FetchFailed, UrlRewrite

# Added to the extracts call: the page's links come back in the same answer.
LINK_PARAMS: Final = {"prop": "extracts|links", "pllimit": "max", "plnamespace": "0"}
_WIKIPEDIA_HOST = re.compile(r"^(?P<lang>[a-z][a-z0-9-]*)\.wikipedia\.org$")


def mediawiki_rewrite(template: str) -> UrlRewrite:
    """A URL rewrite sending `https://{lang}.wikipedia.org/w/api.php?...` to `template`."""

    def rewrite(url: httpx.URL) -> httpx.URL:
        match = _WIKIPEDIA_HOST.match(url.host)
        if match is None or url.path != "/w/api.php":
            return url
        target = httpx.URL(template.replace("{lang}", match["lang"]))
        return target.copy_merge_params(dict(url.params.multi_items()))

    return rewrite


@dataclass(frozen=True)
class ArticleSection:
    """One section of an article: heading, depth (1 = '=='), own text, and sub-sections."""

    heading: str
    level: int
    text: str
    children: tuple[ArticleSection, ...] = ()


@dataclass(frozen=True)
class FetchedArticle:
    """What the extracts call returned for one title in one edition."""

    language: str
    title: str
    pageid: int | None
    missing: bool
    intro: str
    sections: tuple[ArticleSection, ...]
    retrieved_at: datetime
    links: tuple[str, ...] = ()  # titles of the main-namespace pages the article links to

    def all_text(self) -> str:
        """The intro and every section's text, for length checks."""
        parts = [self.intro]
        stack = list(self.sections)
        while stack:
            section = stack.pop()
            parts.append(section.text)
            stack.extend(section.children)
        return "\n".join(p for p in parts if p)


def _convert(section: WikipediaPageSection) -> ArticleSection:
    return ArticleSection(
        heading=section.title,
        level=section.level,
        text=section.text.strip(),
        children=tuple(_convert(child) for child in section.sections),
    )


def _links(entry: dict[str, Any]) -> tuple[str, ...]:
    """Titles of the page's main-namespace links, in the API's (alphabetical) order."""
    found = [
        str(link["title"])
        for link in entry.get("links", [])
        if isinstance(link, dict) and link.get("ns", 0) == 0 and link.get("title")
    ]
    return tuple(dict.fromkeys(found))


class WikipediaArticles:
    """Fetches articles through Wikipedia-API; safe to share between threads."""

    def __init__(self, config: ProjectConfig, transport: httpx.BaseTransport) -> None:
        self._config = config
        self._transport = transport
        self._clients: dict[str, wikipediaapi.Wikipedia] = {}
        self._lock = threading.Lock()
        # The last response each thread saw: the raw JSON and Date header the library hides.
        self._last = threading.local()

    def _remember(self, response: httpx.Response) -> None:
        response.read()
        self._last.response = response

    def _client(self, language: str) -> wikipediaapi.Wikipedia:
        with self._lock:
            if language not in self._clients:
                politeness = self._config.politeness
                self._clients[language] = wikipediaapi.Wikipedia(
                    user_agent=politeness.full_user_agent,
                    language=language,
                    extract_format=wikipediaapi.ExtractFormat.WIKI,
                    max_retries=0,
                    transport=self._transport,
                    timeout=politeness.timeout_s,
                    event_hooks={"response": [self._remember]},
                    extra_api_params=LINK_PARAMS,
                )
            return self._clients[language]

    def fetch(self, language: str, title: str) -> FetchedArticle:
        """The article `title` of the `language` edition; raises FetchFailed when it cannot."""
        page = self._client(language).page(title)
        where = f"{language}:{title}"
        self._last.response = None
        try:
            intro = page.summary  # the one extracts call; sections come from the same answer
        except wikipediaapi.WikipediaException as exc:
            raise FetchFailed(where, f"{type(exc).__name__}: {exc}") from None
        except (KeyError, TypeError, AttributeError):
            # The body parsed as JSON but is not a query answer (an API error object).
            raise FetchFailed(where, self._api_error()) from None
        response: httpx.Response | None = self._last.response
        if response is None:
            raise FetchFailed(where, "the extracts call returned without a response")
        entry = self._page_entry(response)
        missing = entry is None or "missing" in entry or "invalid" in entry
        return FetchedArticle(
            language=language,
            title=str(entry.get("title", title)) if entry else title,
            pageid=int(entry["pageid"]) if entry and "pageid" in entry else None,
            missing=missing,
            intro="" if missing else intro.strip(),
            sections=() if missing else tuple(_convert(s) for s in page.sections),
            retrieved_at=response_time(response),
            links=() if missing or entry is None else _links(entry),
        )

    def _api_error(self) -> str:
        response: httpx.Response | None = self._last.response
        if response is None:
            return "no response"
        try:
            body: Any = response.json()
        except ValueError:
            return "response is not JSON"
        error = body.get("error") if isinstance(body, dict) else None
        return f"API error: {error}" if error else "unexpected response shape"

    @staticmethod
    def _page_entry(response: httpx.Response) -> dict[str, Any] | None:
        pages = response.json().get("query", {}).get("pages", {})
        for entry in pages.values():
            return dict(entry)
        return None
