"""The end-of-run summary names the source of every request, the knowledge stage's included."""

from __future__ import annotations

from pathlib import Path

import httpx

from rswk.core.config import Politeness
from rswk.core.countries import CountryRegistry
from rswk.core.http import PoliteTransport
from rswk.core.run_summary import RunSummary
from rswk.core.source_limits import WIKIMEDIA_SOURCE, counts_since, request_counts
from rswk.core.stage_executors import LocalStageExecutor
from rswk.pipeline import run_pipeline
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld
from tests.scale.support import sample_config

COUNTRIES = ["FR", "PT"]
WIKIMEDIA_ENDPOINTS = ("mediawiki", "wikidata", "sparql")


def test_a_named_transport_counts_its_requests_by_name_not_host() -> None:
    answer = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    named = PoliteTransport(Politeness(), inner=answer, source_name="wikimedia")
    unnamed = PoliteTransport(Politeness(), inner=answer)
    before = request_counts()
    httpx.Client(transport=named).get("http://127.0.0.1:9/w/api.php?action=query")
    httpx.Client(transport=unnamed).get("http://127.0.0.1:9/other")
    assert counts_since(before) == {"wikimedia": 1, "127.0.0.1": 1}


def test_knowledge_requests_are_counted_as_wikimedia_in_the_summary(tmp_path: Path) -> None:
    with SampleWorld(load_world("bundled")) as world:
        config = sample_config(tmp_path, world.urls())
        registry = CountryRegistry.from_dir()
        executor = LocalStageExecutor(config)
        run_pipeline(config, registry, COUNTRIES, stages=("discover", "locate"), executor=executor)
        world.reset_stats()
        summary = RunSummary()
        run_pipeline(
            config, registry, COUNTRIES, stages=("knowledge",), executor=executor, summary=summary
        )
        answered = world.stats()["requests"]
    (row,) = summary.lines
    # One source, named as the crawl stages name it, holding every request the world answered.
    assert list(row.requests) == [WIKIMEDIA_SOURCE]
    wikimedia = sum(n for endpoint, n in answered.items() if endpoint in WIKIMEDIA_ENDPOINTS)
    assert row.requests[WIKIMEDIA_SOURCE] == wikimedia == sum(answered.values()) > 0
