"""Notable visitors: the people an article names in its visitor, history and event sections.

A person is a human on Wikidata (P31 = Q5). Two sources:
- the article's links (`prop=links`, fetched with the text): a link counts when its title (less
  a "(disambiguation)" suffix) occurs in the text of a visitors, history or events section, and
  its Wikidata item (resolved by `wbgetentities` with `sites`/`titles`, batched) is a human;
- the participants (P710) of the landmark's significant events (P793), when they are humans.
Places, buildings and events linked from the same sections are not people and are left out; so
is prose such as "millions visit each year", and so are the landmark's own architects (P84): a
history section names its builders, who are not its visitors. The list is in order of first
mention, then the participants; each person once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from crawlers.knowledge.article_fields import MappedArticle
from crawlers.knowledge.claims import PARTICIPANT, EntityFacts, ItemFacts
from crawlers.knowledge.provenance import ArticleSource, EntitySource
from rswk.core.records import Person

# Fields whose sections may name visitors (history and events name those who came and what
# they did there); other sections (architecture, culture) name designers and artists.
VISITOR_FIELDS: Final = ("notable_visitors", "historical_background", "major_events")
_DISAMBIGUATOR = re.compile(r"\s*\([^)]*\)$")


@dataclass(frozen=True)
class Mention:
    """A linked title found in a section's text."""

    title: str
    heading: str
    position: int


def display_name(title: str) -> str:
    """'Napoleon (emperor)' -> 'Napoleon': what running text calls a linked page."""
    return _DISAMBIGUATOR.sub("", title).strip()


def mentioned_links(mapped: MappedArticle, links: Iterable[str]) -> list[Mention]:
    """Links whose name occurs in a visitor, history or events section, first mention first."""
    sections = [part for name in VISITOR_FIELDS for part in mapped.parts(name)]
    found: dict[str, Mention] = {}
    for order, part in enumerate(sections):
        text = part.text.casefold()
        for title in links:
            name = display_name(title).casefold()
            if len(name) < 3:
                continue
            at = text.find(name)
            if at >= 0 and title not in found:
                found[title] = Mention(title, part.heading, order * 1_000_000 + at)
    return sorted(found.values(), key=lambda m: m.position)


def _label(item: ItemFacts, language: str, fallback: str) -> tuple[str, str]:
    for lang in (language, "en", "mul"):
        if item.labels.get(lang):
            return item.labels[lang], lang
    return fallback, language


def notable_visitors(
    mapped: MappedArticle,
    links: Iterable[str],
    link_items: Mapping[str, str],
    items: Mapping[str, ItemFacts],
    facts: EntityFacts | None,
    article: ArticleSource,
    entity: EntitySource,
) -> list[Person]:
    """The humans named in the article's visitor/history/event sections, then event participants.

    `link_items` maps a linked title (in the article's edition) to its Wikidata item; `items`
    holds the labels and classes of every item the wave fetched.
    """
    language = article.language
    people: dict[str, Person] = {}
    builders = set(facts.architects) if facts else set()
    for mention in mentioned_links(mapped, links):
        qid = link_items.get(mention.title)
        item = items.get(qid) if qid else None
        if item is None or not item.is_human or item.qid in people or item.qid in builders:
            continue
        name, lang = _label(item, language, display_name(mention.title))
        people[item.qid] = Person(
            name=name, qid=item.qid, language=lang, provenance=article.provenance(mention.heading)
        )
    for event in facts.events if facts else ():
        for qid in event.participants:
            item = items.get(qid)
            if item is None or not item.is_human or qid in people or qid in builders:
                continue
            name, lang = _label(item, language, qid)
            detail = f"P793/{PARTICIPANT} ({event.qid})"
            people[qid] = Person(
                name=name, qid=qid, language=lang, provenance=entity.provenance(detail)
            )
    return list(people.values())
