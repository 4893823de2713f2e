"""The MediaWiki API: shapes against recorded live responses, traps, batching, continuation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import wikipediaapi

from rswk.sampleworld.server import SampleWorld
from tests.sampleworld.conftest import reference, shape

BASE = {"action": "query", "format": "json", "redirects": "1"}
PAGES = frozenset({".query.pages"})


def ask(client: httpx.Client, server: SampleWorld, lang: str = "en", **params: str) -> Any:
    url = server.urls()["mediawiki"].replace("{lang}", lang)
    response = client.get(url, params={**BASE, **params})
    assert response.status_code == 200
    return response.json()


def test_coordinates_match_live_shape(client: httpx.Client, server: SampleWorld) -> None:
    ref = reference("mediawiki/coordinates__TestVcrAsyncPagesDictCoordinates.test_default_0.json")
    mine = ask(client, server, **{**ref["request_params"], "titles": "Eiffel Tower|Quiet Castle"})
    assert shape(mine, PAGES) == shape(ref["response"], PAGES)
    eiffel = mine["query"]["pages"]["9232"]["coordinates"][0]
    assert (eiffel["lat"], eiffel["lon"], eiffel["primary"]) == (48.858222, 2.2945, "")
    assert "coordinates" not in mine["query"]["pages"]["900012"]  # article without coordinates


def test_coprop_and_coprimary(client: httpx.Client, server: SampleWorld) -> None:
    country = ask(client, server, prop="coordinates", titles="Eiffel Tower", coprop="country")
    assert country["query"]["pages"]["9232"]["coordinates"] == [
        {"lat": 48.858222, "lon": 2.2945, "primary": "", "country": "FR"}
    ]
    secondary = ask(
        client, server, prop="coordinates", titles="Eiffel Tower", coprimary="secondary"
    )
    assert "coordinates" not in secondary["query"]["pages"]["9232"]


def test_extracts_match_live_shape(client: httpx.Client, server: SampleWorld) -> None:
    ref = reference("mediawiki/extracts__TestVcrAsyncPageExtractProps.test_section_by_title_0.json")
    mine = ask(client, server, **{**ref["request_params"], "titles": "Eiffel_Tower"})
    assert shape(mine, PAGES) == shape(ref["response"], PAGES)
    assert mine["query"]["normalized"] == [{"from": "Eiffel_Tower", "to": "Eiffel Tower"}]
    assert "\n\n\n== History ==\nIn 1887" in mine["query"]["pages"]["9232"]["extract"]


@pytest.mark.parametrize("case", ["exists_true", "exists_false"])
def test_info_matches_live_shape(client: httpx.Client, server: SampleWorld, case: str) -> None:
    ref = reference(f"mediawiki/info__TestVcrAsyncPageExistence.test_{case}_0.json")
    title = "Eiffel_Tower" if case == "exists_true" else "No_such_landmark"
    mine = ask(client, server, **{**ref["request_params"], "titles": title})
    assert shape(mine, PAGES) <= shape(ref["response"], PAGES)
    page = next(iter(mine["query"]["pages"].values()))
    if case == "exists_true":
        assert {"pageid", "lastrevid", "length", "touched"} <= set(page)
        assert page["fullurl"] == "https://en.wikipedia.org/wiki/Eiffel_Tower"
    else:
        assert page["missing"] == "" and page["title"] == "No such landmark"


def test_redirects_missing_and_disambiguation(client: httpx.Client, server: SampleWorld) -> None:
    titles = "Tour Eiffel|Nope one|Mercury Tower|Nope two"
    body = ask(client, server, prop="pageprops", titles=titles)
    query = body["query"]
    assert query["redirects"] == [{"from": "Tour Eiffel", "to": "Eiffel Tower"}]
    assert query["pages"]["-1"] == {"ns": 0, "title": "Nope one", "missing": ""}
    assert query["pages"]["-2"] == {"ns": 0, "title": "Nope two", "missing": ""}
    assert query["pages"]["9232"]["pageprops"]["wikibase_item"] == "Q243"
    assert query["pages"]["900011"]["pageprops"] == {"disambiguation": ""}
    # Without redirects=1 the redirect page itself is answered, flagged as a redirect.
    url = server.urls()["mediawiki"].replace("{lang}", "en")
    params = {"action": "query", "format": "json", "prop": "info", "titles": "Tour Eiffel"}
    raw = client.get(url, params=params).json()
    page = next(iter(raw["query"]["pages"].values()))
    assert page["redirect"] == "" and page["title"] == "Tour Eiffel"


def test_fifty_titles_per_request_and_toomanyvalues(
    client: httpx.Client, server: SampleWorld
) -> None:
    titles = [f"Filler church {i}" for i in range(51)]
    body = ask(client, server, prop="pageprops", titles="|".join(titles[:50]))
    items = {p["pageprops"]["wikibase_item"] for p in body["query"]["pages"].values()}
    assert len(items) == 50 and "batchcomplete" in body
    too_many = ask(client, server, prop="pageprops", titles="|".join(titles))
    assert too_many["error"]["code"] == "toomanyvalues"
    assert too_many["error"]["limit"] == 50


def test_extracts_follow_exlimit_with_continue(client: httpx.Client, server: SampleWorld) -> None:
    titles = "|".join(f"Filler church {i}" for i in range(5))
    params = {"prop": "extracts|pageprops", "titles": titles, "explaintext": "1"}
    first = ask(client, server, **params)
    with_extract = [p for p in first["query"]["pages"].values() if "extract" in p]
    assert len(with_extract) == 1 and "batchcomplete" not in first
    assert first["continue"] == {"excontinue": 1, "continue": "||pageprops"}
    seen = {with_extract[0]["title"]}
    body = first
    while "continue" in body:
        body = ask(client, server, **params, **{k: str(v) for k, v in body["continue"].items()})
        pages = body["query"]["pages"].values()
        assert all("pageprops" not in p for p in pages)  # finished props are not repeated
        seen |= {p["title"] for p in pages if "extract" in p}
    assert len(seen) == 5
    many = ask(client, server, **params, exlimit="20")
    assert sum("extract" in p for p in many["query"]["pages"].values()) == 5


def test_colimit_counts_over_all_pages(client: httpx.Client, server: SampleWorld) -> None:
    titles = "|".join(f"Filler church {i}" for i in range(12))
    body = ask(client, server, prop="coordinates", titles=titles)
    assert sum("coordinates" in p for p in body["query"]["pages"].values()) == 10
    assert "cocontinue" in body["continue"]
    rest = ask(client, server, prop="coordinates", titles=titles, **body["continue"])
    assert sum("coordinates" in p for p in rest["query"]["pages"].values()) == 2


def test_only_json_and_query(client: httpx.Client, server: SampleWorld) -> None:
    assert ask(client, server, format="xml")["error"]["code"] == "badvalue"
    assert ask(client, server, action="parse")["error"]["code"] == "badvalue"


class _ToSampleWorld(httpx.HTTPTransport):
    """Sends https://{lang}.wikipedia.org/w/api.php to the sample world's MediaWiki URL."""

    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        lang = request.url.host.split(".")[0]
        target = httpx.URL(self.template.replace("{lang}", lang))
        request.url = target.copy_with(query=request.url.query)
        return super().handle_request(request)


def test_wikipedia_api_library_reads_a_landmark(server: SampleWorld) -> None:
    wiki = wikipediaapi.Wikipedia(
        user_agent="rswk-tests/0.1 (https://example.org/rswk; tests@example.org)",
        language="fr",
        transport=_ToSampleWorld(server.urls()["mediawiki"]),
    )
    page = wiki.page("Tour Eiffel")
    assert page.exists()
    assert page.summary.startswith("La tour Eiffel est une tour")
    assert [s.title for s in page.sections] == ["Histoire"]
    coords = page.coordinates
    assert (coords[0].lat, coords[0].lon) == (48.858222, 2.2945)
    assert not wiki.page("Pas de page").exists()
