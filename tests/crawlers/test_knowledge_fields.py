"""Issue 11's rules, each on a record built from inputs made to break it.

Every test builds one landmark's inputs by hand (an article with sections and links, Wikidata
facts, the items they refer to) and checks the record against what a reader expects, written
out here rather than computed by the code under test.
"""

from __future__ import annotations

import itertools

import pytest

from crawlers.knowledge.claims import EntityFacts, EventClaim, ItemFacts, TimeValue
from crawlers.knowledge.editions import edition_order, preference
from crawlers.knowledge.events import stems
from crawlers.knowledge.fields import RecordInputs, build_record
from crawlers.knowledge.period import construction_period, format_range
from crawlers.knowledge.places import address_line, region_of
from crawlers.knowledge.provenance import ArticleSource, EntitySource
from crawlers.knowledge.quality import duplicate_events, has_cross_field_duplicate
from crawlers.knowledge.text import split_sentences
from crawlers.knowledge.wikipedia_client import ArticleSection, FetchedArticle
from rswk.core.records import KnowledgeRecord
from rswk.core.records.location import ArticleRef
from tests.crawlers.knowledge_support import FIXED_TIME, UPSTREAM_PROVENANCE

QID = "Q9141"
HUMAN = "Q5"
FIRST_LEVEL = "Q10864048"


def _article(
    language: str,
    intro: str,
    sections: list[tuple[str, str]],
    links: tuple[str, ...] = (),
    title: str = "Test landmark",
) -> FetchedArticle:
    return FetchedArticle(
        language=language,
        title=title,
        pageid=1,
        missing=False,
        intro=intro,
        sections=tuple(ArticleSection(h, 1, text) for h, text in sections),
        retrieved_at=FIXED_TIME,
        links=links,
    )


def _record(
    article: FetchedArticle,
    facts: EntityFacts | None = None,
    items: dict[str, ItemFacts] | None = None,
    link_items: dict[str, str] | None = None,
) -> KnowledgeRecord:
    from rswk.core.records import LocatedLandmark

    located = LocatedLandmark(
        qid=QID,
        country="IN",
        label="Test landmark",
        lat=27.17,
        lon=78.04,
        coordinate_source="wikidata:P625",
        distance_to_country_m=0.0,
        entity_revision=1,
        provenance=UPSTREAM_PROVENANCE,
    )
    return build_record(
        RecordInputs(
            located=located,
            discovered=None,
            country_name="India",
            article=article,
            article_source=ArticleSource.build(
                "http://127.0.0.1/wikipedia/{lang}/w/api.php",
                article.language,
                article.title,
                7,
                FIXED_TIME,
            ),
            entity_source=EntitySource.build(
                "http://127.0.0.1/wikidata/w/api.php", QID, 3, FIXED_TIME
            ),
            facts=facts or EntityFacts(qid=QID, revision=3),
            items=items or {},
            link_items=link_items or {},
        )
    )


# ---------------------------------------------------------------- class


@pytest.mark.parametrize(
    "classes",
    list(itertools.permutations(["Q570116", "Q9259", "Q4989906", "Q2319498"])),
)
def test_a_generic_class_listed_first_never_wins(classes: tuple[str, ...]) -> None:
    # tourist attraction, World Heritage Site, landmark: generic; monument is what it is.
    facts = EntityFacts(qid=QID, revision=3, classes=classes)
    record = _record(_article("en", "A white marble tomb stands by the river.", []), facts)
    assert record.category.value == "monument"
    assert record.category_qid == "Q4989906"


def test_an_item_with_only_generic_classes_keeps_the_generic_one() -> None:
    facts = EntityFacts(qid=QID, revision=3, classes=("Q570116",))
    record = _record(_article("en", "A place people like.", []), facts)
    assert record.category.value == "tourist attraction"


# ---------------------------------------------------------------- events


def test_the_same_event_in_wikidata_and_in_sentences_of_two_languages_is_kept_once() -> None:
    inscription = "Q990004002"
    facts = EntityFacts(qid=QID, revision=3, events=(EventClaim(qid=inscription, year=1991),))
    items = {
        inscription: ItemFacts(
            inscription,
            labels={
                "en": "inscription on the World Heritage List",
                "fr": "inscription au patrimoine mondial",
            },
        )
    }
    article = _article(
        "fr",
        "Les quais forment un ensemble célèbre. Ils sont inscrits au patrimoine mondial en 1991.",
        [
            (
                "Histoire",
                "En 1991, les berges de la Seine sont inscrites au patrimoine mondial de "
                "l'UNESCO. En 1991, un nouveau pont est ouvert à la circulation.",
            )
        ],
    )
    record = _record(article, facts, items)
    in_1991 = [e for e in record.major_events if e.year == 1991]
    # One inscription (from Wikidata, in French, told by a sentence) and the bridge.
    assert len(in_1991) == 2
    inscription_event = next(e for e in in_1991 if e.qid == inscription)
    assert inscription_event.event == "inscription au patrimoine mondial"
    assert inscription_event.language == "fr"
    assert inscription_event.description == ("Ils sont inscrits au patrimoine mondial en 1991.")
    bridge = next(e for e in in_1991 if e.qid is None)
    assert bridge.description == "En 1991, un nouveau pont est ouvert à la circulation."
    assert duplicate_events(record.major_events) == 0


def test_labels_in_the_record_language_and_whole_sentences() -> None:
    opening = "Q990004001"
    facts = EntityFacts(qid=QID, revision=3, events=(EventClaim(qid=opening, year=1958),))
    items = {opening: ItemFacts(opening, labels={"en": "official opening", "ja": "開業"})}
    text = (
        "1958年に開業した。"
        "東京の新しい電波塔として、関東一円にテレビ放送を送り、多くの人々が展望台を訪れた。"
    )
    record = _record(_article("ja", "東京タワーは電波塔である。", [("歴史", text)]), facts, items)
    (event,) = [e for e in record.major_events if e.year == 1958]
    assert (event.event, event.language, event.qid) == ("開業", "ja", opening)
    assert event.description == "1958年に開業した。"
    english = _article(
        "en",
        "A tower.",
        [("History", "In 1964, after years of planning that involved engineers from three "
                     "countries, the second observation deck was finally opened to visitors.")],
    )  # fmt: skip
    (sentence,) = _record(english).major_events
    assert sentence.event.endswith("finally opened to visitors")  # not cut mid-clause
    assert sentence.event.startswith("After years of planning")


def test_bce_and_early_years_are_signed_years() -> None:
    facts = EntityFacts(qid=QID, revision=3, inception=TimeValue(-2560, 9, circa=True))
    article = _article(
        "en",
        "The pyramid stands on the plateau.",
        [
            (
                "History",
                "The pyramid was completed around 2560 BC for the pharaoh. In 80 AD a Roman "
                "traveller described it. In 537 a monastery was founded nearby.",
            )
        ],
    )
    record = _record(article, facts)
    assert [e.year for e in record.major_events] == [-2560, 80, 537]
    assert record.construction_period is not None
    assert record.construction_period.value == "c. 2560 BCE"
    assert record.construction_start_year == -2560
    assert record.inception_year == -2560


# ---------------------------------------------------------------- construction period


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (TimeValue(1887, 11), TimeValue(1889, 11), "1887–1889"),
        (TimeValue(1150, 7), TimeValue(1350, 7), "12th–14th century"),
        (TimeValue(-447, 9), TimeValue(-432, 9), "447–432 BCE"),
        (TimeValue(-27, 9), TimeValue(14, 9), "27 BCE–14"),
        (TimeValue(1880, 8), TimeValue(1880, 8), "1880s"),
    ],
)
def test_period_ranges(start: TimeValue, end: TimeValue, text: str) -> None:
    assert format_range(start, end) == text


def test_period_from_start_end_opening_and_demolition() -> None:
    burj = EntityFacts(
        qid=QID, revision=3, inception=TimeValue(2004, 9), opening=TimeValue(2010, 11)
    )
    period = construction_period(burj)
    assert period is not None and (period.text, period.start_year, period.end_year) == (
        "2004–2010",
        2004,
        2010,
    )
    assert period.properties == ("P571", "P1619")
    gothic = EntityFacts(
        qid=QID, revision=3, start=TimeValue(1150, 7), end=TimeValue(1350, 7),
        inception=TimeValue(1100, 7),
    )  # fmt: skip
    period = construction_period(gothic)
    assert period is not None
    assert (period.text, period.start_year, period.end_year) == ("12th–14th century", 1101, 1400)
    gone = EntityFacts(
        qid=QID, revision=3, inception=TimeValue(1851, 9), dissolved=TimeValue(1936, 9)
    )
    period = construction_period(gone)
    assert period is not None and period.text == "1851; demolished 1936"
    assert construction_period(EntityFacts(qid=QID, revision=3)) is None


# ---------------------------------------------------------------- visitors


def test_visitors_are_the_people_a_visitors_section_names_not_its_praise() -> None:
    people = {
        "Q990008009": ItemFacts("Q990008009", {"en": "Diana, Princess of Wales"}, (HUMAN,)),
        "Q990008010": ItemFacts("Q990008010", {"en": "Bill Clinton"}, (HUMAN,)),
        "Q990008101": ItemFacts("Q990008101", {"en": "Agra"}, ("Q515",)),
        "Q990002001": ItemFacts("Q990002001", {"en": "Ustad Ahmad Lahauri"}, (HUMAN,)),
        "Q990008200": ItemFacts("Q990008200", {"en": "Rabindranath Tagore"}, (HUMAN,)),
    }
    links = {
        "Diana, Princess of Wales": "Q990008009",
        "Bill Clinton": "Q990008010",
        "Agra": "Q990008101",
        "Ustad Ahmad Lahauri": "Q990002001",
        "Rabindranath Tagore": "Q990008200",
    }
    article = _article(
        "en",
        "The Taj Mahal is a mausoleum in Agra.",
        [
            ("History", "Its architect was Ustad Ahmad Lahauri, who worked from Agra."),
            (
                "Visitors",
                "Millions of people visit each year and the view at dawn is breathtaking. In "
                "1992 Diana, Princess of Wales was photographed on the bench, and in 2000 Bill "
                "Clinton said the view was among the most beautiful he had seen.",
            ),
            ("Legacy", "Rabindranath Tagore called it a teardrop on the cheek of time."),
        ],
        links=tuple(sorted(links)),
    )
    facts = EntityFacts(qid=QID, revision=3, architects=("Q990002001",))
    record = _record(article, facts, people, links)
    # Not the architect (a builder), not the city (no person), not the poet quoted in Legacy
    # (not a visitors, history or events section), and no prose.
    assert [(p.name, p.qid) for p in record.notable_visitors] == [
        ("Diana, Princess of Wales", "Q990008009"),
        ("Bill Clinton", "Q990008010"),
    ]
    assert record.notable_visitors[0].provenance.detail == "Visitors"
    assert record.details is not None and "breathtaking" in record.details.value


def test_event_participants_who_are_people_are_visitors() -> None:
    facts = EntityFacts(
        qid=QID,
        revision=3,
        events=(EventClaim("Q990004006", 1973, participants=("Q9682", "Q7809")),),
    )
    items = {
        "Q990004006": ItemFacts("Q990004006", {"en": "opening"}),
        "Q9682": ItemFacts("Q9682", {"en": "Elizabeth II", "fr": "Élisabeth II"}, (HUMAN,)),
        "Q7809": ItemFacts("Q7809", {"en": "UNESCO"}, ("Q484652",)),
    }
    record = _record(_article("fr", "Un opéra au bord de l'eau.", []), facts, items)
    assert [(p.name, p.qid, p.language) for p in record.notable_visitors] == [
        ("Élisabeth II", "Q9682", "fr")
    ]


# ---------------------------------------------------------------- function and duplicates


def test_an_intro_is_never_copied_into_two_fields() -> None:
    intro = "The hall is a concert venue on the harbour. It seats two thousand people."
    article = _article(
        "en",
        intro,
        [
            ("Function", "The hall is a concert venue on the harbour. Orchestras play here."),
            ("History", "It seats two thousand people. It opened in 1973."),
        ],
    )
    record = _record(article)
    assert record.primary_function is not None
    assert record.primary_function.value == (
        "The hall is a concert venue on the harbour. Orchestras play here."
    )
    assert record.historical_background is not None
    assert record.historical_background.value == (
        "It seats two thousand people. It opened in 1973."
    )
    assert record.details is None  # every intro sentence already belongs to another field
    assert not has_cross_field_duplicate(record)


def test_primary_function_comes_from_has_use_and_occupant() -> None:
    facts = EntityFacts(qid=QID, revision=3, uses=("Q1",), occupants=("Q2",))
    items = {
        "Q1": ItemFacts("Q1", {"en": "performing arts venue"}),
        "Q2": ItemFacts("Q2", {"en": "Opera Australia"}),
    }
    article = _article("en", "The opera house is a famous building by the water.", [])
    record = _record(article, facts, items)
    assert record.primary_function is not None
    assert record.primary_function.value == "performing arts venue, Opera Australia"
    assert record.primary_function.provenance.detail == "P366/P466"
    assert record.details is not None and record.details.value == article.intro


# ---------------------------------------------------------------- region and address


def test_region_is_the_first_level_division_on_the_p131_chain() -> None:
    items = {
        "Q90": ItemFacts("Q90", {"en": "Paris"}, (), ("Q13917",)),
        "Q13917": ItemFacts("Q13917", {"en": "Île-de-France"}, (FIRST_LEVEL,), ("Q142",)),
        "Q1": ItemFacts("Q1", {"en": "Schwangau"}, (), ("Q2",)),
        "Q2": ItemFacts("Q2", {"en": "Ostallgäu"}, (), ("Q3",)),
        "Q3": ItemFacts("Q3", {"en": "Bavaria"}, (), ("Q183",)),
        "Q4": ItemFacts("Q4", {"en": "Lonely town"}),
    }
    assert region_of(("Q90",), ("Q142",), items) == items["Q13917"]
    # No class says "first level": the topmost division below the country.
    assert region_of(("Q1",), ("Q183",), items) == items["Q3"]
    assert region_of(("Q4",), ("Q1",), items) is None  # a city alone is not a region
    assert region_of((), ("Q142",), items) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tower stands on the Champ de Mars.\nChamp de Mars, 5 Avenue Anatole France, "
         "75007 Paris", "Champ de Mars, 5 Avenue Anatole France, 75007 Paris"),
        ("The cathedral is on a hill above the river, surrounded by the old town, whose streets "
         "climb in narrow lanes towards the square where the market has been held since 1200.",
         None),
        ("Das Tor steht am Pariser Platz. Pariser Platz, 10117 Berlin",
         "Pariser Platz, 10117 Berlin"),
    ],
)  # fmt: skip
def test_address_is_an_address_shaped_line_never_prose(text: str, expected: str | None) -> None:
    assert address_line(text, "en") == expected


def test_wikidata_address_wins_over_a_location_section() -> None:
    facts = EntityFacts(qid=QID, revision=3, address=("Dharmapuri, Agra 282001", "en"))
    article = _article(
        "en", "A tomb.", [("Location", "It stands on the south bank of the Yamuna river.")]
    )
    record = _record(article, facts)
    assert record.address is not None and record.address.value == "Dharmapuri, Agra 282001"


# ---------------------------------------------------------------- languages


def _ref(language: str, length: int | None) -> ArticleRef:
    return ArticleRef(
        language=language,
        title=f"{language} title",
        pageid=1,
        revid=1,
        requested_title=f"{language} title",
        length=length,
    )


def test_english_first_when_long_enough_local_otherwise() -> None:
    order = preference(["en", "local"], ["fr", "en"])
    assert order == ["en", "fr"]
    long_en = [_ref("fr", 9000), _ref("en", 6000)]
    assert [a.language for a in edition_order(long_en, order, 150)] == ["en", "fr"]
    stub_en = [_ref("fr", 9000), _ref("en", 400)]  # 400 bytes cannot hold 150 words
    assert [a.language for a in edition_order(stub_en, order, 150)] == ["fr", "en"]
    local_first = preference(["local", "en"], ["ja", "en"])
    assert [a.language for a in edition_order(long_en, local_first, 150)] == ["en", "fr"]
    assert local_first == ["ja", "en"]


def test_one_item_twice_is_one_event_and_two_years_are_two() -> None:
    renovation = "Q970000004"
    facts = EntityFacts(
        qid=QID,
        revision=3,
        events=(
            EventClaim(renovation, 1950),
            EventClaim(renovation, 1950),
            EventClaim(renovation, 1990),
        ),
    )
    items = {renovation: ItemFacts(renovation, {"en": "renovation"})}
    record = _record(_article("en", "A hall.", []), facts, items)
    assert [(e.qid, e.year) for e in record.major_events] == [
        (renovation, 1950),
        (renovation, 1990),
    ]
    assert duplicate_events(record.major_events) == 0


def test_a_sentence_linking_the_event_item_tells_it_even_without_shared_words() -> None:
    fair = "Q990004021"
    facts = EntityFacts(qid=QID, revision=3, events=(EventClaim(fair, 1889),))
    items = {fair: ItemFacts(fair, {"en": "world's fair of 1889"})}
    sentence = "In 1889 the Exposition Universelle opened its gates on the Champ de Mars."
    article = _article(
        "en", "A tower.", [("History", sentence)], links=("Exposition Universelle (1889)",)
    )
    linked = _record(article, facts, items, {"Exposition Universelle (1889)": fair})
    assert [(e.qid, e.description) for e in linked.major_events] == [(fair, sentence)]
    unlinked = _record(article, facts, items)  # same text, no link: two events
    assert len(unlinked.major_events) == 2


def test_a_failed_item_on_the_p131_chain_fails_the_landmark_for_a_rerun() -> None:
    from crawlers.knowledge.wave import Wave

    wave = Wave(shards={})
    wave.entities.facts[QID] = EntityFacts(qid=QID, revision=3, located_in=("Q90",))
    wave.items["Q90"] = ItemFacts("Q90", {"en": "Paris"}, (), ("Q13917",))
    assert wave.failure(QID) is None
    # The region could not be fetched: no silent "no region", a fetch failure instead.
    wave.item_failures["Q13917"] = "wbgetentities: HTTP 503"
    assert wave.failure(QID) == "items Q13917: wbgetentities: HTTP 503"


def test_an_undated_statement_of_a_dated_event_is_not_a_second_event() -> None:
    opening = "Q970000000"
    facts = EntityFacts(
        qid=QID, revision=3, events=(EventClaim(opening, None), EventClaim(opening, 1532))
    )
    items = {opening: ItemFacts(opening, {"en": "opening"})}
    sentence = "In 1532 the bridge saw its opening."
    record = _record(_article("en", "A bridge.", [("History", sentence)]), facts, items)
    assert [(e.qid, e.year, e.description) for e in record.major_events] == [
        (opening, 1532, sentence)
    ]


def test_two_happenings_of_one_year_that_share_only_the_name_stay_two() -> None:
    text = (
        "In 1929 work on Tata Theatre Building began. "
        "In 1929 the Tata Theatre Building saw its earthquake damage."
    )
    article = _article("en", "A theatre.", [("History", text)], title="Tata Theatre Building")
    record = _record(article)
    assert sorted(e.description for e in record.major_events) == sorted(split_sentences(text))
    assert duplicate_events(record.major_events, stems("Tata Theatre Building")) == 0
    assert duplicate_events(record.major_events) == 1  # the name alone would make them one
