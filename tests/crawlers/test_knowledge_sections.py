"""Section heading -> RSWK field mapping, per Wikipedia edition, and its documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.knowledge.article_fields import map_article
from crawlers.knowledge.field_map_docs import render_markdown
from crawlers.knowledge.sections import (
    DETAILS,
    SECTION_FIELDS,
    SKIP,
    field_for_heading,
    heading_map,
)
from crawlers.knowledge.wikipedia_client import ArticleSection, FetchedArticle
from tests.crawlers.knowledge_support import FIXED_TIME

DOCS = Path(__file__).resolve().parents[2] / "docs" / "knowledge-fields.md"
HISTORY = {
    "en": "History",
    "fr": "Histoire",
    "de": "Geschichte",
    "es": "Historia",
    "it": "Storia",
    "pt": "História",
    "ru": "История",
    "ja": "歴史",
    "zh": "历史",
    "ar": "التاريخ",
}


@pytest.mark.parametrize(("language", "heading"), sorted(HISTORY.items()))
def test_history_heading_in_every_required_language(language: str, heading: str) -> None:
    assert field_for_heading(language, heading) == "historical_background"


@pytest.mark.parametrize(
    ("language", "heading", "field"),
    [
        ("en", "Architecture", "architectural_characteristics"),
        ("en", "Design and construction", "architectural_characteristics"),
        ("en", "In popular culture", "cultural_significance"),
        ("en", "Tourism", "notable_visitors"),
        ("en", "Location", "address"),
        ("en", "Notable events", "major_events"),
        ("en", "See also", SKIP),
        ("en", "References", SKIP),
        ("en", "Museum shop", DETAILS),  # "use" must not fire inside "museum"
        ("en", "Architecture and history", "architectural_characteristics"),  # earliest wins
        ("en", "History of the site", "historical_background"),
        ("fr", "Fréquentation", "notable_visitors"),
        ("fr", "Dans la culture populaire", "cultural_significance"),
        ("fr", "Notes et références", SKIP),
        ("de", "Baugeschichte", "historical_background"),
        ("de", "Einzelnachweise", SKIP),
        ("de", "Lage", "address"),
        ("ja", "建築様式", "architectural_characteristics"),
        ("ja", "文化財", "cultural_significance"),
        ("ja", "脚注", SKIP),
        ("zh", "參考文獻", SKIP),
        ("ar", "العمارة", "architectural_characteristics"),
        ("ru", "Архитектурные особенности", "architectural_characteristics"),
        ("xx", "History", DETAILS),  # an edition without a map: everything is details
    ],
)
def test_heading_fields(language: str, heading: str, field: str) -> None:
    assert field_for_heading(language, heading) == field


def test_every_language_maps_every_field() -> None:
    table = heading_map()
    assert set(HISTORY) <= set(table)
    for language, fields in table.items():
        assert set(fields) == set(SECTION_FIELDS), language


def test_sub_sections_inherit_and_skips_drop_children() -> None:
    construction = ArticleSection("Construction", 2, "Built fast.")
    unnamed = ArticleSection("Les années 1900", 2, "Plus tard.")
    article = FetchedArticle(
        language="fr",
        title="T",
        pageid=1,
        missing=False,
        intro="Intro.",
        sections=(
            ArticleSection("Histoire", 1, "Début.", (unnamed, construction)),
            ArticleSection("Description", 1, "Haute.", (ArticleSection("Matériaux", 2, "Fer."),)),
            ArticleSection("Voir aussi", 1, "x", (ArticleSection("Histoire", 2, "skipped"),)),
        ),
        retrieved_at=FIXED_TIME,
    )
    mapped = map_article(article)
    history = mapped.parts("historical_background")
    # A history's sub-sections are its story, even one called "Construction".
    assert [(p.heading, p.text) for p in history] == [
        ("Histoire", "Début."),
        ("Histoire", "Plus tard."),
        ("Histoire", "Built fast."),
    ]
    architecture = mapped.parts("architectural_characteristics")
    assert [(p.heading, p.text) for p in architecture] == [
        ("Description", "Haute."),
        ("Description", "Fer."),
    ]
    assert "skipped" not in str(mapped.fields)


def test_docs_show_the_current_field_map() -> None:
    assert render_markdown() in DOCS.read_text(encoding="utf-8"), (
        "docs/knowledge-fields.md is out of date: "
        "paste the output of `python -m crawlers.knowledge.field_map_docs`"
    )
