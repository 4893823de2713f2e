"""Generated worlds: every point in its country, coverage, determinism, served like any world."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from crawlers.discover_query import build_discovery_query
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.core.borders import CountryBorders
from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.generated import generate_world
from rswk.sampleworld.generated_text import HEADING_VOCABULARY
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(2000, seed=0)


def test_every_point_is_inside_its_country(world: World) -> None:
    borders = CountryBorders.load()
    lats = np.array([lm.lat for lm in world.landmarks])
    lons = np.array([lm.lon for lm in world.landmarks])
    found = borders.countries_at(lats, lons)
    for landmark, country in zip(world.landmarks, found, strict=True):
        if country != landmark.country:  # rounding to 6 decimals can cross a border by < 1 m
            assert landmark.lat is not None and landmark.lon is not None
            distance = borders.distance_to_country_m(landmark.lat, landmark.lon, landmark.country)
            assert distance < 5.0, landmark.qid


def test_covers_at_least_175_countries_with_unique_ids(world: World) -> None:
    assert len(world.landmarks) == 2000
    assert len({lm.country for lm in world.landmarks}) >= 175
    assert len({lm.qid for lm in world.landmarks}) == 2000
    assert len({lm.articles["en"].title for lm in world.landmarks}) == 2000
    bundled = {lm.qid for lm in load_world("bundled").landmarks}
    assert not bundled & {lm.qid for lm in world.landmarks}


def test_articles_have_sections_and_dated_sentences(world: World) -> None:
    text = world.landmarks[0].articles["en"].text
    # Headings come from the world's own vocabulary, in MediaWiki's plain-text section format.
    english = HEADING_VOCABULARY["en"]
    for section in ("History", "Culture"):
        assert any(f"\n\n\n== {heading} ==\n" in text for heading in english[section]), section
    dated = [lm for lm in world.landmarks if lm.inception is not None and lm.inception > 0]
    assert all(f"In {lm.inception} " in lm.articles["en"].text for lm in dated)
    assert any(len(lm.articles) > 1 for lm in world.landmarks)


def test_deterministic_for_a_seed() -> None:
    assert generate_world(150, seed=7) == generate_world(150, seed=7)
    assert generate_world(150, seed=7) != generate_world(150, seed=8)


def test_restricted_countries_and_errors() -> None:
    small = generate_world(20, seed=1, countries=["fr", "JP"])
    assert {lm.country for lm in small.landmarks} == {"FR", "JP"}
    with pytest.raises(SampleWorldError, match="ZZ"):
        generate_world(5, seed=1, countries=["ZZ"])


def test_a_generated_world_is_served(world: World) -> None:
    with SampleWorld(world) as server:
        query = build_discovery_query("BR", sorted(LANDMARK_CLASSES), ["en"], 3)
        rows = httpx.get(server.urls()["sparql"], params={"query": query}).json()
        assert len(rows["results"]["bindings"]) == 3
        qid = rows["results"]["bindings"][0]["item"]["value"].rsplit("/", 1)[1]
        params = {"action": "wbgetentities", "ids": qid}
        entity = httpx.get(server.urls()["wikidata"], params=params).json()
        p17 = entity["entities"][qid]["claims"]["P17"][0]["mainsnak"]["datavalue"]["value"]
        assert p17["id"] == "Q155"  # Brazil's real QID
