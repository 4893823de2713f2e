"""Provenance for knowledge fields: article and entity URLs, revisions, licences, attribution.

URLs are built from the configured API base URLs, so a sample-world record points at the sample
world and a live record at Wikipedia: `.../w/api.php` becomes `.../wiki/<Title>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import quote, urlsplit

from rswk.core.records import Provenance

WIKIPEDIA_LICENCE: Final = "CC-BY-SA-4.0"
WIKIDATA_LICENCE: Final = "CC0-1.0"
_API_SUFFIX: Final = "w/api.php"


def _page_base(api_url: str) -> str | None:
    """'https://fr.wikipedia.org/w/api.php' -> 'https://fr.wikipedia.org/wiki/'."""
    base = api_url.split("?", 1)[0]
    return base[: -len(_API_SUFFIX)] + "wiki/" if base.endswith(_API_SUFFIX) else None


def page_url(api_url: str, title: str) -> str:
    """The reader-facing URL of `title` on the wiki whose API is `api_url`."""
    quoted = quote(title.replace(" ", "_"), safe="/:(),'!*_-.~")
    base = _page_base(api_url)
    return f"{base}{quoted}" if base else f"{api_url}?title={quoted}"


@dataclass(frozen=True)
class ArticleSource:
    """The article a landmark's text came from (what every Wikipedia provenance shares)."""

    language: str
    title: str
    revid: int
    url: str
    retrieved_at: datetime

    @classmethod
    def build(
        cls, mediawiki_template: str, language: str, title: str, revid: int, when: datetime
    ) -> ArticleSource:
        api = mediawiki_template.replace("{lang}", language)
        return cls(language, title, revid, page_url(api, title), when)

    @property
    def site(self) -> str:
        """'fr.wikipedia.org' (or the sample world's host and path) for the attribution line."""
        parts = urlsplit(self.url)
        path = parts.path.rsplit("/wiki/", 1)[0]
        return f"{parts.netloc}{path}"

    def provenance(self, detail: str) -> Provenance:
        """Provenance of text taken from this article's section `detail`."""
        return Provenance(
            source_url=self.url,
            revision=str(self.revid),
            retrieved_at=self.retrieved_at,
            licence=WIKIPEDIA_LICENCE,
            attribution=(
                f"Wikipedia contributors, '{self.title}', {self.site}, revision {self.revid}"
            ),
            detail=detail,
        )


@dataclass(frozen=True)
class EntitySource:
    """The Wikidata entity a landmark's structured facts came from."""

    qid: str
    revision: int | None
    url: str
    retrieved_at: datetime

    @classmethod
    def build(
        cls, wikidata_api: str, qid: str, revision: int | None, when: datetime
    ) -> EntitySource:
        base = _page_base(wikidata_api)
        url = f"{base}{qid}" if base else f"{wikidata_api}?action=wbgetentities&ids={qid}"
        return cls(qid, revision, url, when)

    def provenance(self, detail: str) -> Provenance:
        """Provenance of a fact taken from this entity's property (or label) `detail`."""
        revision = str(self.revision) if self.revision is not None else None
        suffix = f", revision {revision}" if revision else ""
        return Provenance(
            source_url=self.url,
            revision=revision,
            retrieved_at=self.retrieved_at,
            licence=WIKIDATA_LICENCE,
            attribution=f"Wikidata, {self.qid}{suffix}",
            detail=detail,
        )
