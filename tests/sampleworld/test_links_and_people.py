"""`prop=links` and the items behind links: people (P31 = Q5), places up their P131 chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.world import WorldLandmark
from tests.sampleworld.conftest import reference, shape

WORLD = load_world("bundled")
PAGES = frozenset({".query.pages"})


@pytest.fixture(scope="module")
def bundled() -> Iterator[SampleWorld]:
    with SampleWorld(WORLD) as world:
        yield world


def _landmark(qid: str) -> WorldLandmark:
    return next(lm for lm in WORLD.landmarks if lm.qid == qid)


def _links(lm: WorldLandmark, lang: str) -> list[str]:
    return sorted(e.sitelinks[lang] for e in lm.linked if lang in e.sitelinks)


def _ask(client: httpx.Client, server: SampleWorld, **params: str) -> Any:
    url = server.urls()["mediawiki"].replace("{lang}", "en")
    base = {"action": "query", "format": "json", "redirects": "1", "prop": "links"}
    return client.get(url, params={**base, **params}).json()


def test_links_have_the_live_shape_and_the_worlds_titles(
    client: httpx.Client, bundled: SampleWorld
) -> None:
    ref = reference("mediawiki/links__TestVcrAsyncPageRelationProps.test_links_1.json")
    mine = _ask(client, bundled, titles="Taj_Mahal", pllimit="500")  # normalised, as the ref
    assert shape(mine, PAGES) == shape(ref["response"], PAGES)
    (page,) = mine["query"]["pages"].values()
    assert [link["title"] for link in page["links"]] == _links(_landmark("Q9141"), "en")
    assert all(link["ns"] == 0 for link in page["links"])


def test_pllimit_counts_over_pages_and_continues(
    client: httpx.Client, bundled: SampleWorld
) -> None:
    titles = "Taj Mahal|Burj Khalifa"
    first = _ask(client, bundled, titles=titles, pllimit="2")
    given = [link["title"] for p in first["query"]["pages"].values() for link in p.get("links", [])]
    assert len(given) == 2 and "plcontinue" in first["continue"]
    rest = _ask(client, bundled, titles=titles, pllimit="500", **first["continue"])
    more = [link["title"] for p in rest["query"]["pages"].values() for link in p.get("links", [])]
    expected = _links(_landmark("Q9141"), "en") + _links(_landmark("Q12495"), "en")
    assert sorted(given + more) == sorted(expected)
    assert "batchcomplete" in rest
    other = _ask(client, bundled, titles=titles, plnamespace="14")
    assert all("links" not in p for p in other["query"]["pages"].values())


def _entities(client: httpx.Client, server: SampleWorld, **params: str) -> dict[str, Any]:
    base = {"action": "wbgetentities", "format": "json"}
    body = client.get(server.urls()["wikidata"], params={**base, **params}).json()
    return dict(body["entities"])


def _claim_ids(entity: dict[str, Any], prop: str) -> list[str]:
    return [c["mainsnak"]["datavalue"]["value"]["id"] for c in entity["claims"].get(prop, [])]


def test_linked_titles_resolve_to_people_and_places(
    client: httpx.Client, bundled: SampleWorld
) -> None:
    found = _entities(
        client, bundled, sites="enwiki", titles="Bill Clinton|Agra|Abu Dhabi", props="claims"
    )
    clinton = found["Q990008010"]
    assert _claim_ids(clinton, "P31") == ["Q5"]
    assert _claim_ids(found["Q990008101"], "P31") == ["Q515"]  # Abu Dhabi: a city, no person
    assert any(key.startswith("-") for key in found)  # "Agra" is not a linked page here


def test_places_answer_their_p131_chain(client: httpx.Client, bundled: SampleWorld) -> None:
    paris = _entities(client, bundled, ids="Q90", props="claims|labels")["Q90"]
    (region,) = _claim_ids(paris, "P131")
    ile = _entities(client, bundled, ids=region, props="claims|labels")[region]
    assert ile["labels"]["en"]["value"] == "Île-de-France"
    assert _claim_ids(ile, "P31") == ["Q10864048"]
    assert "P131" not in ile["claims"]  # the chain ends below the country
