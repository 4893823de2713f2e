"""One `rswk run` over a few countries of the bundled sample world, shared by the tests that read
a real run store (built once per test session; tests that change it work on a copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rswk.cli import main
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.server import SampleWorld

# IT holds the duplicate trap (a second "Colosseum"), PT the sea trap, VA sits inside Rome.
COUNTRIES = ("FR", "IT", "PT", "VA", "US")
_built: dict[str, Path] = {}


def sample_run(base: Path) -> Path:
    """The run store of `rswk run` over COUNTRIES (curate and validate included)."""
    if "run" not in _built:
        workdir = base / "sample-run"
        with SampleWorld(load_world("bundled")) as server:
            previous = os.environ.get("RSWK_SAMPLE_WORLD")
            os.environ["RSWK_SAMPLE_WORLD"] = server.base_url
            try:
                # Its own releases folder: curation reads split ledgers from there.
                releases = str(base / "sample-run-releases")
                args = ["run", "--workdir", str(workdir), "--releases", releases]
                for code in COUNTRIES:
                    args += ["--country", code]
                assert main(args) == 0
            finally:
                if previous is None:
                    os.environ.pop("RSWK_SAMPLE_WORLD", None)
                else:
                    os.environ["RSWK_SAMPLE_WORLD"] = previous
        _built["run"] = workdir
    return _built["run"]


def copy_run(base: Path, into: Path) -> Path:
    """A private copy of the shared run store (without the HTTP cache)."""
    target = into / "run"
    shutil.copytree(sample_run(base), target, ignore=shutil.ignore_patterns("http-cache"))
    return target
