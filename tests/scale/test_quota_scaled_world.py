"""A world beyond the shipped quotas (the moonshot's `bench_end_to_end.py --quota-scale`): country
files with other quotas shape the served world, and discover fills exactly those quotas."""

from __future__ import annotations

import re
from pathlib import Path

from crawlers.discover.job import with_reserve
from rswk.core.countries import CountryRegistry, shipped_countries_dir
from rswk.core.runstore import RunStore
from rswk.harness.served_world import served_world
from rswk.pipeline import run_pipeline
from tests.scale.support import sample_config

QUOTAS = {"FR": 9, "PT": 4}


def test_country_files_with_other_quotas_shape_the_world_and_what_discover_keeps(
    tmp_path: Path,
) -> None:
    countries = tmp_path / "countries"
    countries.mkdir()
    for iso2, quota in QUOTAS.items():
        text = (shipped_countries_dir() / f"{iso2}.yaml").read_text()
        scaled = re.sub(r"(?m)^quota: \d+$", f"quota: {quota}", text)
        assert scaled != text
        (countries / f"{iso2}.yaml").write_text(scaled)
    registry = CountryRegistry.from_dir(countries)
    assert {c.iso2: c.quota for c in registry.all()} == QUOTAS
    with served_world(sum(QUOTAS.values()), countries_dir=countries) as urls:
        config = sample_config(tmp_path / "run", urls)
        run_pipeline(config, registry, sorted(QUOTAS), stages=("discover",))
    discover = RunStore(tmp_path / "run").stage("discover")
    reserve = config.curation.quota_reserve_share
    # The world offers each country its quota plus a margin; discover keeps quota + reserve.
    kept = {iso2: discover.marker(iso2)["records"] for iso2 in QUOTAS}
    assert kept == {iso2: with_reserve(quota, reserve) for iso2, quota in QUOTAS.items()}
