"""Major events: Wikidata P793 claims merged with dated sentences ("In 1889 the tower opened.").

A dated sentence is one holding a four-digit year from 1000 to 2099 (Arabic-Indic digits are
read too); its year is the first one in the sentence, its `event` the sentence without a leading
date phrase, cut to a few words, and its `description` the whole sentence. Events are deduplicated
by (year, event) and a dated sentence is dropped when it only restates a P793 event of the same
year (it names the event's label). Output is sorted by year, so it does not depend on text order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from crawlers.knowledge.text import UNSPACED_LANGUAGES, split_sentences
from rswk.core.records import MajorEvent, Provenance

MAX_SENTENCE_EVENTS: Final = 12  # per article: enough for a timeline, not a copy of the text
EVENT_WORDS: Final = 10  # words kept in the short `event` text
EVENT_CHARS_UNSPACED: Final = 24  # the same for ja/zh, in characters
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_YEAR = re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?![\d])")
# A date phrase opening a sentence: at most three words before the year ("In", "Le 31 mars",
# "Im Jahr"), then an optional year mark with its particle ("1958年に") and punctuation.
_LEADING_DATE = re.compile(
    r"^\W*(?:\S+\s+){0,3}?(?:1\d{3}|20\d{2})(?:年(?:には|に|の|から)?|년에?)?[\s,，、:;]*"
)


@dataclass(frozen=True)
class TextPart:
    """A piece of article text to scan, with the provenance of the section it came from."""

    text: str
    provenance: Provenance


def _short_event(sentence: str, language: str) -> str:
    """The sentence without a leading date phrase ("In 1889, ..."), cut to a few words."""
    whole = sentence.rstrip(" .。!?！？")
    # Matched on ASCII digits; the translation keeps positions, so the cut applies to `whole`.
    date = _LEADING_DATE.match(whole.translate(_DIGITS))
    rest = whole[date.end() :] if date else whole
    unspaced = language in UNSPACED_LANGUAGES
    # Keep the whole sentence when the "date phrase" was most of it ("It opened in 1889").
    if len(rest) < 2 if unspaced else len(rest.split()) < 2:
        rest = whole
    short = rest[:EVENT_CHARS_UNSPACED] if unspaced else " ".join(rest.split()[:EVENT_WORDS])
    return short[:1].upper() + short[1:]


def dated_sentences(parts: Iterable[TextPart], language: str) -> list[MajorEvent]:
    """Events from the sentences of `parts` that carry a year (at most MAX_SENTENCE_EVENTS)."""
    events: list[MajorEvent] = []
    for part in parts:
        for sentence in split_sentences(part.text):
            match = _YEAR.search(sentence.translate(_DIGITS))
            if match is None:
                continue
            events.append(
                MajorEvent(
                    event=_short_event(sentence, language),
                    year=int(match.group(1)),
                    description=sentence,
                    provenance=part.provenance,
                )
            )
            if len(events) >= MAX_SENTENCE_EVENTS:
                return events
    return events


def _key(event: MajorEvent) -> tuple[int | None, str]:
    return event.year, " ".join(event.event.casefold().split())


def _restates(sentence_event: MajorEvent, claimed: list[MajorEvent]) -> bool:
    text = sentence_event.description.casefold()
    return any(
        c.year == sentence_event.year and c.event.casefold() in text for c in claimed if c.event
    )


def merge_events(claimed: list[MajorEvent], from_text: list[MajorEvent]) -> list[MajorEvent]:
    """P793 events and dated sentences, deduplicated by (year, event), sorted by year."""
    merged: dict[tuple[int | None, str], MajorEvent] = {}
    for event in claimed:
        merged.setdefault(_key(event), event)
    for event in from_text:
        if not _restates(event, claimed):
            merged.setdefault(_key(event), event)
    return sorted(merged.values(), key=lambda e: (e.year is None, e.year or 0, _key(e)[1]))
