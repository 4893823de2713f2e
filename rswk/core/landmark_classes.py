"""The landmark class table: Wikidata classes (P31 values), their RSWK class and specificity.

One versioned table serves three readers: discovery (which P31 values make an item a landmark),
knowledge (which of an item's classes names it best) and curation (which of RSWK's 16 classes a
landmark belongs to). Bump `CLASS_TABLE_VERSION` whenever a row changes: it is part of the lineage
fingerprint of every stage that reads the table.

`specificity` orders an item's classes: the highest wins, ties go to the earlier row. Generic
classes (tourist attraction, landmark, heritage site, building) are 0, so they only win when an
item has nothing better. `rswk_class` None means the class maps to none of the 16 (curation calls
it `Other` and counts it). `marine` marks classes whose items may lie at sea (reefs, marine
reserves, archipelagos).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

CLASS_TABLE_VERSION: Final = "1"

RSWKClass = Literal[
    "Airport",
    "Amusement Park",
    "Beach",
    "Bridge",
    "Casino",
    "Church",
    "Government Building",
    "Historic Site",
    "Mansion",
    "Museum",
    "Park",
    "Stadium",
    "Theater",
    "Tower",
    "University",
    "Forest",
]
RSWK_CLASSES: Final[tuple[str, ...]] = RSWKClass.__args__  # type: ignore[attr-defined]
OTHER_CLASS: Final = "Other"


@dataclass(frozen=True)
class LandmarkClass:
    """One Wikidata class: its English label, RSWK class (None = Other), specificity, marine."""

    qid: str
    label: str
    rswk_class: str | None
    specificity: int
    marine: bool = False


def _rows(
    *rows: tuple[str, str, str | None, int] | tuple[str, str, str | None, int, bool],
) -> dict[str, LandmarkClass]:
    return {row[0]: LandmarkClass(*row) for row in rows}


# Places of worship of every faith are RSWK's "Church" (the paper's class for religious buildings).
CLASS_TABLE: Final[dict[str, LandmarkClass]] = _rows(
    # generic: only chosen when nothing more specific is known
    ("Q570116", "tourist attraction", None, 0),
    ("Q2319498", "landmark", None, 0),
    ("Q358", "heritage site", "Historic Site", 0),
    ("Q9259", "World Heritage Site", "Historic Site", 0),
    ("Q41176", "building", None, 0),
    ("Q811979", "architectural structure", None, 0),
    ("Q24398318", "religious building", "Church", 1),
    # Airport
    ("Q1248784", "airport", "Airport", 2),
    ("Q644371", "international airport", "Airport", 3),
    # Amusement Park
    ("Q194195", "amusement park", "Amusement Park", 2),
    ("Q2416723", "theme park", "Amusement Park", 3),
    # Beach
    ("Q40080", "beach", "Beach", 2),
    # Bridge
    ("Q12280", "bridge", "Bridge", 2),
    ("Q12570", "suspension bridge", "Bridge", 3),
    ("Q158438", "arch bridge", "Bridge", 3),
    # Casino
    ("Q133215", "casino", "Casino", 2),
    # Church (places of worship)
    ("Q16970", "church building", "Church", 2),
    ("Q2977", "cathedral", "Church", 3),
    ("Q163687", "basilica", "Church", 3),
    ("Q32815", "mosque", "Church", 2),
    ("Q44539", "temple", "Church", 2),
    ("Q44613", "monastery", "Church", 2),
    # Government Building
    ("Q16831714", "government building", "Government Building", 2),
    ("Q543654", "town hall", "Government Building", 3),
    ("Q1137809", "courthouse", "Government Building", 3),
    # Historic Site
    ("Q1081138", "historic site", "Historic Site", 1),
    ("Q839954", "archaeological site", "Historic Site", 2),
    ("Q23413", "castle", "Historic Site", 2),
    ("Q57821", "fortification", "Historic Site", 2),
    ("Q4989906", "monument", "Historic Site", 2),
    ("Q179700", "statue", "Historic Site", 2),
    ("Q109607", "ruins", "Historic Site", 2),
    # Mansion
    ("Q1802963", "mansion", "Mansion", 2),
    ("Q16560", "palace", "Mansion", 2),
    ("Q3950", "villa", "Mansion", 2),
    # Museum
    ("Q33506", "museum", "Museum", 2),
    ("Q207694", "art museum", "Museum", 3),
    # Park
    ("Q22698", "park", "Park", 2),
    ("Q22746", "urban park", "Park", 3),
    ("Q46169", "national park", "Park", 3),
    ("Q1107656", "garden", "Park", 2),
    ("Q167346", "botanical garden", "Park", 3),
    ("Q179049", "nature reserve", "Park", 2),
    # Stadium
    ("Q483110", "stadium", "Stadium", 2),
    ("Q641226", "arena", "Stadium", 2),
    # Theater
    ("Q24354", "theatre building", "Theater", 2),
    ("Q153562", "opera house", "Theater", 3),
    ("Q1060829", "concert hall", "Theater", 3),
    # Tower
    ("Q12518", "tower", "Tower", 2),
    ("Q11303", "skyscraper", "Tower", 3),
    ("Q1440300", "observation tower", "Tower", 3),
    ("Q11166728", "television tower", "Tower", 3),
    ("Q39715", "lighthouse", "Tower", 3),
    # University
    ("Q3918", "university", "University", 2),
    ("Q189004", "college", "University", 2),
    # Forest
    ("Q4421", "forest", "Forest", 2),
    # no RSWK class: kept, counted as Other
    ("Q174782", "square", None, 2),
    ("Q12323", "dam", None, 2),
    ("Q8502", "mountain", None, 2),
    ("Q23397", "lake", None, 2),
    ("Q35509", "cave", None, 2),
    # marine: may lie at sea within the configured distance of their country's coast
    ("Q11292", "coral reef", None, 2, True),
    ("Q33837", "archipelago", None, 2, True),
)


def most_specific(class_qids: Iterable[str]) -> LandmarkClass | None:
    """The best-known class among `class_qids`: highest specificity, ties to the earlier row.

    Unknown QIDs are ignored; None when none is in the table. The answer never depends on the
    order the classes come in (the query service gives them in no fixed order).
    """
    order = {qid: index for index, qid in enumerate(CLASS_TABLE)}
    known = [CLASS_TABLE[qid] for qid in set(class_qids) if qid in CLASS_TABLE]
    if not known:
        return None
    return max(known, key=lambda c: (c.specificity, -order[c.qid]))


def rswk_class_of(class_qids: Iterable[str]) -> str:
    """The RSWK class (one of `RSWK_CLASSES`, or `OTHER_CLASS`) of an item with these P31 values."""
    best = most_specific(class_qids)
    if best is None or best.rswk_class is None:
        return OTHER_CLASS
    return best.rswk_class


def is_marine(class_qids: Iterable[str]) -> bool:
    """Whether any of the item's classes may lie at sea (reef, archipelago...)."""
    return any(CLASS_TABLE[qid].marine for qid in class_qids if qid in CLASS_TABLE)
