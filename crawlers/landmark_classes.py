"""Wikidata classes (P31 values) that make an item a landmark worth listing.

A re-export of the one class table, `rswk.core.landmark_classes.CLASS_TABLE` (QID -> English
label), so discovery queries every class that maps to one of RSWK's 16 classes (and the generic
and `Other` classes beside them). A country file can add its own with `extra_classes`. Only direct
P31 is queried: a subclass path (`wdt:P31/wdt:P279*`) over classes this broad times out on the
Wikidata Query Service.
"""

from __future__ import annotations

from rswk.core.landmark_classes import CLASS_TABLE

LANDMARK_CLASSES: dict[str, str] = {qid: row.label for qid, row in CLASS_TABLE.items()}
