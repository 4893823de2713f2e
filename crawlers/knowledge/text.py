"""Plain-text helpers shared by the knowledge modules: sentences, word counts, length caps."""

from __future__ import annotations

import re
from typing import Final

# Editions written without spaces between words: length is counted in characters there.
UNSPACED_LANGUAGES: Final = frozenset({"ja", "zh", "zh-yue", "zh-classical", "th", "lo", "km"})
# About two characters make a word in Chinese and Japanese running text.
CHARS_PER_UNSPACED_WORD: Final = 2
# Latin/Cyrillic/Arabic sentence ends need a following space (so "3.5" and "St.Paul" stay
# whole); CJK full stops end a sentence on their own.
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|(?<=[。！？])\s*|\n+")
# A period after one of these does not end a sentence: ordinals ("19. Jahrhundert"), regnal
# numbers ("Ludwig II."), initials ("J. Smith") and common abbreviations.
_NOT_AN_END = re.compile(
    r"(?:^|\s)(?:\d{1,2}|(?-i:[IVXLC]+)|\w|st|dr|mr|mrs|ms|mt|jr|sr|no|nr|ca|vs|etc|bzw|p)\.$",
    re.I,
)


def _ends(text: str) -> list[tuple[int, int]]:
    """(start, end) of every separator between two sentences of `text`."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        before, after = text[: match.start()], text[match.end() : match.end() + 1]
        abbreviation = after.islower() or _NOT_AN_END.search(before[-8:]) is not None
        if "\n" not in match.group() and before.endswith(".") and abbreviation:
            continue
        ends.append((match.start(), match.end()))
    return ends


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, empty ones dropped."""
    pieces, start = [], 0
    for end_start, end_stop in _ends(text):
        pieces.append(text[start:end_start])
        start = end_stop
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def word_count(text: str, language: str) -> int:
    """Words in `text`; for unspaced scripts, non-space characters / 2."""
    if language in UNSPACED_LANGUAGES:
        return len(re.sub(r"\s+", "", text)) // CHARS_PER_UNSPACED_WORD
    return len(text.split())


def cap_length(text: str, max_chars: int) -> str:
    """`text` cut to at most `max_chars`, at the last sentence end that fits (else a hard cut)."""
    if len(text) <= max_chars:
        return text
    cut = 0
    for end_start, _ in _ends(text):
        if end_start > max_chars:
            break
        cut = end_start
    return (text[:cut] if cut else text[:max_chars]).rstrip()


def first_sentence(text: str) -> str:
    """The first sentence of `text` ('' for empty text)."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""
