"""Text normalisation: NFC, wiki leftovers and reference marks out, whitespace, no empty strings."""

from __future__ import annotations

import unicodedata

import pytest

from curation.text import normalise_knowledge, normalise_text
from tests.curation.records import knowledge_record


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("The [[Seine|river Seine]] runs past it.[3]", "The river Seine runs past it."),
        (
            "Built in '''1889'''{{sfn|Loyrette|1985}} by [[Gustave Eiffel]].",
            "Built in 1889 by Gustave Eiffel.",
        ),
        ("A tower<ref name=a>Smith 2001, p. 4</ref> of iron<ref/>.", "A tower of iron."),
        (
            "Opened in 1900.[citation needed] Closed in 1950.[note 2]",
            "Opened in 1900. Closed in 1950.",
        ),
        ("Caf\u0065\u0301   de  Flore\u00a0 &amp; co", "Café de Flore & co"),
        ("line one  \n\n\n\n  line two", "line one\n\nline two"),
        ("{{Infobox building|name=X}}", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalise_text(raw: str | None, clean: str | None) -> None:
    assert normalise_text(raw) == clean
    if clean is not None:
        assert unicodedata.is_normalized("NFC", clean)


def test_empty_knowledge_fields_become_none_and_required_ones_stay() -> None:
    record = knowledge_record(details="[1]", address="  1 Rue X  ", name="Tour [[Eiffel]]")
    clean = normalise_knowledge(record)
    assert clean.details is None
    assert clean.address is not None and clean.address.value == "1 Rue X"
    assert clean.name.value == "Tour Eiffel"
    assert clean.name.language == record.name.language  # the language travels with the text
