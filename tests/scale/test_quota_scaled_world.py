"""A world beyond the shipped quotas (the moonshot's `bench_end_to_end.py --quota-scale`): country
files with other quotas shape the served world, and discover fills exactly those quotas."""

from __future__ import annotations

from pathlib import Path

import pytest

from rswk.core.countries import CountryRegistry, shipped_countries_dir
from rswk.core.runstore import RunStore
from rswk.harness.quota_world import country_parts, with_quota
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
        (countries / f"{iso2}.yaml").write_text(with_quota(text, quota))
    registry = CountryRegistry.from_dir(countries)
    assert {c.iso2: c.quota for c in registry.all()} == QUOTAS
    with served_world(sum(QUOTAS.values()), countries_dir=countries) as urls:
        config = sample_config(tmp_path / "run", urls)
        run_pipeline(config, registry, sorted(QUOTAS), stages=("discover",))
    discover = RunStore(tmp_path / "run").stage("discover")
    # The world offers each country its quota plus a margin (2 landmarks here); discover keeps
    # the quota plus a 5 % reserve, rounded up: FR 9 + 1, PT 4 + 1 (the shipped FR 220 and PT 75
    # would share the 13 landmarks by their own quotas: a few each).
    assert config.curation.quota_reserve_share == 0.05
    kept = {iso2: discover.marker(iso2)["records"] for iso2 in QUOTAS}
    assert kept == {"FR": 10, "PT": 5}


def test_a_country_file_without_a_quota_line_is_refused() -> None:
    assert with_quota("iso2: FR\nquota: 220\npinned: []\n", 9) == "iso2: FR\nquota: 9\npinned: []\n"
    with pytest.raises(ValueError, match="no 'quota: N' line"):
        with_quota("iso2: FR\n# quota: 220\n", 9)


def test_country_parts_cover_every_country_once_with_near_equal_quotas() -> None:
    quotas = {c.iso2: c.quota for c in CountryRegistry.from_dir().all()}
    parts = country_parts(quotas, 8)
    assert len(parts) == 8
    every = [iso2 for part in parts for iso2 in part]
    assert sorted(every) == sorted(quotas) and len(every) == len(set(every))
    totals = [sum(quotas[iso2] for iso2 in part) for part in parts]
    assert max(totals) - min(totals) <= max(quotas.values())
    # The same split on every machine, and one part is the whole registry.
    assert country_parts(quotas, 8) == parts
    assert country_parts(quotas, 1) == [sorted(quotas)]


def test_country_parts_on_a_small_registry() -> None:
    # US, then FR and PT into the lighter group, then LU to the lower group of the tie at 10.
    assert country_parts({"US": 10, "FR": 6, "PT": 4, "LU": 1}, 2) == [["LU", "US"], ["FR", "PT"]]
    with pytest.raises(ValueError, match="parts must be >= 1"):
        country_parts({"FR": 1}, 0)
