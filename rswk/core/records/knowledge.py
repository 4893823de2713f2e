"""The knowledge stage's output: the RSWK world-knowledge fields, each with its own provenance."""

from __future__ import annotations

from pydantic import Field

from rswk.core.records.base import Frozen, KeyedRecord, Provenance, Qid


class KnowledgeField(Frozen):
    """One text field: its value, the language it is written in, and where it came from."""

    value: str
    language: str
    provenance: Provenance


class MajorEvent(Frozen):
    """A dated event in a landmark's history, from Wikidata P793 or a dated sentence.

    `year` is signed (negative = BCE, no year 0). `qid` is the Wikidata event item when the
    event comes from P793; `description` is the whole article sentence about it, when one is.
    """

    event: str
    year: int | None = None
    description: str = ""
    provenance: Provenance
    qid: Qid | None = None
    language: str | None = Field(default=None, description="language of `event`")


class Person(Frozen):
    """A notable visitor: a human (Wikidata P31 = Q5) linked from the article or an event."""

    name: str
    qid: Qid
    language: str
    provenance: Provenance


class KnowledgeRecord(KeyedRecord):
    """The RSWK world-knowledge fields (the paper's keys, normalised to snake_case)."""

    name: KnowledgeField
    category: KnowledgeField
    city: KnowledgeField | None = None
    region: KnowledgeField | None = None
    country_name: KnowledgeField
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: KnowledgeField | None = None
    physical_area: KnowledgeField | None = None
    construction_period: KnowledgeField | None = None
    historical_background: KnowledgeField | None = None
    major_events: list[MajorEvent] = Field(default_factory=list)
    architectural_characteristics: KnowledgeField | None = None
    cultural_significance: KnowledgeField | None = None
    primary_function: KnowledgeField | None = None
    notable_visitors: list[Person] = Field(default_factory=list)
    details: KnowledgeField | None = None
    # The Wikidata class `category` names (the most specific of the item's P31 classes).
    category_qid: Qid | None = None
    # Structured facts (typed numbers with units in the name), from Wikidata claims.
    inception_year: int | None = None
    # The construction period as signed years (negative = BCE), from P571/P580/P582/P1619.
    construction_start_year: int | None = None
    construction_end_year: int | None = None
    height_m: float | None = Field(default=None, ge=0)
    area_m2: float | None = Field(default=None, ge=0)
    heritage_designations: list[str] = Field(default_factory=list)
    architects: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list, description="languages the text came in")
