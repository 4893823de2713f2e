"""The Wikibase API: entity shape against a recorded entity, claim values, limits, missing ids."""

from __future__ import annotations

from typing import Any

import httpx

from rswk.sampleworld.server import SampleWorld
from tests.sampleworld.conftest import reference, shape

# Dict keys that are ids or language codes, not field names.
WILD = frozenset(
    {".labels", ".descriptions", ".aliases", ".sitelinks", ".claims"}
    | {".claims.*[].qualifiers", ".claims.*[].qualifiers.*[].datavalue"}
)


def get_entities(client: httpx.Client, server: SampleWorld, **params: str) -> Any:
    response = client.get(
        server.urls()["wikidata"], params={"action": "wbgetentities", "format": "json", **params}
    )
    assert response.status_code == 200
    return response.json()


def test_landmark_entity_matches_live_shape(client: httpx.Client, server: SampleWorld) -> None:
    envelope = get_entities(client, server, ids="Q243")
    assert set(envelope) == set(reference("wikidata/wbgetentities_response.json"))
    mine = envelope["entities"]["Q243"]
    live = shape(reference("wikidata/Q2112_entity_HEAD.json"), WILD)
    assert shape(mine, WILD) <= live
    assert list(mine)[:7] == ["pageid", "ns", "title", "lastrevid", "modified", "type", "id"]
    assert mine["sitelinks"]["enwiki"] == {"site": "enwiki", "title": "Eiffel Tower", "badges": []}


def value(entity: dict[str, Any], prop: str, index: int = 0) -> Any:
    return entity["claims"][prop][index]["mainsnak"]["datavalue"]["value"]


def test_claim_values(client: httpx.Client, server: SampleWorld) -> None:
    entities = get_entities(client, server, ids="Q243|Q9202", props="claims")["entities"]
    eiffel, liberty = entities["Q243"], entities["Q9202"]
    assert value(eiffel, "P17")["id"] == "Q142" and value(liberty, "P17")["id"] == "Q30"
    # P31 statements come in no meaningful order (as the query service gives classes).
    assert sorted(v["mainsnak"]["datavalue"]["value"]["id"] for v in eiffel["claims"]["P31"]) == [
        "Q12518",
        "Q570116",
    ]
    assert value(eiffel, "P571")["time"] == "+1887-00-00T00:00:00Z"
    assert value(eiffel, "P571")["precision"] == 9
    assert value(liberty, "P571")["time"] == "-0500-00-00T00:00:00Z"
    assert value(eiffel, "P625")["latitude"] == 48.858222
    assert value(eiffel, "P2046") == {
        "amount": "+15625",
        "unit": "http://www.wikidata.org/entity/Q25343",
    }
    assert value(eiffel, "P2048")["unit"] == "http://www.wikidata.org/entity/Q11573"
    assert value(eiffel, "P131")["id"] == "Q90"
    assert value(eiffel, "P6375") == {"text": "5 avenue Anatole-France", "language": "fr"}
    opening, renovation = eiffel["claims"]["P793"]
    assert opening["qualifiers"]["P585"][0]["datavalue"]["value"]["time"].startswith("+1889")
    assert "qualifiers" not in renovation
    assert set(eiffel) == {"type", "id", "claims"}  # props=claims leaves the rest out


def test_referenced_and_missing_entities(client: httpx.Client, server: SampleWorld) -> None:
    ids = "Q142|Q20882|Q900003|Q12518|Q1"
    entities = get_entities(client, server, ids=ids, languages="en")["entities"]
    assert entities["Q142"]["labels"]["en"]["value"] == "France"
    assert entities["Q142"]["claims"]["P297"][0]["mainsnak"]["datavalue"]["value"] == "FR"
    assert entities["Q20882"]["labels"]["en"]["value"] == "Gustave Eiffel"
    assert entities["Q900003"]["labels"]["en"]["value"] == "opening"
    assert entities["Q12518"]["labels"]["en"]["value"] == "tower"
    assert entities["Q1"] == {"id": "Q1", "missing": ""}


def test_languages_filter_terms(client: httpx.Client, server: SampleWorld) -> None:
    entity = get_entities(client, server, ids="Q243", languages="fr")["entities"]["Q243"]
    assert entity["labels"] == {"fr": {"language": "fr", "value": "tour Eiffel"}}


def test_limits_and_errors(client: httpx.Client, server: SampleWorld) -> None:
    ids = "|".join(f"Q95{i:05d}" for i in range(51))
    assert get_entities(client, server, ids=ids)["error"]["code"] == "toomanyvalues"
    fifty = get_entities(client, server, ids="|".join(f"Q95{i:05d}" for i in range(50)))
    assert len(fifty["entities"]) == 50 and fifty["success"] == 1
    assert get_entities(client, server, ids="Pizza")["error"]["code"] == "no-such-entity"
    assert get_entities(client, server)["error"]["code"] == "param-missing"


def test_sites_and_titles(client: httpx.Client, server: SampleWorld) -> None:
    entities = get_entities(client, server, sites="frwiki", titles="Tour Eiffel|Rien")["entities"]
    assert "Q243" in entities
    assert entities["-1"] == {"site": "frwiki", "title": "Rien", "missing": ""}
