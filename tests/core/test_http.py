"""The polite HTTP layer: retries what should be retried, caches what is final, says who it is."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rswk.core.config import Politeness
from rswk.core.http import DiskCache, FetchFailed, PoliteTransport, polite_client

FAST = Politeness(timeout_s=0.5, backoff_s=0.01, max_backoff_s=0.05, retries=3, contact="t@e.org")


class Script:
    """Answers per path: a list of (status, headers, body) consumed one per request."""

    def __init__(self) -> None:
        self.plans: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.seen: list[tuple[str, dict[str, list[str]], str]] = []


def make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            script.seen.append((parts.path, parse_qs(parts.query), self.headers["user-agent"]))
            plan = script.plans.get(parts.path, [])
            status, headers, body = plan.pop(0) if len(plan) > 1 else plan[0]
            self.send_response(status)
            for key, value in {"content-type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(script))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", script
    httpd.shutdown()


OK: tuple[int, dict[str, str], bytes] = (200, {}, json.dumps({"ok": 1}).encode())


def test_retries_429_maxlag_and_truncated_json_then_caches(
    server: tuple[str, Script], tmp_path: Path
) -> None:
    base, script = server
    maxlag = json.dumps({"error": {"code": "maxlag", "info": "lagged", "lag": 7}}).encode()
    script.plans["/w/api.php"] = [
        (429, {"retry-after": "0"}, b"slow down"),
        (200, {"retry-after": "0"}, maxlag),
        (200, {}, b'{"query": {"pag'),
        OK,
    ]
    with polite_client(FAST, cache_dir=tmp_path) as client:
        response = client.get(f"{base}/w/api.php", params={"action": "query"})
        assert response.json() == {"ok": 1}
        counts = client._transport.counts  # type: ignore[attr-defined]
        assert counts["retries"] == 3 and counts["maxlag"] == 1 and counts["truncated"] == 1
    assert len(script.seen) == 4
    _path, params, user_agent = script.seen[0]
    assert params["maxlag"] == ["5"], "API requests carry maxlag"
    assert "RSWK" in user_agent and "t@e.org" in user_agent
    with polite_client(FAST, cache_dir=tmp_path) as client:
        assert client.get(f"{base}/w/api.php", params={"action": "query"}).json() == {"ok": 1}
    assert len(script.seen) == 4, "a rerun is answered from the disk cache"


def test_gives_up_with_fetch_failed(server: tuple[str, Script]) -> None:
    base, script = server
    script.plans["/down"] = [(503, {}, b"{}")]
    with polite_client(FAST) as client, pytest.raises(FetchFailed, match="HTTP 503 after 3"):
        client.get(f"{base}/down")
    assert len(script.seen) == 4


def test_rewrite_sends_live_urls_to_the_configured_host(server: tuple[str, Script]) -> None:
    base, script = server
    script.plans["/wikipedia/fr/w/api.php"] = [OK]
    target = httpx.URL(base)

    def rewrite(url: httpx.URL) -> httpx.URL:
        lang = url.host.split(".")[0]
        return url.copy_with(
            scheme=target.scheme,
            host=target.host,
            port=target.port,
            path=f"/wikipedia/{lang}{url.path}",
        )

    with polite_client(FAST, rewrite=rewrite) as client:
        assert client.get("https://fr.wikipedia.org/w/api.php").json() == {"ok": 1}
    assert script.seen[0][0] == "/wikipedia/fr/w/api.php"


def test_text_bodies_are_cached_compressed_and_read_back_as_sent(tmp_path: Path) -> None:
    series = {"daily": {"time": [f"2014-01-{d:02d}" for d in range(1, 29)] * 130}}
    body = json.dumps(series).encode()
    image = bytes(range(256)) * 40

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/image":
            return httpx.Response(200, content=image, headers={"content-type": "image/jpeg"})
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    transport = PoliteTransport(FAST, cache_dir=tmp_path, inner=httpx.MockTransport(answer))
    with httpx.Client(transport=transport) as client:
        client.get("https://example.org/climate")
        client.get("https://example.org/image")
    cache = DiskCache(tmp_path)
    climate = cache.get(httpx.Request("GET", "https://example.org/climate"))
    picture = cache.get(httpx.Request("GET", "https://example.org/image"))
    assert climate is not None and climate.content == body
    assert picture is not None and picture.content == image
    sizes = {p.stat().st_size for p in tmp_path.rglob("*.http")}
    assert min(sizes) < len(body) / 10  # the JSON, compressed
    assert max(sizes) > len(image)  # the image, stored as it came (plus its header line)
    assert cache.forget("https://example.org/image")
    assert cache.get(httpx.Request("GET", "https://example.org/image")) is None
