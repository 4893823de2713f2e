"""Major events: Wikidata P793 claims merged with dated sentences, each happening once.

A dated sentence holds a year: a four-digit one from 1000 to 2099, an earlier one after a date
word ("In 537", "En 80", "im Jahr 711"), one marked with an era ("2560 BC", "80 n. Chr.",
"紀元前2560年"), or any year written with 年. BCE years are negative. The `event` of a sentence
is the whole sentence without its leading date phrase; `description` the whole sentence.

One happening is kept once per record (`merge_events`):
- a sentence that tells a P793 event (same year, and one of the event's labels in any language,
  or a title the article links its item by, shares at least half of its normalised word stems
  with the sentence) becomes that event's description instead of an event of its own;
- two sentences of the same year that share most of their stems are one event;
- a P793 event without a year takes the year of the sentence that tells it, and is dropped when
  the same item also has a dated statement.
Stems are accent-free, case-folded words cut to five letters (so "inscription" and "inscrit"
meet), words under four letters dropped; unspaced scripts compare character pairs.
Output is sorted by year, so it does not depend on text order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from crawlers.knowledge.text import UNSPACED_LANGUAGES, split_sentences
from rswk.core.records import MajorEvent, Provenance

MAX_SENTENCE_EVENTS: Final = 12  # per article: enough for a timeline, not a copy of the text
LABEL_OVERLAP: Final = 0.5  # share of an event label's stems a sentence must hold
SENTENCE_OVERLAP: Final = 0.6  # share of the shorter sentence's stems two sentences share
STEM: Final = 5
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_BCE = (
    r"(?:BCE|BC|B\.C\.E?\.?|v\.\s?Chr\.|av\.\s?J\.-?C\.|a\.\s?C\.|a\.\s?n\.\s?e\."
    r"|до\s?н\.\s?э\.)"
)
_CE = r"(?:CE|AD|A\.D\.|n\.\s?Chr\.|apr\.\s?J\.-?C\.|d\.\s?C\.)"
_DATE_WORD = r"(?:in|en|im|jahr|nel|nell'|em|no|del|dal|von|from|around|circa|c\.|um|vers|в|году?)"
# Tried in order; the first that matches anywhere in the sentence gives its year.
_PATTERNS: Final = (
    (re.compile(r"(?:紀元前|公元前|前)(\d{1,4})年"), -1),
    (re.compile(r"(?<![\d.,])(\d{1,4})\s?" + _BCE + r"(?!\w)"), -1),
    (re.compile(r"(?<![\d.,])(\d{1,4})\s?" + _CE + r"(?!\w)"), 1),
    (re.compile(r"(?<!\w)(?:AD|A\.D\.)\s?(\d{1,4})(?![\d])"), 1),
    (re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?![\d])"), 1),
    (re.compile(r"(?<![\d.,])(\d{1,4})年"), 1),
    (
        re.compile(
            r"(?<!\w)" + _DATE_WORD + r"\s+(\d{2,3})(?!\d|[.,]\d|\s?(?:%|m\b|km|metres|meters))",
            re.I,
        ),
        1,
    ),
)
# A date phrase opening a sentence: at most three words before the year ("In", "Le 31 mars",
# "Im Jahr"), the year with an era mark or a 年 particle, then punctuation.
_LEADING_DATE = re.compile(
    r"^\W*(?:\S+\s+){0,3}?(?:紀元前|公元前)?\d{1,4}\s?(?:" + _BCE + "|" + _CE + r")?"
    r"(?:年(?:には|に|の|から)?|년에?)?[\s,，、:;]*"
)


@dataclass(frozen=True)
class TextPart:
    """A piece of article text to scan, with the provenance of the section it came from."""

    text: str
    provenance: Provenance


def sentence_year(sentence: str) -> int | None:
    """The signed year a sentence is about (its first date), or None."""
    text = sentence.translate(_DIGITS)
    for pattern, sign in _PATTERNS:
        match = pattern.search(text)
        if match and int(match.group(1)) > 0:
            return sign * int(match.group(1))
    return None


def _event_text(sentence: str, language: str) -> str:
    """The whole sentence without a leading date phrase ("In 1889, ...")."""
    whole = sentence.rstrip(" .。!?！？")
    # Matched on ASCII digits; the translation keeps positions, so the cut applies to `whole`.
    date = _LEADING_DATE.match(whole.translate(_DIGITS))
    rest = whole[date.end() :] if date else whole
    unspaced = language in UNSPACED_LANGUAGES
    # Keep the whole sentence when the "date phrase" was most of it ("It opened in 1889").
    if len(rest) < 2 if unspaced else len(rest.split()) < 3:
        rest = whole
    return rest[:1].upper() + rest[1:]


def dated_sentences(parts: Iterable[TextPart], language: str) -> list[MajorEvent]:
    """Events from the sentences of `parts` that carry a year (at most MAX_SENTENCE_EVENTS)."""
    events: list[MajorEvent] = []
    for part in parts:
        for sentence in split_sentences(part.text):
            year = sentence_year(sentence)
            if year is None:
                continue
            events.append(
                MajorEvent(
                    event=_event_text(sentence, language),
                    year=year,
                    description=sentence,
                    provenance=part.provenance,
                    language=language,
                )
            )
            if len(events) >= MAX_SENTENCE_EVENTS:
                return events
    return events


def stems(text: str) -> frozenset[str]:
    """Normalised word stems of `text` (character pairs for unspaced scripts)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    found: set[str] = set()
    for word in re.findall(r"\w+", folded):
        if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", word):
            cjk = re.sub(r"[^\u3040-\u30ff\u3400-\u9fff]", "", word)
            found |= {cjk[i : i + 2] for i in range(len(cjk) - 1)}
        elif len(word) >= 4 and not word.isdigit():
            found.add(word[:STEM])
    return frozenset(found)


def tells(sentence: str, labels: Iterable[str], ignore: frozenset[str] = frozenset()) -> float:
    """How much of the best-matching label's stems the sentence holds (0 to 1), not counting
    the stems in `ignore` (the landmark's name: "Notre-Dame de Paris fire" is a fire)."""
    held = stems(sentence)
    best = 0.0
    for label in labels:
        wanted = stems(label) - ignore
        if wanted:
            best = max(best, len(wanted & held) / len(wanted))
    return best


def _same_sentence_event(a: MajorEvent, b: MajorEvent, ignore: frozenset[str]) -> bool:
    if a.year != b.year:
        return False
    # The landmark's own name is in most of its sentences: it says nothing about the event.
    sa = stems(a.description or a.event) - ignore
    sb = stems(b.description or b.event) - ignore
    smaller = min(len(sa), len(sb))
    return smaller > 0 and len(sa & sb) / smaller >= SENTENCE_OVERLAP


@dataclass(frozen=True)
class ClaimedEvent:
    """A P793 event before merging: the record's event and every label of its item."""

    event: MajorEvent
    all_labels: tuple[str, ...]


def merge_events(
    claimed: list[ClaimedEvent],
    from_text: list[MajorEvent],
    ignore: frozenset[str] = frozenset(),
) -> list[MajorEvent]:
    """P793 events described by the sentences that tell them, plus the other dated sentences.

    `ignore`: stems that do not tell events apart (the landmark's name).
    """
    events = [c.event for c in claimed]
    unused: list[MajorEvent] = []
    for sentence in from_text:
        match = _claimed_match(claimed, events, sentence, ignore)
        if match is None:
            if not any(_same_sentence_event(sentence, kept, ignore) for kept in unused):
                unused.append(sentence)
            continue
        current = events[match]
        if not current.description:
            year = current.year if current.year is not None else sentence.year
            events[match] = replace_event(current, description=sentence.description, year=year)
    # An undated statement of an item that also has a dated one says nothing more: dropped.
    dated = {c.event.qid for c in claimed if c.event.year is not None and c.event.qid}
    events = [
        e
        for e, c in zip(events, claimed, strict=True)
        if c.event.year is not None or c.event.qid not in dated
    ]
    merged = events + unused
    return sorted(merged, key=lambda e: (e.year is None, e.year or 0, e.event.casefold()))


def _claimed_match(
    claimed: list[ClaimedEvent],
    events: list[MajorEvent],
    sentence: MajorEvent,
    ignore: frozenset[str],
) -> int | None:
    """The index of the P793 event `sentence` tells, if any (best label overlap wins)."""
    best: tuple[tuple[bool, float, int], int] | None = None
    for i, claim in enumerate(claimed):
        year = events[i].year
        if year is not None and year != sentence.year:
            continue
        score = tells(sentence.description, claim.all_labels, ignore)
        # An undated claim needs a clearer match: the year cannot confirm it. A claim dated
        # the sentence's year beats an undated one at any score.
        needed = LABEL_OVERLAP if year is not None else 0.75
        rank = (year is not None, score, -i)
        if score >= needed and (best is None or rank > best[0]):
            best = (rank, i)
    return best[1] if best else None


def replace_event(event: MajorEvent, **changes: object) -> MajorEvent:
    """A copy of a frozen event with `changes`."""
    return event.model_copy(update=changes)


__all__ = [
    "ClaimedEvent",
    "TextPart",
    "dated_sentences",
    "merge_events",
    "sentence_year",
    "stems",
    "tells",
]
