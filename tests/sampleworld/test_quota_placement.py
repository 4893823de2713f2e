"""Generated worlds shaped by the country files' quotas: every country with land can fill its
quota, classes are offered evenly, and quotas on codes without land are reported, not placed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rswk.cli.sampleworld import _world
from rswk.core.countries import CountryRegistry, default_country_file, write_country_file
from rswk.harness.quota_world import quota_plan, quota_world, registry_demands
from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.generated import generate_world, placeable_countries
from rswk.sampleworld.quota_placement import MIN_MARGIN, CountryDemand, margin, plan_by_quota
from rswk.sampleworld.vocabulary import GENERATED_CLASS_OF, RSWK_CLASSES

PAPER_SIZE = 14_141


def test_the_shipped_quotas_at_paper_size_give_every_country_its_quota_and_a_margin() -> None:
    registry = CountryRegistry.from_dir()
    plan = quota_plan(PAPER_SIZE, registry)
    assert plan.unplaceable == {}  # every shipped file has land of its own
    assert sum(plan.targets.values()) == PAPER_SIZE
    for country in registry.all():
        assert plan.targets[country.iso2] == country.quota, country.iso2
        assert plan.counts[country.iso2] >= country.quota + MIN_MARGIN, country.iso2
    assert len(plan.counts) >= 175


def test_a_quota_world_places_the_plan_with_even_classes_per_country() -> None:
    registry = CountryRegistry.from_dir()
    world = quota_world(1414, seed=0, registry=registry)
    placed = Counter(lm.country for lm in world.landmarks)
    plan = quota_plan(1414, registry)
    assert dict(placed) == {c: n for c, n in plan.counts.items() if n}
    assert len(world.landmarks) == sum(plan.counts.values())
    class_of = {qid: rswk for rswk, qid in GENERATED_CLASS_OF.items()}
    for iso2, count in placed.items():
        classes = Counter(class_of[lm.classes[0]] for lm in world.landmarks if lm.country == iso2)
        assert min(classes.get(c, 0) for c in RSWK_CLASSES) >= count // len(RSWK_CLASSES), iso2


def test_n_is_shared_by_quota_and_a_class_minimum_asks_for_every_class() -> None:
    demands = {"FR": CountryDemand(30), "JP": CountryDemand(10, class_minimum=2)}
    plan = plan_by_quota(80, demands, placeable_countries())
    assert plan.targets == {"FR": 60, "JP": 20}
    assert plan.counts == {"FR": 60 + margin(60), "JP": 2 * len(RSWK_CLASSES)}
    world = generate_world(80, seed=2, quotas=demands)
    assert Counter(lm.country for lm in world.landmarks) == Counter(plan.counts)
    assert world == generate_world(80, seed=2, quotas=demands)


def test_quotas_without_land_are_reported_and_get_no_landmarks(tmp_path: Path) -> None:
    for iso2 in ("FR", "RE"):  # Natural Earth draws Réunion inside France
        write_country_file(default_country_file(iso2), tmp_path / f"{iso2}.yaml")
    registry = CountryRegistry.from_dir(tmp_path)
    plan = quota_plan(100, registry)
    assert plan.unplaceable == {"RE": registry.get("RE").quota}
    assert plan.targets == {"FR": 100}
    world = generate_world(100, seed=0, quotas=registry_demands(registry))
    assert {lm.country for lm in world.landmarks} == {"FR"}
    with pytest.raises(SampleWorldError, match="no quota falls on a country with land"):
        generate_world(10, seed=0, quotas={"RE": CountryDemand(20)})
    with pytest.raises(SampleWorldError, match="countries or quotas, not both"):
        generate_world(10, seed=0, countries=["FR"], quotas={"FR": CountryDemand(5)})


def test_serve_hands_the_registry_quotas_to_the_world_and_warns_about_landless_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for iso2 in ("FR", "JP", "RE"):
        write_country_file(default_country_file(iso2), tmp_path / f"{iso2}.yaml")
    world = _world("generated", 50, 0, "quotas", tmp_path)
    assert {lm.country for lm in world.landmarks} == {"FR", "JP"}
    assert "warning: RE: no land of its own in the sample world" in capsys.readouterr().err
    area = _world("generated", 50, 0, "area", None)
    assert len(area.landmarks) == 50 and len({lm.country for lm in area.landmarks}) > 2
