"""Test-wide settings and isolation.

Every command reads the suite's own defaults through $RSWK_CONFIG (`SUITE_CONFIG`): the index
encodes with the two-layer random CLIP `RSWK-Tiny-32` (indexing/model_configs) instead of the
sample profile's ViT-S-32, the same open_clip code path at a fraction of the cost on two cores
(ViT-S-32's text tower takes ~45 ms a chunk here). The tests of the encoder defaults clear it.

No test writes or reads `releases/` in the current directory.

A release folder is more than output: curation reads the newest release's split ledger from it.
A developer's own `make rswk-release` (or a test without `--releases`) would otherwise change the
splits the tests see. Each test gets its own folder. Session and module fixtures that run the
pipeline must name their own (`--releases`): they are set up before a test's folder is, and
would share the session's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.core.config import CONFIG_ENV, RELEASES_ENV

SUITE_CONFIG = '[index.encoder]\nmodel = "RSWK-Tiny-32"\n'


@pytest.fixture(scope="session", autouse=True)
def _suite_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    path = tmp_path_factory.mktemp("suite-config") / "rswk.toml"
    path.write_text(SUITE_CONFIG)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(path))
        yield


@pytest.fixture(scope="session", autouse=True)
def _session_releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get(RELEASES_ENV)
    os.environ[RELEASES_ENV] = str(tmp_path_factory.mktemp("session") / "releases")
    yield
    if previous is None:
        os.environ.pop(RELEASES_ENV, None)
    else:
        os.environ[RELEASES_ENV] = previous


@pytest.fixture(autouse=True)
def _test_releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RELEASES_ENV, str(tmp_path / "releases"))
