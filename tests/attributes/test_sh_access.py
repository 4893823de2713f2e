"""Sentinel Hub access: credentials from the environment only, refused credentials stop the run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawlers.attributes.sh_access import StatisticalFetcher, sh_config
from crawlers.attributes.statistical import Area, sentinel2_request
from rswk.core.config import load_config
from rswk.core.errors import RSWKError
from rswk.core.sentinelhub_access import SAMPLE_CREDENTIALS, bound_collection


class _RefusingTokens(BaseHTTPRequestHandler):
    """An OAuth endpoint that refuses every client, as a live one does a wrong secret."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": "invalid_client", "error_description": "bad secret"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def refusing_base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RefusingTokens)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_world_profile_needs_credentials_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SH_CLIENT_ID", raising=False)
    monkeypatch.delenv("SH_CLIENT_SECRET", raising=False)
    with pytest.raises(RSWKError, match="set SH_CLIENT_ID and SH_CLIENT_SECRET"):
        sh_config(load_config("world", workdir=tmp_path))
    sample = sh_config(load_config("sample", workdir=tmp_path))
    assert (sample.sh_client_id, sample.sh_client_secret) == SAMPLE_CREDENTIALS
    monkeypatch.setenv("SH_CLIENT_ID", "id-from-env")
    monkeypatch.setenv("SH_CLIENT_SECRET", "secret-from-env")
    assert sh_config(load_config("world", workdir=tmp_path)).sh_client_id == "id-from-env"
    assert "secret-from-env" not in load_config("world", workdir=tmp_path).model_dump_json()


def test_refused_credentials_stop_the_run_with_a_clear_error(
    tmp_path: Path, refusing_base: str
) -> None:
    config = load_config("sample", workdir=tmp_path).with_sources(
        {
            "sentinelhub": f"{refusing_base}/sh",
            "sentinelhub_token": f"{refusing_base}/sh/oauth/token",
        }
    )
    fetcher = StatisticalFetcher.for_project(config)
    download = sentinel2_request(
        bound_collection("sentinel-2-l2a", config.sources.sentinelhub),
        Area(48.85, 2.29, 500, 20),
        2024,
        fetcher.config,
        str(tmp_path / "cache"),
        maxcc=1.0,
    )
    with pytest.raises(RSWKError, match="refused the Sentinel Hub credentials"):
        fetcher.fetch(download)
    assert not (tmp_path / "cache").exists()


def test_a_collection_defined_elsewhere_with_the_same_definition_is_reused() -> None:
    from sentinelhub import DataCollection

    # Another part of the process (a user's code, an earlier sample world on the same port)
    # defined the land-cover collection of this URL under its own name: sentinelhub allows one
    # definition per process, so binding must hand back that one, not fail every landmark.
    url = "http://127.0.0.1:9/sh-reuse-test"
    theirs = DataCollection.define(
        "THEIR_LAND_COVER_REUSE_TEST", api_id="land-cover", service_url=url
    )
    assert bound_collection("land-cover", url + "/") is theirs
    assert bound_collection("land-cover", url) is theirs
