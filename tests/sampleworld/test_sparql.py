"""The SPARQL endpoint answers the discovery crawler's query like the Wikidata Query Service."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crawlers.discover_query import build_discovery_query
from crawlers.landmark_classes import LANDMARK_CLASSES
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.sparql import parse_discovery_query
from tests.sampleworld.conftest import reference, shape

ENTITY = "http://www.wikidata.org/entity/"
BINDINGS = frozenset({".results.bindings[]"})


def run_query(client: httpx.Client, server: SampleWorld, text: str, post: bool = False) -> Any:
    url = server.urls()["sparql"]
    if post:
        response = client.post(url, data={"query": text, "format": "json"})
    else:
        response = client.get(url, params={"query": text, "format": "json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return response.json()


def test_parse_reads_every_marker() -> None:
    query = parse_discovery_query(build_discovery_query("fr", ["Q12518", "Q9259"], ["fr"], 7))
    assert query.iso2 == "FR"
    assert query.classes == ("Q12518", "Q9259")
    assert query.wikis == ("fr",)
    assert query.label_languages == ("fr", "en")
    assert query.limit == 7


def test_answer_matches_live_result_shape(client: httpx.Client, server: SampleWorld) -> None:
    live = reference("wikidata/sparql_results_with_optional_values.json")
    text = build_discovery_query("FR", list(LANDMARK_CLASSES), ["fr", "en"], 100)
    mine = run_query(client, server, text)
    assert shape(mine, BINDINGS) == shape(live, BINDINGS)
    assert mine["head"]["vars"] == [
        "item",
        "itemLabel",
        "sitelinks",
        "coord",
        "classes",
        "articles",
        "country",
        "matching",
    ]
    eiffel = mine["results"]["bindings"][0]
    assert eiffel["item"] == {"type": "uri", "value": ENTITY + "Q243"}
    assert eiffel["itemLabel"] == {"xml:lang": "fr", "type": "literal", "value": "tour Eiffel"}
    assert eiffel["sitelinks"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert eiffel["coord"] == {
        "datatype": "http://www.opengis.net/ont/geosparql#wktLiteral",
        "type": "literal",
        "value": "Point(2.2945 48.858222)",
    }
    assert eiffel["classes"]["value"] == f"{ENTITY}Q12518 {ENTITY}Q570116"
    assert eiffel["articles"]["value"] == "fr:Tour Eiffel|en:Eiffel Tower"


def test_filters_orders_and_limits(client: httpx.Client, server: SampleWorld) -> None:
    text = build_discovery_query("FR", ["Q12518", "Q4989906", "Q16970"], ["en"], 5)
    rows = run_query(client, server, text, post=True)["results"]["bindings"]
    assert len(rows) == 5
    keys = [(-int(r["sitelinks"]["value"]), r["item"]["value"]) for r in rows]
    assert keys == sorted(keys)  # DESC(?sitelinks), then the item IRI as a string
    everything = build_discovery_query("FR", ["Q12518", "Q4989906", "Q16970"], ["en"], 1000)
    all_rows = run_query(client, server, everything)["results"]["bindings"]
    # The count sub-query: every row carries what the query matched before its LIMIT.
    assert {r["matching"]["value"] for r in rows} == {str(len(all_rows))} and len(all_rows) > 5
    assert rows[0]["country"] == {"type": "uri", "value": ENTITY + "Q142"}  # France
    uncounted = everything.replace("AS ?matching", "AS ?other")
    plain = run_query(client, server, uncounted)
    assert "matching" not in plain["head"]["vars"]
    assert "matching" not in plain["results"]["bindings"][0]
    qids = [r["item"]["value"].removeprefix(ENTITY) for r in all_rows]
    assert "Q9202" not in qids  # another country
    assert "Q900012" not in qids  # a castle: not in the class list
    no_coord = next(r for r in all_rows if r["item"]["value"].endswith("Q900010"))
    assert "coord" not in no_coord
    assert no_coord["itemLabel"] == {"type": "literal", "value": "Q900010"}  # no en/fr label


@pytest.mark.parametrize(
    "text", ["SELECT ?s WHERE { ?s ?p ?o }", 'SELECT ?x WHERE { ?c wdt:P297 "FR" . }']
)
def test_other_queries_are_a_400(client: httpx.Client, server: SampleWorld, text: str) -> None:
    response = client.get(server.urls()["sparql"], params={"query": text})
    assert response.status_code == 400
    assert "discovery query" in response.text
