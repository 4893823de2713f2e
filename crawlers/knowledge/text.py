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


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


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
    for match in _SENTENCE_END.finditer(text):
        if match.start() > max_chars:
            break
        cut = match.start()
    return (text[:cut] if cut else text[:max_chars]).rstrip()


def first_sentence(text: str) -> str:
    """The first sentence of `text` ('' for empty text)."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""
