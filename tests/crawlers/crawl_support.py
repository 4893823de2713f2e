"""Test support for the discover / locate crawls: country files, servers, runs and comparisons.

Country files are generated into a temp folder from the shipped registry, with per-test
overrides (a quota, pinned / excluded QIDs, extra editions), so tests never touch the shipped
files. Shard comparisons drop the retrieval times, which are the only fields that depend on when
a response was fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry, shipped_countries_dir
from rswk.core.runstore import RunStore
from rswk.core.stage import StageReport, run_stage
from rswk.sampleworld.server import SampleWorld

TIME_FIELDS = frozenset({"retrieved_at", "rejected_at", "finished_at"})


def write_registry(
    folder: Path, countries: Iterable[str], overrides: Mapping[str, Mapping[str, Any]]
) -> CountryRegistry:
    """A registry of `countries` copied from the shipped files, with `overrides` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    for iso2 in countries:
        data = yaml.safe_load((shipped_countries_dir() / f"{iso2}.yaml").read_text())
        data.update(overrides.get(iso2, {}))
        (folder / f"{iso2}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return CountryRegistry.from_dir(folder)


def sample_config(server: SampleWorld, workdir: Path) -> ProjectConfig:
    """The sample profile pointed at `server`, with its run store in `workdir`."""
    return load_config("sample", workdir=workdir).with_sources(server.urls())


def run_crawl_stages(
    config: ProjectConfig,
    registry: CountryRegistry,
    countries: list[str],
    *,
    force: bool = False,
) -> list[StageReport]:
    """discover then locate over `countries` (locate on the shards discover finished)."""
    from crawlers.discover.stage import DiscoverStage
    from crawlers.locate.stage import LocateStage

    store = RunStore(config.workdir)
    reports = [run_stage(DiscoverStage(config, registry, store), store, countries, force=force)]
    done = store.stage("discover").done_shards()
    locate = LocateStage(config, registry, store)
    reports.append(run_stage(locate, store, [c for c in countries if c in done], force=force))
    return reports


def total_requests(server: SampleWorld) -> int:
    return sum(server.stats()["requests"].values())


def _comparable(value: Any, base: str) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v, base) for k, v in value.items() if k not in TIME_FIELDS}
    if isinstance(value, list):
        return [_comparable(v, base) for v in value]
    if isinstance(value, str) and base:
        return value.replace(base, "<host>")
    return value


def shard_rows(
    workdir: Path, stage: str, model: type[BaseModel], base: str = ""
) -> dict[str, list[Any]]:
    """Every finished shard of a stage, records then rejections, as JSON-ready dicts without
    retrieval times, the host:port of the server at `base` replaced by `<host>`."""
    host = base.split("://", 1)[-1]
    store = RunStore(workdir).stage(stage)
    return {
        shard: _comparable(
            [r.model_dump(mode="json") for r in store.read_shard(shard, model)]
            + [r.model_dump(mode="json") for r in store.read_rejections(shard)],
            host,
        )
        for shard in store.done_shards()
    }
