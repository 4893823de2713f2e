"""The bundled sample world: it loads, covers the world, parses like Wikipedia, has its traps."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from rswk.sampleworld.generated_text import HEADING_VOCABULARY
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.world import Article, World, WorldLandmark
from rswk.sampleworld.world_index import WorldIndex

# Wikipedia-API's own heading pattern for `exsectionformat=wiki` extracts (see DEPENDENCIES.md).
WIKI_HEADING = re.compile(r"\n\n *(==+) (.*?) (==+) *\n")
HEADING_LINE = re.compile(r"^=+ .+ =+$", re.MULTILINE)

# Only the countries the bundled world uses; a new country must be added here on purpose.
CONTINENT = {
    **dict.fromkeys(["DE", "ES", "FR", "GB", "GR", "IT", "NL", "PT", "RU", "TR", "VA"], "Europe"),
    **dict.fromkeys(["AE", "CN", "ID", "IN", "JO", "JP", "KH", "KR", "MY", "NP", "TW"], "Asia"),
    **dict.fromkeys(["EG", "TZ", "ZA", "ZW"], "Africa"),
    **dict.fromkeys(["CA", "US"], "North America"),
    **dict.fromkeys(["AR", "BR", "PE"], "South America"),
    **dict.fromkeys(["AU"], "Oceania"),
}
LANGUAGES = ["en", "fr", "de", "es", "it", "ja", "zh", "ar", "ru", "pt"]
TRAPS = {
    "redirect",
    "disambiguation",
    "no_article_coordinates",
    "no_coordinates",
    "duplicate",
    "non_latin_title",
    "sea",
    "short_article",
    "missing_page",
}
SYNTHETIC_FLOOR = 990_000_000  # landmark QIDs at or above this are made up (README.md)


@pytest.fixture(scope="module")
def world() -> World:
    return load_world("bundled")


def _words(lang: str, text: str) -> int:
    """Whitespace words; for Chinese and Japanese (no spaces) two characters count as one."""
    if lang in ("ja", "zh"):
        return len(re.sub(r"\s", "", text)) // 2
    return len(text.split())


def _by_trap(world: World, trap: str) -> list[WorldLandmark]:
    return [lm for lm in world.landmarks if lm.trap == trap]


def _metres(a: WorldLandmark, b: WorldLandmark) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    dy = (a.lat - b.lat) * 111_320.0
    dx = (a.lon - b.lon) * 111_320.0 * math.cos(math.radians(a.lat))
    return math.hypot(dx, dy)


def test_size_and_coverage(world: World) -> None:
    real = [lm for lm in world.landmarks if int(lm.qid[1:]) < SYNTHETIC_FLOOR]
    countries = {lm.country for lm in world.landmarks}
    assert len(real) >= 44
    assert len(countries) >= 22
    unmapped = countries - CONTINENT.keys()
    assert not unmapped, f"add {sorted(unmapped)} to CONTINENT in this test"
    assert set(CONTINENT[c] for c in countries) == set(CONTINENT.values())


def test_keys_order_and_coordinates(world: World) -> None:
    qids = [lm.qid for lm in world.landmarks]
    assert len(qids) == len(set(qids))
    assert all(re.fullmatch(r"Q[1-9]\d*", q) for q in qids)
    keys = [(lm.country, int(lm.qid[1:])) for lm in world.landmarks]
    assert keys == sorted(keys), "landmarks must be ordered by country, then QID number"
    for lm in world.landmarks:
        assert (lm.lat is None) == (lm.lon is None), lm.qid
        if lm.lat is not None and lm.lon is not None:
            assert -90 <= lm.lat <= 90 and -180 <= lm.lon <= 180, lm.qid
        assert re.fullmatch(r"[A-Z]{2}", lm.country), lm.qid
        assert lm.sitelinks >= len(lm.articles), lm.qid


def test_synthetic_landmarks_are_traps(world: World) -> None:
    for lm in world.landmarks:
        if int(lm.qid[1:]) >= SYNTHETIC_FLOOR:
            assert lm.trap in ("duplicate", "sea", "missing_page"), lm.qid


def test_every_class_has_a_label(world: World) -> None:
    used = {c for lm in world.landmarks for c in lm.classes}
    assert used <= world.class_labels.keys()


def test_languages_have_three_articles_each(world: World) -> None:
    count = Counter(lang for lm in world.landmarks for lang in lm.articles)
    assert {lang: count[lang] for lang in LANGUAGES if count[lang] < 3} == {}


def test_article_ids_and_titles_unique_per_language(world: World) -> None:
    seen: dict[tuple[str, str], set[object]] = {}
    for lm in world.landmarks:
        for lang, article in lm.articles.items():
            names = [article.title, *article.redirects_from]
            for kind, values in (("pageid", [article.pageid]), ("revid", [article.revid])):
                bucket = seen.setdefault((lang, kind), set())
                assert not bucket & set(values), (lm.qid, lang, kind)
                bucket.update(values)
            titles = seen.setdefault((lang, "title"), set())
            assert not titles & set(names), (lm.qid, lang, names)
            titles.update(names)


def test_articles_parse_into_sections(world: World) -> None:
    for lm in world.landmarks:
        for lang, article in lm.articles.items():
            if article.missing:
                continue
            found = WIKI_HEADING.findall(article.text)
            written = HEADING_LINE.findall(article.text)
            where = f"{lm.qid} {lang}"
            assert found, f"{where}: no section heading Wikipedia-API can parse"
            # A heading the regex misses (one blank line too few) would merge two sections.
            assert len(found) == len(written), f"{where}: {written} vs {found}"
            assert article.text.split("\n\n")[0].strip(), f"{where}: no intro"
            assert all(opened == closed for opened, _, closed in found), where


def test_article_lengths(world: World) -> None:
    lengths = []
    for lm in world.landmarks:
        for lang, article in lm.articles.items():
            words = _words(lang, article.text)
            if lm.trap not in ("short_article", "disambiguation", "missing_page"):
                assert words >= 80, f"{lm.qid} {lang}: {words} words"
            lengths.append(words)
    assert max(lengths) >= 800
    assert sum(1 for n in lengths if n >= 200) >= 20


def test_history_sections_have_dated_sentences(world: World) -> None:
    # History under any of the headings the world writes it with, sub-sections included.
    drafted = ("History", "Histoire", "Geschichte", "Historia", "Storia", "História")
    names = {v for lang in HEADING_VOCABULARY.values() for h in drafted for v in lang.get(h, ())}
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    history = re.compile(rf"\n== ({alternatives}) ==\n(.*?)(\n\n\n== |$)", re.S)
    dated = 0
    for lm in world.landmarks:
        for article in lm.articles.values():
            for match in history.finditer(article.text):
                dated += bool(
                    re.search(r"\b(In|En|Nel|Em) \d{3,4}\b|\b\d{4} (wurde|begann)", match.group(2))
                )
    assert dated >= 30


def test_every_trap_is_present(world: World) -> None:
    assert {lm.trap for lm in world.landmarks if lm.trap} == TRAPS


def test_redirect_trap(world: World) -> None:
    for lm in _by_trap(world, "redirect"):
        (article,) = lm.articles.values()
        assert lm.labels["en"] in article.redirects_from
        assert article.title != lm.labels["en"]


def test_disambiguation_trap(world: World) -> None:
    (lm,) = _by_trap(world, "disambiguation")
    assert lm.articles and all(a.disambiguation for a in lm.articles.values())


def test_coordinate_traps(world: World) -> None:
    (missing,) = _by_trap(world, "no_coordinates")
    assert missing.lat is None and missing.lon is None
    assert not any(a.has_coordinates for a in missing.articles.values())
    (no_article_coords,) = _by_trap(world, "no_article_coordinates")
    assert no_article_coords.lat is not None
    assert any(not a.has_coordinates for a in no_article_coords.articles.values())
    # Everything else is consistent, so each trap is the only reason for its rejection.
    others = [
        lm for lm in world.landmarks if lm.trap not in ("no_coordinates", "no_article_coordinates")
    ]
    assert all(a.has_coordinates for lm in others for a in lm.articles.values())
    assert all(lm.lat is not None for lm in others)


def test_duplicate_trap(world: World) -> None:
    (dup,) = _by_trap(world, "duplicate")
    originals = [
        lm
        for lm in world.landmarks
        if lm.qid != dup.qid and lm.labels.get("en") == dup.labels["en"]
    ]
    assert len(originals) == 1
    assert _metres(dup, originals[0]) <= 50
    assert dup.sitelinks < originals[0].sitelinks


def test_non_latin_and_short_traps(world: World) -> None:
    (non_latin,) = _by_trap(world, "non_latin_title")
    assert all(not re.search(r"[A-Za-z]", a.title) for a in non_latin.articles.values())
    (short,) = _by_trap(world, "short_article")
    assert all(_words(lang, a.text) < 40 for lang, a in short.articles.items())


def test_sea_trap_is_offshore(world: World) -> None:
    (sea,) = _by_trap(world, "sea")
    assert sea.lat is not None and sea.lon is not None
    # The Portuguese coast west of Lisbon lies at about 9.5° W; 0.7° of longitude is about 60 km.
    assert sea.country == "PT" and sea.lon <= -10.2


def test_article_model_matches_extract_shape() -> None:
    # Guards the assumption the data is written against: text is the raw extract, nothing more.
    assert set(Article.model_fields) >= {"title", "pageid", "revid", "text", "redirects_from"}


def test_missing_page_trap_is_listed_but_not_served(world: World) -> None:
    (landmark,) = _by_trap(world, "missing_page")
    assert all(article.missing for article in landmark.articles.values())
    index = WorldIndex(world)
    assert all(index.page(lang, a.title) is None for lang, a in landmark.articles.items())
