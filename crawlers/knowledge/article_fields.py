"""An article's sections sorted into RSWK fields (by heading, via `sections.field_for_heading`).

A sub-section with no match of its own inherits its parent's field and is credited to the
parent's heading. Sub-sections of a history or events section stay history whatever they are
called, since they tell its story in order: "History > Construction" and "Histoire >
Construction" are history text from "History"/"Histoire". Skipped sections (references, see
also, ...) drop with their sub-sections. The introduction is kept apart:
the record builder decides what it feeds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from crawlers.knowledge.sections import DETAILS, SKIP, field_for_heading
from crawlers.knowledge.wikipedia_client import ArticleSection, FetchedArticle

# Fields whose sub-sections belong to them whatever their own headings say.
NARRATIVE_FIELDS: Final = frozenset({"historical_background", "major_events"})


@dataclass(frozen=True)
class SectionText:
    """Text for one field from one (top) heading."""

    heading: str
    text: str


@dataclass
class MappedArticle:
    """The intro and, per field, the section texts in article order."""

    intro: str
    fields: dict[str, list[SectionText]] = field(default_factory=dict)

    def parts(self, name: str) -> list[SectionText]:
        return self.fields.get(name, [])


def _walk(
    sections: Iterable[ArticleSection],
    language: str,
    inherited: tuple[str, str] | None,
    out: dict[str, list[SectionText]],
) -> None:
    for section in sections:
        own = field_for_heading(language, section.heading)
        if own == SKIP:
            continue
        narrative = inherited is not None and inherited[0] in NARRATIVE_FIELDS
        if inherited is not None and (own == DETAILS or (narrative and own != SKIP)):
            target, heading = inherited
        else:
            target, heading = own, section.heading
        if section.text:
            out[target].append(SectionText(heading=heading, text=section.text))
        _walk(section.children, language, (target, heading), out)


def map_article(article: FetchedArticle) -> MappedArticle:
    """Sort `article`'s sections into fields by their headings in its language."""
    out: dict[str, list[SectionText]] = defaultdict(list)
    _walk(article.sections, article.language, None, out)
    return MappedArticle(intro=article.intro, fields=dict(out))
