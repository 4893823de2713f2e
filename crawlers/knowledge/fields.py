"""Assemble a KnowledgeRecord from one article, the landmark's Wikidata facts and upstream records.

Which source fills which field (docs/knowledge-fields.md has the full map):
- text fields come from the article's sections by heading (`article_fields`), in the article's
  language, credited to the page revision and section heading;
- the introduction goes to `details`, and its first sentence to `primary_function` when no
  section is about function;
- structured facts come from Wikidata claims, credited to the entity revision and property id;
  labels of referenced items are taken in the article's language, else English;
- name is the entity label in the article's language (else the discover label, else the title);
  category is the first landmark class's English label; country_name the country file's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from crawlers.knowledge import claims as wd
from crawlers.knowledge.article_fields import MappedArticle, SectionText, map_article
from crawlers.knowledge.events import TextPart, dated_sentences, merge_events
from crawlers.knowledge.provenance import ArticleSource, EntitySource
from crawlers.knowledge.text import cap_length, first_sentence
from crawlers.knowledge.wikipedia_client import FetchedArticle
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.records import (
    DiscoveredLandmark,
    KnowledgeField,
    KnowledgeRecord,
    LocatedLandmark,
    MajorEvent,
)

MAX_FIELD_CHARS: Final = 6000  # a field is a paragraph or a few, never a whole long article
INTRO: Final = "introduction"
FIELD_LANGUAGE_EN: Final = "en"  # values we format ourselves ("12th century", "7.5 ha")
SECTION_TEXT_FIELDS: Final = (
    "historical_background",
    "architectural_characteristics",
    "cultural_significance",
    "notable_visitors",
    "primary_function",
)
EVENT_SOURCE_FIELDS: Final = ("historical_background", "major_events")
FORMATTED_FIELDS: Final = frozenset({"construction_period", "physical_area"})


@dataclass(frozen=True)
class RecordInputs:
    """Everything one record is built from."""

    located: LocatedLandmark
    discovered: DiscoveredLandmark | None
    country_name: str
    article: FetchedArticle
    article_source: ArticleSource
    entity_source: EntitySource
    facts: wd.EntityFacts | None
    ref_labels: dict[str, dict[str, str]] = field(default_factory=dict)


def pick_label(labels: dict[str, str], language: str) -> tuple[str, str] | None:
    """(label, its language): the wanted language, else English, else 'mul', else none."""
    for lang in (language, FIELD_LANGUAGE_EN, "mul"):
        if labels.get(lang):
            return labels[lang], lang
    return None


def _joined(parts: list[SectionText], source: ArticleSource) -> KnowledgeField | None:
    if not parts:
        return None
    headings = list(dict.fromkeys(p.heading for p in parts))
    text = cap_length("\n\n".join(p.text for p in parts), MAX_FIELD_CHARS)
    return KnowledgeField(
        value=text, language=source.language, provenance=source.provenance(" / ".join(headings))
    )


def text_fields(mapped: MappedArticle, source: ArticleSource) -> dict[str, KnowledgeField]:
    """Section-derived fields, plus the intro's share (details, primary_function fallback)."""
    out: dict[str, KnowledgeField] = {}
    for name in SECTION_TEXT_FIELDS:
        if (value := _joined(mapped.parts(name), source)) is not None:
            out[name] = value
    intro = [SectionText(INTRO, mapped.intro)] if mapped.intro else []
    details = _joined(intro + mapped.parts("details") + mapped.parts("major_events"), source)
    if details is not None:
        out["details"] = details
    if "primary_function" not in out and (sentence := first_sentence(mapped.intro)):
        out["primary_function"] = KnowledgeField(
            value=sentence,
            language=source.language,
            provenance=source.provenance(f"{INTRO} (first sentence)"),
        )
    if (address := _joined(mapped.parts("address"), source)) is not None:
        out["address"] = address
    return out


def _labelled(
    qids: tuple[str, ...], labels: dict[str, dict[str, str]], language: str
) -> list[tuple[str, str]]:
    found = (pick_label(labels.get(qid, {}), language) for qid in qids)
    return [pair for pair in found if pair is not None]


def _claim_field(value: str, language: str, source: EntitySource, prop: str) -> KnowledgeField:
    return KnowledgeField(value=value, language=language, provenance=source.provenance(prop))


def claim_fields(inputs: RecordInputs, language: str) -> dict[str, KnowledgeField]:
    """KnowledgeFields from claims: construction period, area, address, city, style."""
    facts, source, labels = inputs.facts, inputs.entity_source, inputs.ref_labels
    if facts is None:
        return {}
    out: dict[str, KnowledgeField] = {}
    if facts.inception is not None:
        period = wd.format_period(facts.inception)
        out["construction_period"] = _claim_field(period, FIELD_LANGUAGE_EN, source, wd.INCEPTION)
    if facts.area is not None:
        area = wd.format_quantity(facts.area)
        out["physical_area"] = _claim_field(area, FIELD_LANGUAGE_EN, source, wd.AREA)
    if facts.address is not None:
        text, lang = facts.address
        out["address"] = _claim_field(text, lang, source, wd.ADDRESS)
    if places := _labelled(facts.located_in, labels, language):
        out["city"] = _claim_field(places[0][0], places[0][1], source, wd.LOCATED_IN)
    if styles := _labelled(facts.styles, labels, language):
        value = ", ".join(label for label, _ in styles)
        out["architectural_characteristics"] = _claim_field(value, styles[0][1], source, wd.STYLE)
    return out


def structured_values(inputs: RecordInputs, language: str) -> dict[str, object]:
    """Typed facts: inception year, height and area in SI units, heritage, architects."""
    facts = inputs.facts
    if facts is None:
        return {}
    inception = facts.inception
    return {
        "inception_year": inception.year
        if inception and inception.precision >= wd.YEAR_PRECISION
        else None,
        "height_m": facts.height.si_value if facts.height else None,
        "area_m2": facts.area.si_value if facts.area else None,
        "heritage_designations": [
            label for label, _ in _labelled(facts.heritage, inputs.ref_labels, language)
        ],
        "architects": [
            label for label, _ in _labelled(facts.architects, inputs.ref_labels, language)
        ],
    }


def major_events(inputs: RecordInputs, mapped: MappedArticle) -> list[MajorEvent]:
    """P793 events (labels in the article's language) merged with dated sentences."""
    language, source = inputs.article.language, inputs.article_source
    claimed = []
    for claim in inputs.facts.events if inputs.facts else ():
        label = pick_label(inputs.ref_labels.get(claim.qid, {}), language)
        if label is not None:
            provenance = inputs.entity_source.provenance(wd.SIGNIFICANT_EVENT)
            claimed.append(MajorEvent(event=label[0], year=claim.year, provenance=provenance))
    parts = [TextPart(mapped.intro, source.provenance(INTRO))] if mapped.intro else []
    for name in EVENT_SOURCE_FIELDS:
        parts += [TextPart(p.text, source.provenance(p.heading)) for p in mapped.parts(name)]
    return merge_events(claimed, dated_sentences(parts, language))


def name_field(inputs: RecordInputs, language: str) -> KnowledgeField:
    """The landmark's name in the article's language: entity label, discover label, or title."""
    entity = inputs.facts.labels if inputs.facts else {}
    if entity.get(language):
        provenance = inputs.entity_source.provenance(f"label:{language}")
        return KnowledgeField(value=entity[language], language=language, provenance=provenance)
    discovered = inputs.discovered.labels if inputs.discovered else {}
    if discovered.get(language) and inputs.discovered is not None:
        provenance = inputs.discovered.provenance
        return KnowledgeField(value=discovered[language], language=language, provenance=provenance)
    return KnowledgeField(
        value=inputs.article.title,
        language=language,
        provenance=inputs.article_source.provenance("title"),
    )


def category_field(inputs: RecordInputs, language: str) -> KnowledgeField:
    """The first landmark class (P31) by RSWK's class list, in English; else its own label."""
    classes = list(inputs.discovered.classes if inputs.discovered else ())
    classes += [c for c in (inputs.facts.classes if inputs.facts else ()) if c not in classes]
    provenance = inputs.entity_source.provenance(wd.INSTANCE_OF)
    for qid in classes:
        if qid in LANDMARK_CLASSES:
            return KnowledgeField(
                value=LANDMARK_CLASSES[qid], language=FIELD_LANGUAGE_EN, provenance=provenance
            )
    for qid in classes:
        if label := pick_label(inputs.ref_labels.get(qid, {}), FIELD_LANGUAGE_EN):
            return KnowledgeField(value=label[0], language=label[1], provenance=provenance)
    return KnowledgeField(value="landmark", language=FIELD_LANGUAGE_EN, provenance=provenance)


def build_record(inputs: RecordInputs) -> KnowledgeRecord:
    """The knowledge record of one landmark (the article is known to be long enough)."""
    language = inputs.article.language
    mapped = map_article(inputs.article)
    from_text = text_fields(mapped, inputs.article_source)
    from_claims = claim_fields(inputs, language)
    # Claims win for the address (P6375 is an address; a "Location" section is prose), the text
    # wins for architecture (a section says more than a style label).
    fields: dict[str, KnowledgeField] = {**from_claims, **from_text}
    if "address" in from_claims:
        fields["address"] = from_claims["address"]
    country = KnowledgeField(
        value=inputs.country_name,
        language=FIELD_LANGUAGE_EN,
        provenance=inputs.entity_source.provenance("P17"),
    )
    located = inputs.located
    name = name_field(inputs, language)
    record_fields: dict[str, object] = {
        **fields,
        **structured_values(inputs, language),
        "name": name,
        "category": category_field(inputs, language),
        "country_name": country,
        "major_events": major_events(inputs, mapped),
    }
    # Values we format ourselves ("1889", "7.5 ha") are not text in a language.
    text_languages = [f.language for k, f in fields.items() if k not in FORMATTED_FIELDS]
    return KnowledgeRecord(
        qid=located.qid,
        country=located.country,
        lat=located.lat,
        lon=located.lon,
        languages=list(dict.fromkeys([language, name.language, *text_languages])),
        **record_fields,
    )
