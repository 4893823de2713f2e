"""Terms of tile sources: attribution, licence, and the gate for restrictive providers."""

from __future__ import annotations

import pytest

from crawlers.imagery.quality import ESRI_PLACEHOLDER
from crawlers.imagery.terms import ESRI_ATTRIBUTION, require_accepted, resolve_terms
from rswk.core.config import SAMPLE_WORLD_ATTRIBUTION, ImageryConfig, load_config
from rswk.core.errors import RSWKError

ESRI = (
    "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
)


def test_esri_world_imagery_is_known_restrictive_with_its_attribution() -> None:
    for template in (ESRI, ESRI.replace("server.", "services."), ESRI + "?blankTile=false"):
        terms = resolve_terms(template, ImageryConfig())
        assert terms.name == "Esri.WorldImagery"
        assert terms.restrictive
        assert terms.attribution == ESRI_ATTRIBUTION
        assert terms.placeholder is not None


def test_restrictive_source_is_refused_until_terms_are_accepted() -> None:
    terms = resolve_terms(ESRI, ImageryConfig())
    with pytest.raises(RSWKError, match=r"restrictive.*accept_terms = true.*No request was made"):
        require_accepted(terms, ESRI, ImageryConfig())
    require_accepted(terms, ESRI, ImageryConfig(accept_terms=True))


def test_sample_world_terms_come_from_the_sample_profile_not_its_address() -> None:
    template = "http://127.0.0.1:8765/tiles/{z}/{y}/{x}"
    # Loopback is nothing special: without stated terms it is an unknown source.
    with pytest.raises(RSWKError, match=r"imagery\.attribution and imagery\.licence"):
        resolve_terms(template, ImageryConfig())
    imagery = load_config("sample").imagery
    terms = resolve_terms(template, imagery)
    assert (terms.attribution, terms.licence) == (SAMPLE_WORLD_ATTRIBUTION, "CC0-1.0")
    assert terms.placeholder == ESRI_PLACEHOLDER and not terms.restrictive
    require_accepted(terms, template, imagery)
    marked_config = imagery.model_copy(update={"restrictive": True})
    marked = resolve_terms(template, marked_config)
    with pytest.raises(RSWKError, match=r"imagery\.restrictive"):
        require_accepted(marked, template, marked_config)


def test_open_xyzservices_provider_gets_its_attribution() -> None:
    terms = resolve_terms("https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png", ImageryConfig())
    assert terms.name == "OpenTopoMap" and not terms.restrictive
    assert "OpenStreetMap contributors" in terms.attribution


def test_unknown_template_needs_attribution_and_licence_in_config() -> None:
    template = "https://tiles.example.org/{z}/{x}/{y}.jpg"
    with pytest.raises(RSWKError, match=r"imagery\.attribution and imagery\.licence"):
        resolve_terms(template, ImageryConfig())
    stated = ImageryConfig(attribution="Imagery © Example", licence="CC-BY-4.0")
    terms = resolve_terms(template, stated)
    assert (terms.attribution, terms.licence, terms.restrictive) == (
        "Imagery © Example",
        "CC-BY-4.0",
        False,
    )
