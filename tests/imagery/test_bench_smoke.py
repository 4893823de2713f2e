"""The imagery benchmark runs end to end on a handful of landmarks (figures not asserted)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from rswk.sampleworld.routes import ROUTES
from rswk.sampleworld.server import load_route_modules

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_imagery.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_imagery", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_prints_its_figures_and_restores_the_tile_route() -> None:
    load_route_modules()
    tile_handler = next(r.handler for r in ROUTES.routes() if r.endpoint == "tiles")
    figures = load_bench().main(["--landmarks", "3", "--cluster", "3"])
    json.dumps(figures)
    assert figures["images"] + figures["rejected"] == 6
    assert figures["rerun_requests"] == 0
    assert figures["cluster"]["tile_requests"] < figures["cluster"]["tile_lookups"]
    assert next(r.handler for r in ROUTES.routes() if r.endpoint == "tiles") is tile_handler
