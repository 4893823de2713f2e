"""A crawled sample-world run to start the heavy stages from, and shard comparisons."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.pipeline import CRAWL_STAGES, run_pipeline

# Countries of the bundled world with 1 to 4 located landmarks (and one with none).
COUNTRIES = ["FR", "US", "IT", "EG", "PT", "JP", "VA", "IS"]
HEAVY_STAGES = ("imagery", "attributes")


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
