"""load_world, the env-or-start helper, and `rswk sample-world serve` as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from rswk.sampleworld import loader
from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.running import ENV_VAR, sample_world_urls_from_env_or_start
from rswk.sampleworld.server import SampleWorld
from tests.sampleworld.tiny_world import tiny_world

REPO = Path(__file__).resolve().parents[2]


def test_bundled_world_loads_once() -> None:
    world = loader.load_world("bundled")
    assert world.landmarks and loader.load_world("bundled") is world


def test_missing_bundled_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "BUNDLED_RESOURCE", "data/absent.yaml")
    loader._bundled.cache_clear()
    try:
        with pytest.raises(
            SampleWorldError, match=r"data/absent.yaml is missing.*--world generated"
        ):
            loader.load_world("bundled")
    finally:
        loader._bundled.cache_clear()


@pytest.mark.parametrize(
    ("truth", "expected"),
    [
        (
            {"Q243": {"elevation_m": 12_000}},
            r"bundled_truth.yaml: truth_overrides.Q243.elevation_m",
        ),
        ({"Q243": {"surroundings": {"lava": 1.0}}}, r"bundled_truth.yaml: .*Q243.surroundings"),
        ({"Q1": {"setting": "urban"}}, r"bundled_truth.yaml: no landmark Q1 in"),
        ({"Q243": {"true_class": "Castle"}}, r"bundled_truth.yaml: .*true_class must be one of"),
        ({"Q243": {"vegetation": "lava"}}, r"bundled_truth.yaml: .*Q243.vegetation"),
    ],
)
def test_a_bad_truth_file_names_the_file_and_the_entry(
    monkeypatch: pytest.MonkeyPatch, truth: dict[str, object], expected: str
) -> None:
    real = loader._read_yaml

    def read(name: str) -> object:
        return {"landmarks": truth} if name == loader.BUNDLED_TRUTH_RESOURCE else real(name)

    monkeypatch.setattr(loader, "_read_yaml", read)
    loader._bundled.cache_clear()
    try:
        with pytest.raises(SampleWorldError, match=expected):
            loader.load_world("bundled")
    finally:
        loader._bundled.cache_clear()


def test_unknown_world_kind() -> None:
    with pytest.raises(SampleWorldError, match="'moon'"):
        loader.load_world("moon")  # type: ignore[arg-type]


def test_starts_in_process_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with sample_world_urls_from_env_or_start(tiny_world()) as urls:
        assert httpx.get(urls["stats"]).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["stats"])  # stopped on exit


def test_uses_the_running_server_named_by_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with SampleWorld(tiny_world()) as running:
        monkeypatch.setenv(ENV_VAR, running.base_url + "/")
        with sample_world_urls_from_env_or_start() as urls:
            assert urls == running.urls()
    gone = sample_world_urls_from_env_or_start()  # the server is stopped now
    with pytest.raises(SampleWorldError, match=ENV_VAR), gone:
        pass


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: list[str] = []
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert lines, "rswk sample-world serve printed nothing"
    return lines[0]


def test_cli_serves_until_sigterm() -> None:
    command = [sys.executable, "-m", "rswk", "sample-world", "serve", "--port", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        urls = json.loads(_first_line(process, timeout=20))
        assert {"base", "mediawiki", "wikidata", "sparql", "stats"} <= set(urls)
        mediawiki = urls["mediawiki"].replace("{lang}", "en")
        params = {
            "action": "query",
            "format": "json",
            "prop": "pageprops",
            "titles": "Eiffel Tower",
        }
        body = httpx.get(mediawiki, params=params).json()
        assert next(iter(body["query"]["pages"].values()))["pageprops"]["wikibase_item"] == "Q243"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
