"""Major events: dated sentences in several languages, merged with P793 claims."""

from __future__ import annotations

from crawlers.knowledge.events import ClaimedEvent, TextPart, dated_sentences, merge_events
from crawlers.knowledge.text import cap_length, split_sentences, word_count
from rswk.core.records import MajorEvent, Provenance
from tests.crawlers.knowledge_support import FIXED_TIME

WIKI = Provenance(
    source_url="http://127.0.0.1/wiki/T",
    revision="7",
    retrieved_at=FIXED_TIME,
    licence="CC-BY-SA-4.0",
    attribution="t",
    detail="History",
)
CLAIM = WIKI.model_copy(update={"licence": "CC0-1.0", "detail": "P793"})


def _events(text: str, language: str) -> list[tuple[int | None, str]]:
    return [(e.year, e.event) for e in dated_sentences([TextPart(text, WIKI)], language)]


def test_english_dated_sentences() -> None:
    text = (
        "In 1887 work began on the tower. It is tall. The tower opened in 1889 to the public. "
        "It closed in 1940."
    )
    assert _events(text, "en") == [
        (1887, "Work began on the tower"),
        (1889, "The tower opened in 1889 to the public"),
        (1940, "It closed in 1940"),
    ]


def test_french_german_japanese_and_arabic_digits() -> None:
    assert _events("En 1889, la tour est inaugurée.", "fr") == [(1889, "La tour est inaugurée")]
    assert _events("Im Jahr 1791 wurde das Tor vollendet.", "de") == [
        (1791, "Wurde das Tor vollendet")
    ]
    assert _events("1958年に完成した。高さは333mである。", "ja") == [(1958, "完成した")]
    assert _events("افتتح البرج عام ١٨٨٩.", "ar") == [(1889, "افتتح البرج عام ١٨٨٩")]


def test_numbers_that_are_not_years_are_ignored() -> None:
    assert _events("It is 330 m tall and weighs 10,100 tonnes; 12345 rivets.", "en") == []


def test_merge_dedups_and_drops_restatements() -> None:
    claimed = [ClaimedEvent(MajorEvent(event="opening", year=1889, provenance=CLAIM), ("opening",))]
    text = (
        "In 1889 the opening drew crowds. In 1944 the tower was closed. "
        "In 1944 the tower was closed."
    )
    from_text = dated_sentences([TextPart(text, WIKI)], "en")
    merged = merge_events(claimed, from_text)
    assert [(e.year, e.event, e.provenance.detail) for e in merged] == [
        (1889, "opening", "P793"),
        (1944, "The tower was closed", "History"),
    ]
    # The sentence that tells the P793 event became its description.
    assert merged[0].description == "In 1889 the opening drew crowds."


def test_text_helpers() -> None:
    assert split_sentences("One. Two!\nThree。四") == ["One.", "Two!", "Three。", "四"]
    german = "Ein Schloss des 19. Jahrhunderts. Ludwig II. ließ es bauen. Fertig 1886. Ende."
    assert split_sentences(german) == [
        "Ein Schloss des 19. Jahrhunderts.",
        "Ludwig II. ließ es bauen.",
        "Fertig 1886.",
        "Ende.",
    ]
    assert word_count("a b c", "en") == 3
    assert word_count("東京タワーは電波塔", "ja") == 4
    assert cap_length("First one. Second one. Third.", 22) == "First one. Second one."
    assert cap_length("Nowordbreaks", 4) == "Nowo"
