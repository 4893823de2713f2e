"""Fault injection: kinds at their rates, determinism, the consecutive cap, and retrying clients."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from rswk.sampleworld.faults import FaultConfig, FaultInjector
from rswk.sampleworld.latency import Latency
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.server import SampleWorld, load_route_modules
from tests.sampleworld.tiny_world import tiny_world

DRAWS = 2000


def kind_counts(config: FaultConfig, maxlag_eligible: bool) -> Counter[str]:
    injector = FaultInjector(config, seed=11)
    return Counter(
        str(injector.decide(f"GET /x [('n', '{i}')]", maxlag_eligible)[0]) for i in range(DRAWS)
    )


@pytest.mark.parametrize("eligible", [True, False])
def test_each_kind_occurs_at_its_share_of_the_rate(eligible: bool) -> None:
    counts = kind_counts(FaultConfig(rate=0.4), eligible)
    kinds = ["429", "5xx", "slow", "truncated"] + (["maxlag"] if eligible else [])
    for kind in kinds:
        assert counts[kind] / DRAWS == pytest.approx(0.4 / len(kinds), abs=0.03), kind
    assert counts["None"] / DRAWS == pytest.approx(0.6, abs=0.04)
    assert eligible or counts["maxlag"] == 0


def test_per_kind_rate_overrides_the_shared_rate() -> None:
    counts = kind_counts(FaultConfig(rate=0.0, rate_429=0.25, rate_maxlag=0.1), True)
    assert counts["429"] / DRAWS == pytest.approx(0.25, abs=0.03)
    assert counts["maxlag"] / DRAWS == pytest.approx(0.1, abs=0.02)
    assert counts["5xx"] == counts["slow"] == counts["truncated"] == 0


def test_decisions_are_deterministic_and_capped() -> None:
    config = FaultConfig(rate=1.0, max_consecutive=2)
    first, second = FaultInjector(config, seed=5), FaultInjector(config, seed=5)
    runs = [[inj.decide("GET /same []", False)[0] for _ in range(9)] for inj in (first, second)]
    assert runs[0] == runs[1]
    assert [kind is None for kind in runs[0]] == [False, False, True] * 3


def test_unknown_fault_option_is_rejected() -> None:
    with pytest.raises(ValueError, match="rate_418"):
        FaultConfig.model_validate({"rate": 0.1, "rate_418": 0.5})


@pytest.fixture(scope="module")
def faulty() -> Iterator[SampleWorld]:
    config = FaultConfig(rate=0.6, slow_seconds=0.3, retry_after_seconds=0)
    with SampleWorld(tiny_world(filler=30), faults=config, seed=2) as world:
        yield world


def fetch_with_retries(client: httpx.Client, url: str, params: dict[str, str]) -> httpx.Response:
    """What a polite client does: retry 429/5xx/timeouts/bad JSON/maxlag up to 3 times."""
    for _ in range(4):
        try:
            response = client.get(url, params=params, timeout=0.1)
        except httpx.TimeoutException:
            continue
        if response.status_code != 200:
            continue
        try:
            body = response.json()
        except ValueError:
            continue
        if body.get("error", {}).get("code") == "maxlag":
            continue
        return response
    raise AssertionError(f"no answer after 4 attempts: {url} {params}")


def test_a_retrying_client_gets_every_right_answer(faulty: SampleWorld) -> None:
    mediawiki = faulty.urls()["mediawiki"].replace("{lang}", "en")
    page_query = {"action": "query", "format": "json", "prop": "pageprops", "maxlag": "5"}
    entity_query = {"action": "wbgetentities", "format": "json", "maxlag": "5"}
    requests = [(mediawiki, {**page_query, "titles": f"Filler church {i}"}) for i in range(20)]
    requests += [
        (faulty.urls()["wikidata"], {**entity_query, "ids": f"Q95{i:05d}"}) for i in range(20)
    ]
    with httpx.Client() as client:
        for i, (url, params) in enumerate(requests):
            body = fetch_with_retries(client, url, params).json()
            if "entities" in body:
                assert list(body["entities"]) == [f"Q95{i - 20:05d}"]
            else:
                page = next(iter(body["query"]["pages"].values()))
                assert page["pageprops"]["wikibase_item"] == f"Q95{i:05d}"
    faults = faulty.stats()["faults"]
    assert set(faults) == {"429", "5xx", "slow", "truncated", "maxlag"}


def test_fault_responses_look_like_the_real_ones() -> None:
    world = tiny_world()
    params = {"action": "query", "format": "json", "prop": "info", "titles": "Eiffel Tower"}
    cases = {
        "maxlag": FaultConfig(rate_maxlag=1.0, retry_after_seconds=1),
        "429": FaultConfig(rate_429=1.0, retry_after_seconds=1),
        "5xx": FaultConfig(rate_5xx=1.0),
        "truncated": FaultConfig(rate_truncated=1.0),
    }
    for kind, config in cases.items():
        with SampleWorld(world, faults=config) as server, httpx.Client() as client:
            url = server.urls()["mediawiki"].replace("{lang}", "en")
            response = client.get(url, params={**params, "maxlag": "5"})
            plain = client.get(url, params=params)
            if kind == "maxlag":
                error = response.json()["error"]
                assert response.status_code == 200 and error["code"] == "maxlag"
                assert error["lag"] == 7 and "seconds lagged" in error["info"]
                assert response.headers["Retry-After"] == "1"
                assert response.headers["X-Database-Lag"] == "7"
                assert "query" in plain.json()  # no maxlag= means no maxlag refusal
            elif kind == "429":
                assert response.status_code == 429 and response.headers["Retry-After"] == "1"
            elif kind == "5xx":
                assert response.status_code in (500, 503)
            else:
                with pytest.raises(ValueError):
                    response.json()
                assert response.status_code == 200


def test_latency_delays_each_answer() -> None:
    with SampleWorld(tiny_world(), latency_ms=80) as server:
        started = time.perf_counter()
        httpx.get(server.urls()["wikidata"], params={"action": "wbgetentities", "ids": "Q243"})
        assert time.perf_counter() - started >= 0.08


def _slow_answer(request: Request, ctx: ServerContext) -> Response:
    time.sleep(0.4)  # an answer that takes the server longer than its latency to make
    return json_response({"slow": True}, items=1)


def test_latency_is_the_whole_answer_time_so_slow_work_is_not_slowed_further() -> None:
    """A live service's latency holds its own work: the server waits out only what the answer
    has not taken already, so a benchmark measures the client, not the server's rendering."""
    load_route_modules()
    routes = ROUTES.copy()
    routes.route("/slow", "slow", methods=("GET",))(_slow_answer)
    routes.add_url("slow", lambda base: f"{base}/slow")
    latency = Latency.parse("0,slow=300")
    with SampleWorld(tiny_world(), latency_ms=latency, routes=routes) as server:
        started = time.perf_counter()
        assert httpx.get(server.urls()["slow"]).json() == {"slow": True}
        elapsed = time.perf_counter() - started
    assert 0.4 <= elapsed < 0.65  # not 0.4 + 0.3


def test_latency_per_endpoint_overrides_the_default() -> None:
    latency = Latency.parse("0,wikidata=150")
    with SampleWorld(tiny_world(), latency_ms=latency) as server, httpx.Client() as client:
        timings = {}
        for name, params in (
            ("wikidata", {"action": "wbgetentities", "ids": "Q243"}),
            ("mediawiki", {"action": "query", "format": "json", "titles": "T"}),
        ):
            url = server.urls()[name].replace("{lang}", "en")
            started = time.perf_counter()
            client.get(url, params=params)
            timings[name] = time.perf_counter() - started
    assert timings["wikidata"] >= 0.15
    assert timings["mediawiki"] < 0.15


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150", Latency(150.0)),
        ("20, tiles=60,sh_process=400", Latency(20.0, {"tiles": 60.0, "sh_process": 400.0})),
        ("tiles=60", Latency(0.0, {"tiles": 60.0})),
    ],
)
def test_latency_parses_the_command_line_form(text: str, expected: Latency) -> None:
    assert Latency.parse(text) == expected
    assert Latency.parse(expected.describe()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("fast", "'fast' is not a latency"), ("tiles=-5", "must be >= 0 ms")],
)
def test_latency_rejects_bad_values(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Latency.parse(text)


def test_latency_for_an_unknown_endpoint_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"no sample-world endpoint tile for a latency.*tiles"):
        SampleWorld(tiny_world(), latency_ms=Latency.parse("tile=60"))


def test_kinds_over_http_at_their_rates_and_counted() -> None:
    config = FaultConfig(rate=0.5, slow_seconds=0.0, retry_after_seconds=0)
    statuses: Counter[int] = Counter()
    with SampleWorld(tiny_world(), faults=config, seed=4) as server, httpx.Client() as client:
        url = server.urls()["mediawiki"].replace("{lang}", "en")
        for i in range(300):
            params = {"action": "query", "format": "json", "maxlag": "5", "titles": f"T{i}"}
            statuses[client.get(url, params=params).status_code] += 1
        stats = server.stats()
    faults = stats["faults"]
    for kind in ("429", "5xx", "slow", "truncated", "maxlag"):
        assert 12 <= faults[kind] <= 50, (kind, faults)  # expected 30 each (0.5 / 5 * 300)
    assert statuses[429] == faults["429"] == stats["statuses"]["mediawiki"]["429"]
    assert statuses[500] + statuses[503] == faults["5xx"]
