"""Which RSWK field a Wikipedia section heading feeds, per language edition (data in sections.yaml).

`field_for_heading("fr", "Histoire")` is `"historical_background"`; a heading nothing matches is
`"details"`; reference-like sections are `"skip"`. `field_map_docs` renders the map for the docs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Final

import yaml

from rswk.core.errors import ConfigError

SKIP: Final = "skip"
DETAILS: Final = "details"
# Fields a heading can map to, in the order the docs list them.
SECTION_FIELDS: Final = (
    SKIP,
    "historical_background",
    "major_events",
    "architectural_characteristics",
    "cultural_significance",
    "notable_visitors",
    "primary_function",
    "address",
)
# Editions whose headings have no word breaks to anchor on (or attach articles to the word).
NO_WORD_BREAK_LANGUAGES: Final = frozenset({"ja", "zh", "zh-yue", "zh-classical", "ar", "th"})
SECTIONS_FILE: Final = "sections.yaml"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold().rstrip(" :.")


@lru_cache(maxsize=1)
def heading_map() -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> field -> keywords (normalised), read once from sections.yaml."""
    resource = files("crawlers.knowledge").joinpath(SECTIONS_FILE)
    raw = yaml.safe_load(resource.read_text(encoding="utf-8"))
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for language, fields in raw.items():
        unknown = set(fields) - set(SECTION_FIELDS)
        if unknown:
            raise ConfigError(
                f"crawlers/knowledge/{SECTIONS_FILE}: language {language!r} maps to unknown "
                f"field(s) {sorted(unknown)} (use one of {list(SECTION_FIELDS)})"
            )
        table[str(language)] = {
            field: tuple(_normalise(str(k)) for k in keywords) for field, keywords in fields.items()
        }
    return table


def _position(heading: str, keyword: str, word_breaks: bool) -> int:
    """Where `keyword` starts in `heading` (-1 when absent), at a word start if `word_breaks`."""
    if not word_breaks:
        return heading.find(keyword)
    match = re.search(r"(?<!\w)" + re.escape(keyword), heading)
    return match.start() if match else -1


def field_for_heading(language: str, heading: str) -> str:
    """The field a section heading feeds in `language`'s edition ('details' when none matches)."""
    fields = heading_map().get(language)
    if not fields:
        return DETAILS
    normalised = _normalise(heading)
    word_breaks = language not in NO_WORD_BREAK_LANGUAGES
    best: tuple[int, int, int, str] | None = None
    for field, keywords in fields.items():
        for keyword in keywords:
            position = _position(normalised, keyword, word_breaks)
            if position < 0:
                continue
            # Exact match first, then the earliest keyword, then the longest.
            rank = (0 if keyword == normalised else 1, position, -len(keyword), field)
            if best is None or rank < best:
                best = rank
    return best[3] if best is not None else DETAILS
