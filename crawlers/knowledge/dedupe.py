"""No text in two fields of one record: a sentence stays in the first field that has it.

Fields are visited in a priority order; each sentence (compared case- and space-insensitively)
is kept by the first field holding it and cut from every later one. A field left empty is
dropped. A field with nothing cut keeps its value byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from crawlers.knowledge.text import UNSPACED_LANGUAGES, split_sentences
from rswk.core.records import KnowledgeField


def sentence_key(sentence: str) -> str:
    """What two copies of one sentence share: case-folded words, no final punctuation."""
    return " ".join(sentence.casefold().split()).rstrip(" .。!?！？")


def sentence_keys(text: str) -> set[str]:
    """The keys of every sentence of `text`."""
    return {sentence_key(s) for s in split_sentences(text)}


def _kept(text: str, seen: set[str], language: str) -> str:
    joiner = "" if language in UNSPACED_LANGUAGES else " "
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", text):
        sentences = [s for s in split_sentences(paragraph) if sentence_key(s) not in seen]
        if sentences:
            paragraphs.append(joiner.join(sentences))
    return "\n\n".join(paragraphs)


def without_repeated_sentences(
    fields: Mapping[str, KnowledgeField], order: Sequence[str]
) -> dict[str, KnowledgeField]:
    """`fields` with each sentence of the `order` fields in the first of them only."""
    out = dict(fields)
    seen: set[str] = set()
    for name in order:
        value = out.get(name)
        if value is None:
            continue
        keys = sentence_keys(value.value)
        if keys & seen:
            text = _kept(value.value, seen, value.language)
            if text:
                out[name] = value.model_copy(update={"value": text})
            else:
                del out[name]
        seen |= keys
    return out
