"""The sample world's own vocabulary of Wikidata classes, and the true class of each landmark.

The world models Wikidata, so its classes are real Wikidata items (P31 values) with their real
QIDs. Each has the RSWK class it belongs to (one of the 16 of the paper, or `Other`), a
specificity (the most specific of a landmark's classes names it) and the landscape *setting* a
landmark of that class stands in (a beach has water and sand, a forest tree cover...), which the
ground truth (`truth.py`) starts from.

This table is the world's, not the product's: the product has its own class table and must
arrive at the same class by its own reading of the same claims. Keep the QIDs real.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

Setting = Literal[
    "urban", "coast", "forest", "park", "mountain", "desert", "airfield", "campus", "arena",
    "river", "rural",
]  # fmt: skip

RSWK_CLASSES: Final[tuple[str, ...]] = (
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
)
OTHER: Final = "Other"


@dataclass(frozen=True)
class WorldClass:
    """One Wikidata class the world uses: label, RSWK class (or Other), specificity, setting."""

    qid: str
    label: str
    rswk_class: str
    specificity: int
    setting: Setting


def _table(*rows: tuple[str, str, str, int, Setting]) -> dict[str, WorldClass]:
    return {row[0]: WorldClass(*row) for row in rows}


# Real Wikidata QIDs. Generic classes have specificity 0: they name a landmark only when it has
# nothing better. The setting of a generic class is "urban" (most tourist attractions are in
# towns); a landmark's own classes usually say more.
WORLD_CLASSES: Final[dict[str, WorldClass]] = _table(
    ("Q570116", "tourist attraction", OTHER, 0, "urban"),
    ("Q2319498", "landmark", OTHER, 0, "urban"),
    ("Q9259", "World Heritage Site", "Historic Site", 0, "rural"),
    ("Q358", "heritage site", "Historic Site", 0, "urban"),
    ("Q24398318", "religious building", "Church", 1, "urban"),
    ("Q1248784", "airport", "Airport", 2, "airfield"),
    ("Q644371", "international airport", "Airport", 3, "airfield"),
    ("Q194195", "amusement park", "Amusement Park", 2, "park"),
    ("Q2416723", "theme park", "Amusement Park", 3, "park"),
    ("Q40080", "beach", "Beach", 2, "coast"),
    ("Q12280", "bridge", "Bridge", 2, "river"),
    ("Q12570", "suspension bridge", "Bridge", 3, "river"),
    ("Q133215", "casino", "Casino", 2, "urban"),
    ("Q16970", "church building", "Church", 2, "urban"),
    ("Q2977", "cathedral", "Church", 3, "urban"),
    ("Q163687", "basilica", "Church", 3, "urban"),
    ("Q32815", "mosque", "Church", 2, "urban"),
    ("Q44539", "temple", "Church", 2, "urban"),
    ("Q845945", "Shinto shrine", "Church", 3, "urban"),
    ("Q16831714", "government building", "Government Building", 2, "urban"),
    ("Q543654", "town hall", "Government Building", 3, "urban"),
    ("Q839954", "archaeological site", "Historic Site", 2, "rural"),
    ("Q23413", "castle", "Historic Site", 2, "rural"),
    ("Q57821", "fortification", "Historic Site", 2, "rural"),
    ("Q4989906", "monument", "Historic Site", 2, "urban"),
    ("Q179700", "statue", "Historic Site", 2, "urban"),
    ("Q1802963", "mansion", "Mansion", 2, "park"),
    ("Q16560", "palace", "Mansion", 2, "urban"),
    ("Q33506", "museum", "Museum", 2, "urban"),
    ("Q207694", "art museum", "Museum", 3, "urban"),
    ("Q22698", "park", "Park", 2, "park"),
    ("Q46169", "national park", "Park", 3, "forest"),
    ("Q1107656", "garden", "Park", 2, "park"),
    ("Q483110", "stadium", "Stadium", 2, "arena"),
    ("Q24354", "theatre building", "Theater", 2, "urban"),
    ("Q153562", "opera house", "Theater", 3, "urban"),
    ("Q12518", "tower", "Tower", 2, "urban"),
    ("Q11303", "skyscraper", "Tower", 3, "urban"),
    ("Q39715", "lighthouse", "Tower", 3, "coast"),
    ("Q3918", "university", "University", 2, "campus"),
    ("Q4421", "forest", "Forest", 2, "forest"),
    ("Q8502", "mountain", OTHER, 2, "mountain"),
    ("Q23397", "lake", OTHER, 2, "river"),
    ("Q12323", "dam", OTHER, 2, "river"),
    ("Q34038", "waterfall", OTHER, 2, "river"),
)

# The class a generated landmark of each RSWK class is given (the plain, well-known one).
GENERATED_CLASS_OF: Final[dict[str, str]] = {
    "Airport": "Q1248784",
    "Amusement Park": "Q194195",
    "Beach": "Q40080",
    "Bridge": "Q12280",
    "Casino": "Q133215",
    "Church": "Q16970",
    "Government Building": "Q16831714",
    "Historic Site": "Q839954",
    "Mansion": "Q1802963",
    "Museum": "Q33506",
    "Park": "Q22698",
    "Stadium": "Q483110",
    "Theater": "Q24354",
    "Tower": "Q12518",
    "University": "Q3918",
    "Forest": "Q4421",
}
GENERIC_CLASSES: Final[tuple[str, ...]] = ("Q570116", "Q2319498")


def class_labels() -> dict[str, str]:
    """Class QID -> English label, for the SPARQL and Wikidata answers."""
    return {qid: c.label for qid, c in WORLD_CLASSES.items()}


_ROW = {qid: i for i, qid in enumerate(WORLD_CLASSES)}


def most_specific(class_qids: Iterable[str]) -> WorldClass | None:
    """The most specific known class (ties: the earlier row), whatever order they come in."""
    order = _ROW
    known = [WORLD_CLASSES[q] for q in set(class_qids) if q in WORLD_CLASSES]
    if not known:
        return None
    return max(known, key=lambda c: (c.specificity, -order[c.qid]))


def true_class(class_qids: Iterable[str]) -> str:
    """The RSWK class of a landmark with these P31 values (`Other` when none fits)."""
    best = most_specific(class_qids)
    return OTHER if best is None else best.rswk_class


def setting_of(class_qids: Iterable[str]) -> Setting:
    """The landscape setting of a landmark with these P31 values (urban when none is known)."""
    best = most_specific(class_qids)
    return "urban" if best is None else best.setting
