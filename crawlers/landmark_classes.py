"""Wikidata classes (P31 values) that make an item a landmark worth listing.

A country file can add its own with `extra_classes`. Only direct P31 is queried: a subclass path
(`wdt:P31/wdt:P279*`) over classes this broad times out on the Wikidata Query Service.
"""

from __future__ import annotations

LANDMARK_CLASSES: dict[str, str] = {
    "Q570116": "tourist attraction",
    "Q2319498": "landmark",
    "Q358": "heritage site",
    "Q9259": "World Heritage Site",
    "Q4989906": "monument",
    "Q179700": "statue",
    "Q24398318": "religious building",
    "Q16970": "church building",
    "Q2977": "cathedral",
    "Q32815": "mosque",
    "Q44539": "temple",
    "Q44613": "monastery",
    "Q23413": "castle",
    "Q16560": "palace",
    "Q57821": "fortification",
    "Q839954": "archaeological site",
    "Q33506": "museum",
    "Q24354": "theatre building",
    "Q12280": "bridge",
    "Q12518": "tower",
    "Q11303": "skyscraper",
    "Q12323": "dam",
    "Q483110": "stadium",
    "Q1248784": "airport",
    "Q3918": "university",
    "Q174782": "square",
    "Q22698": "park",
    "Q1107656": "garden",
    "Q46169": "national park",
    "Q8502": "mountain",
    "Q23397": "lake",
    "Q35509": "cave",
}
