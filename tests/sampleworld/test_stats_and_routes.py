"""Counters and the route registry: what tests and extension routes rely on."""

from __future__ import annotations

import httpx

from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.server import SampleWorld, load_route_modules
from tests.sampleworld.tiny_world import tiny_world


def test_counters_per_endpoint_status_and_items() -> None:
    with SampleWorld(tiny_world(filler=10)) as server, httpx.Client() as client:
        urls = server.urls()
        mediawiki = urls["mediawiki"].replace("{lang}", "en")
        titles = "|".join(f"Filler church {i}" for i in range(10))
        client.get(mediawiki, params={"action": "query", "format": "json", "titles": titles})
        client.get(mediawiki, params={"action": "query", "format": "json", "titles": "Nope"})
        client.get(urls["wikidata"], params={"action": "wbgetentities", "ids": "Q243|Q1"})
        client.get(urls["sparql"], params={"query": "ASK {}"})
        client.get(urls["base"] + "/no/such/service")
        snapshot = client.get(urls["stats"]).json()
        assert snapshot == server.stats()
        assert snapshot["requests"] == {"mediawiki": 2, "wikidata": 1, "sparql": 1, "unknown": 1}
        assert snapshot["items"] == {"mediawiki": 11, "wikidata": 2}
        assert snapshot["statuses"]["sparql"] == {"400": 1}
        assert snapshot["statuses"]["unknown"] == {"404": 1}
        assert snapshot["faults"] == {}
        reset = client.post(urls["stats"] + "/reset")
        assert reset.json()["requests"] == {}
        assert server.stats()["requests"] == {}  # /_stats calls are never counted


def test_unknown_path_and_wrong_method_are_json_errors() -> None:
    with SampleWorld(tiny_world()) as server:
        missing = httpx.get(server.base_url + "/tiles/1/2/3.png")
        assert missing.status_code == 404
        assert "no sample-world service" in missing.json()["error"]["info"]
        wrong = httpx.post(server.urls()["stats"])
        assert wrong.status_code == 405


def _echo(request: Request, ctx: ServerContext) -> Response:
    word = request.path_params["word"]
    return json_response({"word": word, "n": request.param("n"), "world": ctx.world.name}, items=1)


def test_an_extension_route_registers_without_touching_the_handlers() -> None:
    load_route_modules()
    routes = ROUTES.copy()
    routes.route("/echo/{word}", "echo", methods=("GET",))(_echo)
    routes.add_url("echo", lambda base: f"{base}/echo/{{word}}")
    with SampleWorld(tiny_world(), routes=routes) as server:
        urls = server.urls()
        assert urls["echo"] == f"{server.base_url}/echo/{{word}}"
        body = httpx.get(urls["echo"].replace("{word}", "hello"), params={"n": "3"}).json()
        assert body == {"word": "hello", "n": "3", "world": "tiny"}
        assert server.stats()["requests"] == {"echo": 1}
    assert "echo" not in ROUTES.urls("http://x")  # the global registry is untouched


def test_request_multi_values() -> None:
    request = Request("GET", "/", {"titles": ["A|B||C"]}, {"ids": ["\x1fQ1|x\x1fQ2"]}, {})
    assert request.multi("titles") == ["A", "B", "C"]
    assert request.multi("ids") == ["Q1|x", "Q2"]  # U+001F separator allows '|' in values
    assert request.param("missing", "d") == "d"
