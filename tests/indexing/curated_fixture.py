"""Curated shards for the index tests, built by the real stages on the bundled sample world.

Runs discover → curate → validate for a few countries (landmarks in Latin, Arabic and CJK
scripts), so the index reads exactly what `rswk run` hands it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry

COUNTRIES = ("FR", "IT", "JP", "EG", "US", "CN")
UPSTREAM = ("discover", "locate", "knowledge", "imagery", "attributes", "curate", "validate")


def build_curated_store(workdir: Path, countries: Sequence[str] = COUNTRIES) -> ProjectConfig:
    """A run store with curated, validated shards for `countries`; returns its config."""
    from rswk.cli.common import service_urls
    from rswk.pipeline import run_pipeline

    config = load_config("sample", workdir=workdir)
    with service_urls(config) as resolved:
        run_pipeline(resolved, CountryRegistry.from_dir(), list(countries), stages=UPSTREAM)
    return config
