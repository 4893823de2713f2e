"""Assemble a KnowledgeRecord from one article, the landmark's Wikidata facts and upstream records.

Which source fills which field (docs/knowledge-fields.md has the full map):
- text fields come from the article's sections by heading (`article_fields`), in the article's
  language, credited to the page revision and section heading; the introduction, the visitors
  and events sections and any unmatched section go to `details`;
- primary_function comes from "has use" (P366) and "occupant" (P466), else function sections,
  never from the introduction;
- structured facts come from Wikidata claims, credited to the entity revision and property id;
  labels of referenced items are taken in the article's language, else English;
- category is the most specific of the item's classes (rswk.core.landmark_classes);
- region from the P131 chain, address from P6375 or an address-shaped line (`places`);
- notable visitors are people with Wikidata items (`people`); events are merged so each
  happening appears once (`events`);
- finally no sentence appears in two text fields (`dedupe`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from crawlers.knowledge import claims as wd
from crawlers.knowledge.article_fields import MappedArticle, SectionText, map_article
from crawlers.knowledge.dedupe import without_repeated_sentences
from crawlers.knowledge.events import (
    ClaimedEvent,
    TextPart,
    dated_sentences,
    merge_events,
    stems,
)
from crawlers.knowledge.people import display_name, notable_visitors
from crawlers.knowledge.period import construction_period
from crawlers.knowledge.places import address_line, region_of
from crawlers.knowledge.provenance import ArticleSource, EntitySource
from crawlers.knowledge.text import cap_length
from crawlers.knowledge.wikipedia_client import FetchedArticle
from rswk.core.landmark_classes import most_specific
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
    "primary_function",
)
# Sections whose text is kept, but in `details`: visitors prose is not a list of visitors, and
# events sections are told again as `major_events`.
DETAILS_SECTIONS: Final = ("details", "notable_visitors", "major_events")
# Sections scanned for dated sentences: history and events, and architecture, where real
# articles tell the construction ("Design and construction").
EVENT_SOURCE_FIELDS: Final = (
    "historical_background",
    "major_events",
    "architectural_characteristics",
)
FORMATTED_FIELDS: Final = frozenset({"construction_period", "physical_area"})
# Priority when one sentence would land in two fields: the earlier field keeps it.
TEXT_FIELD_ORDER: Final = (
    "address",
    "primary_function",
    "historical_background",
    "architectural_characteristics",
    "cultural_significance",
    "details",
)


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
    items: Mapping[str, wd.ItemFacts] = field(default_factory=dict)
    # Linked title (in the article's edition) -> its Wikidata item.
    link_items: Mapping[str, str] = field(default_factory=dict)

    def labels(self, qid: str) -> dict[str, str]:
        item = self.items.get(qid)
        return item.labels if item else {}


def pick_label(labels: dict[str, str], language: str) -> tuple[str, str] | None:
    """(label, its language): the wanted language, else English, else 'mul', else none."""
    for lang in (language, FIELD_LANGUAGE_EN, "mul"):
        if labels.get(lang):
            return labels[lang], lang
    return None


def _joined(parts: list[SectionText], source: ArticleSource) -> KnowledgeField | None:
    parts = [p for p in parts if p.text]
    if not parts:
        return None
    headings = list(dict.fromkeys(p.heading for p in parts))
    text = cap_length("\n\n".join(p.text for p in parts), MAX_FIELD_CHARS)
    return KnowledgeField(
        value=text, language=source.language, provenance=source.provenance(" / ".join(headings))
    )


def text_fields(mapped: MappedArticle, source: ArticleSource) -> dict[str, KnowledgeField]:
    """Section-derived fields; the intro and unmatched sections make `details`."""
    out: dict[str, KnowledgeField] = {}
    for name in SECTION_TEXT_FIELDS:
        if (value := _joined(mapped.parts(name), source)) is not None:
            out[name] = value
    intro = [SectionText(INTRO, mapped.intro)] if mapped.intro else []
    rest = [p for name in DETAILS_SECTIONS for p in mapped.parts(name)]
    location = mapped.parts("address")
    line = next((a for p in location if (a := address_line(p.text, source.language))), None)
    if line is not None:
        heading = next(p.heading for p in location if line in p.text)
        out["address"] = KnowledgeField(
            value=line, language=source.language, provenance=source.provenance(heading)
        )
    # Location prose stays readable in `details`; only an address line is an address.
    details = _joined(intro + rest + location, source)
    if details is not None:
        out["details"] = details
    return out


def _labelled(qids: tuple[str, ...], inputs: RecordInputs, language: str) -> list[tuple[str, str]]:
    found = (pick_label(inputs.labels(qid), language) for qid in qids)
    return [pair for pair in found if pair is not None]


def _claim_field(value: str, language: str, source: EntitySource, prop: str) -> KnowledgeField:
    return KnowledgeField(value=value, language=language, provenance=source.provenance(prop))


def _function_field(
    inputs: RecordInputs, language: str, source: EntitySource
) -> KnowledgeField | None:
    """'museum, art gallery' from P366; occupants (P466) after them."""
    facts = inputs.facts
    if facts is None:
        return None
    uses = _labelled(facts.uses, inputs, language)
    occupants = _labelled(facts.occupants, inputs, language)
    if not uses and not occupants:
        return None
    labels = [label for label, _ in uses + occupants]
    props = "/".join(p for p, found in ((wd.HAS_USE, uses), (wd.OCCUPANT, occupants)) if found)
    lang = (uses or occupants)[0][1]
    return _claim_field(", ".join(dict.fromkeys(labels)), lang, source, props)


def claim_fields(inputs: RecordInputs, language: str) -> dict[str, KnowledgeField]:
    """KnowledgeFields from claims: period, area, address, city, region, function, style."""
    facts, source = inputs.facts, inputs.entity_source
    if facts is None:
        return {}
    out: dict[str, KnowledgeField] = {}
    if (period := construction_period(facts)) is not None:
        out["construction_period"] = _claim_field(
            period.text, FIELD_LANGUAGE_EN, source, "/".join(period.properties)
        )
    if facts.area is not None:
        area = wd.format_quantity(facts.area)
        out["physical_area"] = _claim_field(area, FIELD_LANGUAGE_EN, source, wd.AREA)
    if facts.address is not None:
        text, lang = facts.address
        out["address"] = _claim_field(text, lang, source, wd.ADDRESS)
    if places := _labelled(facts.located_in, inputs, language):
        out["city"] = _claim_field(places[0][0], places[0][1], source, wd.LOCATED_IN)
    region = region_of(facts.located_in, facts.countries, inputs.items)
    if region is not None and (label := pick_label(region.labels, language)):
        out["region"] = _claim_field(label[0], label[1], source, f"{wd.LOCATED_IN} ({region.qid})")
    if (function := _function_field(inputs, language, source)) is not None:
        out["primary_function"] = function
    if styles := _labelled(facts.styles, inputs, language):
        value = ", ".join(label for label, _ in styles)
        out["architectural_characteristics"] = _claim_field(value, styles[0][1], source, wd.STYLE)
    return out


def structured_values(inputs: RecordInputs, language: str) -> dict[str, object]:
    """Typed facts: inception year, period bounds, height and area in SI units, names."""
    facts = inputs.facts
    if facts is None:
        return {}
    inception = facts.inception
    period = construction_period(facts)
    return {
        "inception_year": inception.year
        if inception and inception.precision >= wd.YEAR_PRECISION
        else None,
        "construction_start_year": period.start_year if period else None,
        "construction_end_year": period.end_year if period else None,
        "height_m": facts.height.si_value if facts.height else None,
        "area_m2": facts.area.si_value if facts.area else None,
        "heritage_designations": [
            label for label, _ in _labelled(facts.heritage, inputs, language)
        ],
        "architects": [label for label, _ in _labelled(facts.architects, inputs, language)],
    }


def major_events(inputs: RecordInputs, mapped: MappedArticle) -> list[MajorEvent]:
    """P793 events (labels in the article's language) merged with dated sentences."""
    language, source = inputs.article.language, inputs.article_source
    claimed = []
    seen: set[tuple[str, int | None]] = set()
    for claim in inputs.facts.events if inputs.facts else ():
        # The same item in the same year twice is one statement too many, not two happenings.
        if (claim.qid, claim.year) in seen:
            continue
        seen.add((claim.qid, claim.year))
        labels = inputs.labels(claim.qid)
        label = pick_label(labels, language)
        if label is None:
            continue
        event = MajorEvent(
            event=label[0],
            year=claim.year,
            qid=claim.qid,
            language=label[1],
            provenance=inputs.entity_source.provenance(wd.SIGNIFICANT_EVENT),
        )
        # The titles the article links the event's item by are names of it too ("year + linked
        # item"): "Exposition Universelle (1889)" tells "Exposition Universelle of 1889".
        linked = [display_name(t) for t, q in inputs.link_items.items() if q == claim.qid]
        claimed.append(ClaimedEvent(event, (*labels.values(), *linked)))
    parts = [TextPart(mapped.intro, source.provenance(INTRO))] if mapped.intro else []
    for name in EVENT_SOURCE_FIELDS:
        parts += [TextPart(p.text, source.provenance(p.heading)) for p in mapped.parts(name)]
    name_stems = stems(f"{inputs.article.title} {inputs.located.label}")
    return merge_events(claimed, dated_sentences(parts, language), name_stems)


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


def category_field(inputs: RecordInputs) -> tuple[KnowledgeField, str | None]:
    """The most specific known class (P31) in English, and its QID.

    The order Wikidata or the query service lists classes in does not matter. An item with no
    class in the table is named by the label of its first class that has one.
    """
    classes = list(inputs.facts.classes if inputs.facts else ())
    discovered = inputs.discovered.classes if inputs.discovered else ()
    classes += [c for c in discovered if c not in classes]
    provenance = inputs.entity_source.provenance(wd.INSTANCE_OF)
    best = most_specific(classes)
    if best is not None:
        value = KnowledgeField(value=best.label, language=FIELD_LANGUAGE_EN, provenance=provenance)
        return value, best.qid
    for qid in classes:
        if label := pick_label(inputs.labels(qid), FIELD_LANGUAGE_EN):
            value = KnowledgeField(value=label[0], language=label[1], provenance=provenance)
            return value, qid
    return KnowledgeField(value="landmark", language=FIELD_LANGUAGE_EN, provenance=provenance), None


def build_record(inputs: RecordInputs) -> KnowledgeRecord:
    """The knowledge record of one landmark (the article is known to be long enough)."""
    language = inputs.article.language
    mapped = map_article(inputs.article)
    from_text = text_fields(mapped, inputs.article_source)
    from_claims = claim_fields(inputs, language)
    # The text wins for architecture (a section says more than a style label); claims win for
    # the address (P6375 is an address) and the function (P366 says what it is for).
    fields: dict[str, KnowledgeField] = {**from_claims, **from_text}
    for key in ("address", "primary_function"):
        if key in from_claims:
            fields[key] = from_claims[key]
    fields = without_repeated_sentences(fields, TEXT_FIELD_ORDER)
    country = KnowledgeField(
        value=inputs.country_name,
        language=FIELD_LANGUAGE_EN,
        provenance=inputs.entity_source.provenance("P17"),
    )
    located = inputs.located
    record_name = name_field(inputs, language)
    category, category_qid = category_field(inputs)
    visitors = notable_visitors(
        mapped,
        inputs.article.links,
        inputs.link_items,
        inputs.items,
        inputs.facts,
        inputs.article_source,
        inputs.entity_source,
    )
    record_fields: dict[str, object] = {
        **fields,
        **structured_values(inputs, language),
        "name": record_name,
        "category": category,
        "category_qid": category_qid,
        "country_name": country,
        "major_events": major_events(inputs, mapped),
        "notable_visitors": visitors,
    }
    # Values we format ourselves ("1889", "7.5 ha") are not text in a language.
    text_languages = [f.language for k, f in fields.items() if k not in FORMATTED_FIELDS]
    return KnowledgeRecord(
        qid=located.qid,
        country=located.country,
        lat=located.lat,
        lon=located.lon,
        languages=list(dict.fromkeys([language, record_name.language, *text_languages])),
        **record_fields,
    )
