"""Text normalisation of the curated fields: NFC, wiki leftovers out, whitespace, no empty strings.

The knowledge stage reads plain-text extracts, but templates, links, `<ref>` tags, bold/italic
quotes and reference marks ("[12]", "[citation needed]") still slip through from some editions
and from imported records. Empty fields become None (never ""), so "missing" has one spelling.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from rswk.core.records import KnowledgeField, KnowledgeRecord, MajorEvent

_REF_TAGS = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", re.IGNORECASE | re.DOTALL)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_FILE_LINK = re.compile(r"\[\[(?:File|Image|Category):[^\[\]]*\]\]", re.IGNORECASE)
_WIKI_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_EXTERNAL_LINK = re.compile(r"\[(?:https?:)?//[^\s\]]+(?:\s+([^\]]*))?\]")
_EMPHASIS = re.compile(r"'{2,5}")
_REFERENCE_MARK = re.compile(
    r"\[(?:\d{1,3}|[a-z]|note \d+|nb \d+|citation needed|clarification needed|"
    r"according to whom\?|who\?|when\?|dubious[^\]]*|verification needed)\]",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

KNOWLEDGE_TEXT_FIELDS = (
    "city",
    "region",
    "address",
    "physical_area",
    "construction_period",
    "historical_background",
    "architectural_characteristics",
    "cultural_significance",
    "primary_function",
    "notable_visitors",
    "details",
)
REQUIRED_TEXT_FIELDS = ("name", "category", "country_name")


def normalise_text(text: str | None) -> str | None:
    """`text` in NFC without wiki markup or reference marks, whitespace tidied; None when empty."""
    if text is None:
        return None
    value = unicodedata.normalize("NFC", html.unescape(text))
    value = _REF_TAGS.sub("", value)
    while _TEMPLATE.search(value):  # nested templates come off from the inside out
        value = _TEMPLATE.sub("", value)
    value = _FILE_LINK.sub("", value)
    value = _WIKI_LINK.sub(r"\1", value)
    value = _EXTERNAL_LINK.sub(lambda m: m.group(1) or "", value)
    value = _EMPHASIS.sub("", value)
    value = _REFERENCE_MARK.sub("", value)
    value = _HTML_TAG.sub("", value)
    value = _SPACES.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = "\n".join(line.strip() for line in value.split("\n"))
    value = _BLANK_LINES.sub("\n\n", value).strip()
    # A space left before punctuation where a reference mark or template was removed.
    value = re.sub(r" +([,.;:!?])", r"\1", value)
    return value or None


def _field(field: KnowledgeField | None) -> KnowledgeField | None:
    if field is None:
        return None
    value = normalise_text(field.value)
    return None if value is None else field.model_copy(update={"value": value})


def normalise_knowledge(record: KnowledgeRecord) -> KnowledgeRecord:
    """The record with every text normalised; optional fields left empty become None."""
    update: dict[str, Any] = {name: _field(getattr(record, name)) for name in KNOWLEDGE_TEXT_FIELDS}
    for name in REQUIRED_TEXT_FIELDS:
        field: KnowledgeField = getattr(record, name)
        update[name] = _field(field) or field  # required: an unusable value is kept as it was
    update["major_events"] = [_event(e) for e in record.major_events if normalise_text(e.event)]
    for name in ("heritage_designations", "architects", "languages"):
        update[name] = [v for v in (normalise_text(x) for x in getattr(record, name)) if v]
    return record.model_copy(update=update)


def _event(event: MajorEvent) -> MajorEvent:
    return event.model_copy(
        update={
            "event": normalise_text(event.event) or event.event,
            "description": normalise_text(event.description) or "",
        }
    )
