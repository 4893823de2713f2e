"""The Wikimedia API etiquette in the Scrapy settings and middleware."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.api_etiquette import is_api_php, maxlag_delay, truncated_json, with_maxlag
from crawlers.cache_keys import logical_url, source_patterns
from crawlers.settings import scrapy_settings
from rswk.core.config import load_config


def _json(body: bytes, **headers: str) -> TextResponse:
    return TextResponse(
        "http://127.0.0.1/w/api.php",
        body=body,
        headers={"Content-Type": "application/json", **headers},
        request=Request("http://127.0.0.1/w/api.php"),
    )


def test_settings_follow_the_politeness_config(tmp_path: Path) -> None:
    config = load_config("world", workdir=tmp_path)
    settings = scrapy_settings(config)
    assert config.politeness.contact in settings["USER_AGENT"]
    assert settings["ROBOTSTXT_OBEY"] is False
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == config.politeness.requests_per_host == 1
    assert settings["RETRY_TIMES"] == config.politeness.retries
    assert 429 in settings["RETRY_HTTP_CODES"]
    # The world profile re-fetches answers older than 180 days (the one cache policy).
    assert settings["HTTPCACHE_EXPIRATION_SECS"] == 180 * 86_400
    assert set(settings["HTTPCACHE_IGNORE_HTTP_CODES"]) == {429, 500, 502, 503, 504}
    assert settings["HTTPCACHE_DIR"].startswith(str(tmp_path.resolve()))


def test_maxlag_is_added_to_api_calls_only() -> None:
    url = "https://fr.wikipedia.org/w/api.php?action=query&titles=A%20B"
    assert is_api_php(url)
    assert with_maxlag(url, 5).endswith("&maxlag=5")
    assert with_maxlag(with_maxlag(url, 5), 5) == with_maxlag(url, 5)
    assert not is_api_php("https://query.wikidata.org/sparql?query=x")


def test_maxlag_refusal_and_truncated_bodies_are_recognised() -> None:
    refusal = json.dumps({"error": {"code": "maxlag", "lag": 7}}).encode()
    assert maxlag_delay(_json(refusal, **{"Retry-After": "3"})) == 3.0
    assert maxlag_delay(_json(refusal, **{"Retry-After": "0"})) == 0.0
    assert maxlag_delay(_json(refusal)) == 5.0
    assert maxlag_delay(_json(b'{"query": {}}')) is None
    assert truncated_json(_json(b'{"query": {"pages": {'))
    assert not truncated_json(_json(b'{"query": {}}'))


def test_cache_keys_name_the_source_not_the_port() -> None:
    def key(port: int) -> str:
        template = f"http://127.0.0.1:{port}/wikipedia/{{lang}}/w/api.php"
        url = f"http://127.0.0.1:{port}/wikipedia/ja/w/api.php?titles=%E5%AF%8C"
        return logical_url(url, source_patterns({"mediawiki": template}))

    assert key(41000) == key(52000) == "<mediawiki:ja>?titles=%E5%AF%8C"


def test_an_answer_is_parsed_once_for_the_middleware_and_the_spider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The etiquette checks (maxlag refusal? cut short?) and the spider's callback share one
    parse of the body: parsing it three times on the crawl's one thread held up the next
    request to the host (~30 ms each for a 50-title MediaWiki answer)."""
    from crawlers.api_etiquette import ApiEtiquetteMiddleware
    from crawlers.batch_spider import parse_body

    parses = []
    real_loads = json.loads

    def counting_loads(*args: object, **kwargs: object) -> object:
        parses.append(1)
        return real_loads(*args, **kwargs)  # type: ignore[arg-type]

    crawler = get_crawler(settings_dict={"RETRY_HTTP_CODES": [429, 500]})
    middleware = ApiEtiquetteMiddleware.from_crawler(crawler)
    response = _json(b'{"query": {"pages": {"1": {"title": "A"}}}}')
    monkeypatch.setattr(json, "loads", counting_loads)
    assert middleware.process_response(response.request, response) is response
    body, why = parse_body(response)
    assert why is None and body == {"query": {"pages": {"1": {"title": "A"}}}}
    assert len(parses) == 1
    # A body cut short is still seen as such by both.
    cut = _json(b'{"query": {"pa')
    assert truncated_json(cut) and parse_body(cut) == (
        None,
        "response is not valid JSON (cut short?) after retries",
    )
