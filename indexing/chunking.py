"""Knowledge chunks of a curated landmark, cut to the encoder's context on sentence boundaries.

Each RS-RAG chunk kind gathers text segments (a Wikipedia section, a Wikidata fact written as a
sentence, the remote-sensing attributes written as sentences with units), each with its
provenance. The kind's text is cut into sentences, and sentences are packed greedily into pieces
of at most `max_tokens` tokens; a sentence longer than that is cut at word boundaries (at
characters for scripts without spaces). A kind's pieces, joined again, give back its whole text
(whitespace normalised): nothing is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.base import Provenance
from rswk.core.records.chunk import CHUNK_KINDS, Chunk, ChunkKind
from rswk.core.records.knowledge import KnowledgeField, KnowledgeRecord
from rswk.core.records.landmark import CuratedLandmark

TokenCounter = Callable[[str], int]

# A sentence ends at . ! ? (Latin), 。！？ (CJK, no space follows) or ؟ (Arabic).
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|(?<=[。！？])\s*")
_SPACE = re.compile(r"\s+")
_CJK_ENDS = frozenset("。！？")


@dataclass(frozen=True)
class Segment:
    """A run of text that came from one source."""

    text: str
    language: str
    provenance: Provenance | None


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces: the form chunk texts are compared in."""
    return _SPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[tuple[str, str]]:
    """The sentences of `text` in order, each with the separator that goes before it.

    The separator is a space, or nothing after a CJK full stop (those scripts put no space
    between sentences); joining separators and sentences gives `normalise(text)` back.
    """
    sentences: list[tuple[str, str]] = []
    for part in _SENTENCE_END.split(text):
        sentence = normalise(part)
        if not sentence:
            continue
        glue = "" if not sentences or sentences[-1][0][-1] in _CJK_ENDS else " "
        sentences.append((sentence, glue))
    return sentences


def split_long(sentence: str, count: TokenCounter, max_tokens: int) -> list[tuple[str, str]]:
    """Cut one over-long sentence at spaces (or characters, for unspaced scripts) to fit.

    Returns (piece, separator before it) pairs, the first separator empty.
    """
    words = sentence.split(" ")
    if len(words) == 1:
        return _pack_units([(c, "") for c in sentence], count, max_tokens)
    units: list[tuple[str, str]] = []
    for word in words:
        if count(word) > max_tokens:
            parts = split_long(word, count, max_tokens)
            units.append((parts[0][0], " "))
            units.extend(parts[1:])
        else:
            units.append((word, " "))
    return _pack_units(units, count, max_tokens)


def _pack_units(
    units: Sequence[tuple[str, str]], count: TokenCounter, max_tokens: int
) -> list[tuple[str, str]]:
    """Greedily join (text, separator) units into strings of at most `max_tokens` tokens."""
    packed: list[tuple[str, str]] = []
    current, glue = "", ""
    for unit, sep in units:
        candidate = f"{current}{sep}{unit}" if current else unit
        if current and count(candidate) > max_tokens:
            packed.append((current, glue))
            current, glue = unit, sep
        else:
            current = candidate
    if current:
        packed.append((current, glue))
    return [(text, "" if i == 0 else sep) for i, (text, sep) in enumerate(packed)]


def pack_sentences(
    segments: Sequence[Segment], count: TokenCounter, max_tokens: int
) -> list[tuple[str, list[int]]]:
    """Pieces of at most `max_tokens` tokens, each with the indexes of the segments in it.

    CLIP's tokenizer never makes a token across a space, so the tokens of sentences joined by a
    space add up and each sentence is counted once; a join without a space is counted whole.
    """
    units: list[tuple[str, str, int, int]] = []
    for index, segment in enumerate(segments):
        for number, (sentence, glue) in enumerate(split_sentences(segment.text)):
            sep = " " if number == 0 else glue
            tokens = count(sentence)
            if tokens <= max_tokens:
                units.append((sentence, sep, tokens, index))
                continue
            for part_number, (part, part_sep) in enumerate(split_long(sentence, count, max_tokens)):
                units.append((part, sep if part_number == 0 else part_sep, count(part), index))
    pieces: list[tuple[str, list[int]]] = []
    text, total = "", 0
    sources: list[int] = []
    for sentence, sep, tokens, index in units:
        candidate = f"{text}{sep}{sentence}" if text else sentence
        joined = total + tokens if sep else count(candidate)
        if text and joined > max_tokens:
            pieces.append((text, sources))
            text, total, sources = sentence, tokens, [index]
            continue
        text, total = candidate, joined
        if index not in sources:
            sources.append(index)
    if text:
        pieces.append((text, sources))
    return pieces


def chunk_landmark(landmark: CuratedLandmark, count: TokenCounter, max_tokens: int) -> list[Chunk]:
    """Every chunk of `landmark`, kinds in RS-RAG order, numbered from 0 within each kind."""
    chunks: list[Chunk] = []
    for kind, segments in landmark_segments(landmark).items():
        for number, (text, sources) in enumerate(pack_sentences(segments, count, max_tokens)):
            provenance = _unique(segments[i].provenance for i in sources)
            chunks.append(
                Chunk(
                    qid=landmark.qid,
                    country=landmark.country,
                    kind=kind,
                    number=number,
                    text=text,
                    language=segments[sources[0]].language,
                    name=landmark.name,
                    rswk_class=landmark.rswk_class,
                    provenance=provenance,
                )
            )
    return chunks


def _unique(items: Iterable[Provenance | None]) -> list[Provenance]:
    seen: list[Provenance] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen


def landmark_segments(landmark: CuratedLandmark) -> dict[ChunkKind, list[Segment]]:
    """The text segments of each chunk kind (kinds without text are left out)."""
    knowledge, attributes = landmark.knowledge, landmark.attributes
    entity = landmark.location.provenance
    kinds: dict[ChunkKind, list[Segment]] = {
        "basic_info_and_history": _basic(landmark, knowledge, entity),
        "architecture_and_function": _architecture(knowledge, entity),
        "culture_and_visitor": _culture(knowledge, entity),
        "expert_knowledge": _expert(attributes),
        "monthly_expert_knowledge": _monthly(attributes),
        "image_description": _image_description(attributes),
        "caption": _caption(landmark),
    }
    seen: set[str] = set()
    result: dict[ChunkKind, list[Segment]] = {}
    for kind in CHUNK_KINDS:
        # One text in two fields (the introduction's first sentence is also the primary
        # function) is embedded once, under the first kind that has it.
        kept = [s for s in kinds[kind] if normalise(s.text) and normalise(s.text) not in seen]
        seen.update(normalise(s.text) for s in kept)
        if kept:
            result[kind] = kept
    return result


def _field(value: KnowledgeField | None, template: str = "{}") -> list[Segment]:
    if value is None or not value.value.strip():
        return []
    return [Segment(template.format(value.value.strip()), value.language, value.provenance)]


def _fact(text: str, provenance: Provenance) -> list[Segment]:
    return [Segment(text, "en", provenance)]


def _basic(
    landmark: CuratedLandmark, knowledge: KnowledgeRecord | None, entity: Provenance
) -> list[Segment]:
    where = ", ".join(
        part
        for part in (
            knowledge.city.value if knowledge and knowledge.city else None,
            knowledge.region.value if knowledge and knowledge.region else None,
            knowledge.country_name.value if knowledge else None,
        )
        if part
    )
    kind = landmark.fine_class or (knowledge.category.value if knowledge else landmark.rswk_class)
    intro = f"{landmark.name} is a {kind} ({landmark.rswk_class})"
    segments = _fact(f"{intro} in {where}." if where else f"{intro}.", entity)
    if knowledge is None:
        return segments
    segments += _field(knowledge.address, "Address: {}.")
    segments += _field(knowledge.construction_period, "Construction period: {}.")
    if knowledge.inception_year is not None:
        segments += _fact(f"Inception: {knowledge.inception_year}.", entity)
    segments += _field(knowledge.details)
    segments += _field(knowledge.historical_background)
    history = knowledge.historical_background.value if knowledge.historical_background else ""
    for event in knowledge.major_events:
        text = event.description or event.event
        if text and text not in history:
            segments.append(Segment(text, "en", event.provenance))
    return segments


def _architecture(knowledge: KnowledgeRecord | None, entity: Provenance) -> list[Segment]:
    if knowledge is None:
        return []
    segments = _field(knowledge.architectural_characteristics)
    segments += _field(knowledge.primary_function)
    segments += _field(knowledge.physical_area, "Physical area: {}.")
    if knowledge.height_m is not None:
        segments += _fact(f"Height: {knowledge.height_m:g} m.", entity)
    if knowledge.area_m2 is not None:
        segments += _fact(f"Area: {knowledge.area_m2:g} m².", entity)
    if knowledge.architects:
        segments += _fact(f"Architects: {', '.join(knowledge.architects)}.", entity)
    return segments


def _culture(knowledge: KnowledgeRecord | None, entity: Provenance) -> list[Segment]:
    if knowledge is None:
        return []
    segments = _field(knowledge.cultural_significance)
    if knowledge.notable_visitors:
        # Each visitor keeps the provenance of the article or event that named them.
        people = knowledge.notable_visitors
        names = ", ".join(person.name for person in people)
        segments.append(Segment(f"Notable visitors: {names}.", "en", people[0].provenance))
    if knowledge.heritage_designations:
        designations = ", ".join(knowledge.heritage_designations)
        segments += _fact(f"Heritage designations: {designations}.", entity)
    return segments


def _expert(attributes: AttributesRecord | None) -> list[Segment]:
    if attributes is None or not attributes.rs_description.strip():
        return []
    provenance = attributes.sentinel2_provenance or attributes.climate_provenance
    return [Segment(attributes.rs_description, "en", provenance)]


def _monthly(attributes: AttributesRecord | None) -> list[Segment]:
    """One sentence per month with Sentinel-2 statistics (indices are unitless, -1 to 1)."""
    if attributes is None or not attributes.monthly:
        return []
    sentences = []
    for month in attributes.monthly:
        values = [
            f"{label} {value:.2f}"
            for label, value in (
                ("mean NDVI", month.ndvi_mean),
                ("mean NDWI", month.ndwi_mean),
                ("mean NDBI", month.ndbi_mean),
            )
            if value is not None
        ]
        if month.valid_fraction is not None:
            values.append(f"{month.valid_fraction:.0%} of observations clear")
        if month.cloud_fraction is not None:
            values.append(f"{month.cloud_fraction:.0%} cloudy")
        if values:
            sentences.append(
                f"In {month.month} within {attributes.buffer_m:g} m: {', '.join(values)}."
            )
    text = " ".join(sentences)
    return [Segment(text, "en", attributes.sentinel2_provenance)] if text else []


def _image_description(attributes: AttributesRecord | None) -> list[Segment]:
    if attributes is None or not attributes.image_description.strip():
        return []
    return [Segment(attributes.image_description, "en", attributes.image_provenance)]


def _caption(landmark: CuratedLandmark) -> list[Segment]:
    if landmark.image is None:
        return []
    image = landmark.image
    text = (
        f"An overhead image of {landmark.name} ({landmark.rswk_class}) at "
        f"{landmark.lat:.4f}, {landmark.lon:.4f}, {image.gsd_m:.2f} m per pixel, "
        f"from {image.provider}."
    )
    return [Segment(text, "en", image.provenance)]
