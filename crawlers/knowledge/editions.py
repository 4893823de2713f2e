"""Which Wikipedia edition of a landmark to read first, and which next when one falls short.

The release's `knowledge.languages` list gives the order ("en", "local" by default: English
first, then the country file's own `languages`); editions it does not name come after, English
first, then by code. An edition whose page is known (from locate's `prop=info` length) to be
smaller than `preferred_min_words` is moved behind the others, so a stub in the preferred
language costs no request when a fuller edition exists; when every edition is short, the order
stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rswk.core.records.location import ArticleRef

# A page with fewer bytes than this per required word cannot hold the required words.
BYTES_PER_WORD: Final = 5
LOCAL: Final = "local"


def preference(order: Sequence[str], country_languages: Sequence[str]) -> list[str]:
    """The configured order with "local" replaced by the country's languages, each once."""
    expanded: list[str] = []
    for entry in order:
        expanded += list(country_languages) if entry == LOCAL else [entry]
    return list(dict.fromkeys(expanded))


def edition_order(
    articles: Sequence[ArticleRef], preferred: Sequence[str], min_words: int
) -> list[ArticleRef]:
    """`articles` in the order to try them."""

    def rank(ref: ArticleRef) -> tuple[int, int, str]:
        if ref.language in preferred:
            return (0, list(preferred).index(ref.language), ref.language)
        return (1, 0 if ref.language == "en" else 1, ref.language)

    ordered = sorted(articles, key=rank)
    min_bytes = min_words * BYTES_PER_WORD
    full = [a for a in ordered if a.length is None or a.length >= min_bytes]
    stubs = [a for a in ordered if a not in full]
    return full + stubs
