"""Where a landmark is: its region (from the P131 chain) and an address-shaped line.

Region: walk "located in the administrative territorial entity" (P131) up from the landmark's
first P131 item, stopping at the country (P17) or after MAX_DEPTH steps. The region is the
first item on the way whose class is a first-level administrative division; when no item says
so, the topmost item below the country, provided the chain has at least two items (a city on its
own is a city, not a region).

Address: Wikidata P6375 wins. Otherwise a line or sentence of a location section that looks like
an address — short, with a house number or postcode next to a street word — never a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from crawlers.knowledge.claims import ItemFacts
from crawlers.knowledge.text import split_sentences

MAX_DEPTH: Final = 6
# "first-level administrative country subdivision" and the classes Wikidata gives the first
# level of the largest countries (region of France, state of Germany/the US/Australia, ...).
FIRST_LEVEL_CLASSES: Final = frozenset(
    {
        "Q10864048",  # first-level administrative country subdivision
        "Q36784",  # region of France
        "Q1221156",  # state of Germany
        "Q35657",  # state of the United States
        "Q50337",  # prefecture of Japan
        "Q16110",  # region of Italy
        "Q10742",  # autonomous community of Spain
        "Q5852411",  # state of Australia
        "Q11828004",  # province of Canada
        "Q1615742",  # province of China
        "Q48091",  # region of England
        "Q485258",  # state of Brazil
    }
)
MAX_ADDRESS_CHARS: Final = 120
MAX_ADDRESS_WORDS: Final = 16
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|boulevard|blvd|lane|way|drive|square|place|plaza|"
    r"rue|quai|allée|chemin|straße|strasse|str|platz|weg|allee|gasse|calle|avenida|paseo|"
    r"via|viale|piazza|corso|rua|praça|largo|улица|проспект|площадь|шоссе"
)
_STREET = re.compile(
    r"(?:\b\d{1,5}[a-z]?,?\s+(?:\w+\s+){0,4}?(?:" + _STREET_WORDS + r")\b)"
    r"|(?:\b(?:" + _STREET_WORDS + r")\.?\s+(?:\w+\s+){0,4}?\d{1,5}[a-z]?\b)",
    re.I,
)
_POSTCODE = re.compile(
    r"\b\d{5}\b|\b\d{3}-\d{4}\b|\b\d{4}\s?[A-Z]{2}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
)
_CJK_ADDRESS = re.compile(r"\d+(?:丁目|番地?|号|號)|[都道府県市区町村].*\d")


def region_of(
    located_in: tuple[str, ...], countries: tuple[str, ...], items: Mapping[str, ItemFacts]
) -> ItemFacts | None:
    """The first-level division a landmark lies in, or None when the chain does not say."""
    chain: list[ItemFacts] = []
    current = located_in[0] if located_in else None
    seen: set[str] = set()
    while current and current not in seen and current not in countries and len(chain) < MAX_DEPTH:
        seen.add(current)
        item = items.get(current)
        if item is None:
            break
        chain.append(item)
        if FIRST_LEVEL_CLASSES & set(item.classes):
            return item
        current = item.located_in[0] if item.located_in else None
    return chain[-1] if len(chain) >= 2 else None


def chain_parents(items: Mapping[str, ItemFacts], qids: set[str]) -> set[str]:
    """The P131 parents of `qids` that are not fetched yet (the next level of the chain)."""
    parents = {p for q in qids if q in items for p in items[q].located_in[:1]}
    return {p for p in parents if p not in items}


def _looks_like_address(line: str, language: str) -> bool:
    text = line.strip().rstrip(".")
    if not text or len(text) > MAX_ADDRESS_CHARS:
        return False
    if language in {"ja", "zh"}:
        return _CJK_ADDRESS.search(text) is not None
    if len(text.split()) > MAX_ADDRESS_WORDS:
        return False
    return _STREET.search(text) is not None or _POSTCODE.search(text) is not None


def address_line(text: str, language: str) -> str | None:
    """The first line (or sentence) of `text` shaped like an address, if any."""
    for line in text.splitlines():
        # A line of several sentences is prose that may end in an address: test each sentence.
        for candidate in split_sentences(line) or [line]:
            if _looks_like_address(candidate, language):
                return candidate.strip()
    return None
