"""A crawled sample-world run to start the heavy stages from, and shard comparisons."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.pipeline import CRAWL_STAGES, run_pipeline

# Countries of the bundled world with 1 to 4 located landmarks (and one with none).
COUNTRIES = ["FR", "US", "IT", "EG", "PT", "JP", "VA", "IS"]
HEAVY_STAGES = ("imagery", "attributes")
TIME_KEYS = frozenset({"retrieved_at"})


def sample_config(workdir: Path, urls: dict[str, str], **update: Any) -> ProjectConfig:
    """The sample profile at `workdir`, pointed at the sample world's `urls`."""
    config = load_config("sample", workdir=workdir).with_sources(urls)
    return config.model_copy(update=update) if update else config


def crawl(workdir: Path, urls: dict[str, str]) -> None:
    """discover -> locate -> knowledge for `COUNTRIES`, locally."""
    config = sample_config(workdir, urls)
    run_pipeline(config, CountryRegistry.from_dir(), COUNTRIES, stages=CRAWL_STAGES)


def copy_crawl(source: Path, target: Path) -> None:
    """A new workdir holding `source`'s crawl stages only (no HTTP cache: it fetches anew)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in CRAWL_STAGES:
        shutil.copytree(source / name, target / name)


def shard_files(workdir: Path, stage: str) -> dict[str, str]:
    """Relative path -> sha256 of every shard and rejection file of `stage`."""
    root = workdir / stage
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("shards", "rejected")
        for p in sorted((root / folder).glob("*.parquet"))
    }


def without_times(value: Any) -> Any:
    """`value` (decoded Parquet rows) with every retrieval time removed, also inside JSON text."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in TIME_KEYS}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    if isinstance(value, str) and value.startswith("{"):
        try:
            return without_times(json.loads(value))
        except ValueError:
            return value
    return value


def decoded(path: Path) -> Any:
    """A Parquet file's rows without retrieval times."""
    return without_times(pq.read_table(path).to_pylist())
