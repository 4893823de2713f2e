"""Statistical API answers read as the service writes them: failure shapes are failures.

A small local server plays the Statistical API (token endpoint, `/api/v1/statistics`, climate)
and answers from a script per collection, in the shapes of the recorded answers in
/work/shared/reference/sentinelhub (`status`, top-level `error`, `data`).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawlers.attributes.measure import Measurer, TransientFailure
from crawlers.attributes.sh_access import (
    StatisticalFetcher,
    Unreachable,
    cache_folder,
    statistical_failure,
)
from crawlers.attributes.statistical import Area, parse_sentinel2, sentinel2_request
from rswk.core.config import CacheConfig, Politeness, ProjectConfig, load_config
from rswk.core.http import polite_client
from rswk.core.records import LocatedLandmark
from rswk.core.sentinelhub_access import bound_collection
from rswk.sampleworld.upstream import located_record
from tests.attributes.answers import climate_answer, s2_answer, s2_month

YEAR = 2024
SERVED_AT = "Tue, 02 Jul 2024 10:11:12 GMT"
REFERENCE = Path("/work/shared/reference/sentinelhub")
FAILED_STATUS = {"status": "FAILED", "data": [], "error": None}
TOP_LEVEL_ERROR = {"error": "COMMON_BAD_PAYLOAD"}  # the recorded failed result's shape
DATA_NULL = {"status": "OK", "data": None}


class Script:
    """What the fake service answers, per collection type, one entry per request (the last one
    repeats); counts requests per collection."""

    def __init__(self) -> None:
        self.answers: dict[str, list[dict[str, Any]]] = {}
        self.requests: defaultdict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def next(self, collection: str) -> dict[str, Any]:
        with self.lock:
            queue = self.answers.get(collection) or [{"status": "OK", "data": []}]
            self.requests[collection] += 1
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return SERVED_AT  # a fixed Date header: provenance must carry it

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/oauth/token"):
                self._send({"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
                return
            payload = json.loads(raw)
            self._send(script.next(payload["input"]["data"][0]["type"]))

        def do_GET(self) -> None:
            self._send(climate_answer(days=30, seed=1))

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@pytest.fixture
def service() -> Iterator[tuple[str, Script]]:
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()


def project(tmp_path: Path, base: str) -> ProjectConfig:
    config = load_config("sample", workdir=tmp_path).with_sources(
        {
            "sentinelhub": base,
            "sentinelhub_token": f"{base}/oauth/token",
            "climate": f"{base}/climate",
        }
    )
    quick = Politeness(retries=2, backoff_s=0.0, max_backoff_s=0.0, timeout_s=5.0)
    return config.model_copy(update={"politeness": quick})


def s2_download(config: ProjectConfig, fetcher: StatisticalFetcher) -> list[Any]:
    return sentinel2_request(
        bound_collection("sentinel-2-l2a", config.sources.sentinelhub),
        Area(48.85, 2.29, 500, 20),
        YEAR,
        fetcher.config,
        str(cache_folder(config)),
        maxcc=1.0,
    )


def test_recorded_answer_shapes_are_classified() -> None:
    recorded_failed = json.loads(
        (REFERENCE / "tests_TestInputs_normal_stat_failed_result.json").read_text()
    )
    recorded_ok = json.loads((REFERENCE / "tests_TestInputs_normal_stat_result.json").read_text())
    recorded_partial = json.loads(
        (REFERENCE / "tests_TestInputs_normal_stat_partial_result.json").read_text()
    )
    assert "COMMON_BAD_PAYLOAD" in (
        statistical_failure(json.dumps(recorded_failed[0]).encode()) or ""
    )
    assert statistical_failure(json.dumps(recorded_ok[0]).encode()) is None
    # A partial answer is an answer: its failed interval is one absent month, not a failure.
    assert statistical_failure(json.dumps(recorded_partial[0]).encode()) is None
    assert "FAILED" in (statistical_failure(json.dumps(FAILED_STATUS).encode()) or "")
    assert "data: null" in (statistical_failure(json.dumps(DATA_NULL).encode()) or "")
    assert "not whole JSON" in (statistical_failure(b'{"data": [') or "")


@pytest.mark.parametrize(
    "failure", [FAILED_STATUS, TOP_LEVEL_ERROR, DATA_NULL], ids=["status", "error", "null"]
)
def test_failure_shapes_are_retried_never_cached_and_heal_on_the_next_run(
    tmp_path: Path, service: tuple[str, Script], failure: dict[str, Any]
) -> None:
    base, script = service
    config = project(tmp_path, base)
    script.answers["sentinel-2-l2a"] = [failure]
    fetcher = StatisticalFetcher.for_project(config)
    download = s2_download(config, fetcher)
    with pytest.raises(Unreachable, match="after 3 attempts"):
        fetcher.fetch(download)
    assert script.requests["sentinel-2-l2a"] == 3  # retried, not read as "no acquisition"
    saved = Path(download[0].get_storage_paths()[1] or "")
    assert not saved.exists(), "a failed answer must never be cached"

    # The next run asks again and gets a real answer, which is kept and dated by the service.
    script.answers["sentinel-2-l2a"] = [s2_answer(YEAR, seed=3)]
    fetcher = StatisticalFetcher.for_project(config)
    answer = fetcher.fetch(s2_download(config, fetcher))
    assert len(answer.json["data"]) == 12
    assert format_datetime(answer.retrieved_at, usegmt=True) == SERVED_AT
    assert saved.exists()


def test_a_failure_then_an_answer_within_one_run_uses_the_answer(
    tmp_path: Path, service: tuple[str, Script]
) -> None:
    base, script = service
    config = project(tmp_path, base)
    script.answers["sentinel-2-l2a"] = [TOP_LEVEL_ERROR, s2_answer(YEAR, seed=5)]
    fetcher = StatisticalFetcher.for_project(config)
    answer = fetcher.fetch(s2_download(config, fetcher))
    assert script.requests["sentinel-2-l2a"] == 2
    assert fetcher.counts["retries"] == 1
    assert parse_sentinel2(answer.json, YEAR).absent == {}


def test_a_failed_statistical_answer_rejects_the_landmark_fetch_failed(
    tmp_path: Path, service: tuple[str, Script]
) -> None:
    base, script = service
    config = project(tmp_path, base)
    script.answers["sentinel-2-l2a"] = [DATA_NULL]
    landmark: LocatedLandmark = located_record("Q243", "FR", 48.8583, 2.2945, "Eiffel Tower")
    fetcher = StatisticalFetcher.for_project(config)
    measurer = Measurer(config, _climate_client(config), fetcher)
    with pytest.raises(TransientFailure, match=r"Sentinel-2 statistics.*data: null"):
        measurer.measure(landmark, None, "no image")
    # The same landmark with an answer that simply has no acquisitions is a record, with
    # every month absent for that reason.
    script.answers["sentinel-2-l2a"] = [{"status": "OK", "data": []}]
    record = measurer.measure(landmark, None, "no image")
    assert record.absent["monthly_2024_06"] == "no Sentinel-2 acquisition in this month"


def _climate_client(config: ProjectConfig) -> httpx.Client:
    return polite_client(config.politeness, cache_dir=config.http_cache_dir / "climate")


def test_several_intervals_in_one_month_use_the_valid_one() -> None:
    answer = s2_answer(YEAR, seed=2)
    june = next(e for e in answer["data"] if e["interval"]["from"].startswith("2024-06"))
    failed = {"interval": june["interval"], "error": {"type": "EXECUTION_ERROR"}}
    cloudy = s2_month("2024-06", ndvi=0.11, clear=0.1, cloud=0.9)
    clear = s2_month("2024-06", ndvi=0.66, clear=0.9, cloud=0.1)
    answer["data"] = [e for e in answer["data"] if e is not june] + [failed, cloudy, clear]
    stats = parse_sentinel2(answer, YEAR)
    june_index = next(m for m in stats.monthly if m.month == "2024-06")
    assert june_index.ndvi_mean == 0.66  # the clear interval, not the first (failed) one
    assert "monthly_2024_06" not in stats.absent
    only_failed = {"data": [failed], "status": "OK"}
    assert "EXECUTION_ERROR" in parse_sentinel2(only_failed, YEAR).absent["monthly_2024_06"]


def test_the_cache_policy_expires_sentinel_hub_answers(
    tmp_path: Path, service: tuple[str, Script]
) -> None:
    base, script = service
    config = project(tmp_path, base)
    script.answers["sentinel-2-l2a"] = [s2_answer(YEAR, seed=7)]
    fetcher = StatisticalFetcher.for_project(config)
    download = s2_download(config, fetcher)
    fetcher.fetch(download)
    saved = Path(download[0].get_storage_paths()[1] or "")
    # The saved answer carries the service's time, so its age counts from the service's Date.
    assert (
        format_datetime(datetime.fromtimestamp(saved.stat().st_mtime, tz=UTC), usegmt=True)
        == SERVED_AT
    )
    never = StatisticalFetcher.for_project(config)
    never.fetch(s2_download(config, never))
    assert script.requests["sentinel-2-l2a"] == 1 and never.counts["cache_hits"] == 1
    half_year = config.model_copy(update={"cache": CacheConfig(max_age_days=180)})
    expiring = StatisticalFetcher.for_project(half_year)
    expiring.fetch(s2_download(half_year, expiring))  # SERVED_AT is years ago: fetched again
    assert script.requests["sentinel-2-l2a"] == 2
