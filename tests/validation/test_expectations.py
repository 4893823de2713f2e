"""Every expectation of the suite passes on a clean table and fails on a table built to break it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from rswk.core.config import ProjectConfig, ValidationConfig, load_config
from tests.validation.frames import BREAKERS, clean_frame
from validation.run import validate_frame
from validation.suite import SuiteSpec, load_suite


@pytest.fixture(scope="module")
def config() -> ProjectConfig:
    sample = load_config("sample", workdir=Path("unused"))
    thresholds = ValidationConfig(min_countries=5, min_rows_for_split_check=100)
    return sample.model_copy(update={"validation": thresholds})


@pytest.fixture(scope="module")
def suite(config: ProjectConfig) -> SuiteSpec:
    return load_suite(config)


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return clean_frame()


def test_every_expectation_has_a_breaker(suite: SuiteSpec) -> None:
    assert {e.id for e in suite.expectations} == set(BREAKERS)


def test_the_clean_table_passes_every_expectation(
    config: ProjectConfig, clean: pd.DataFrame
) -> None:
    report = validate_frame(clean, config)
    failed = [o.id for o in report.outcomes if not o.success]
    assert failed == [] and report.skipped == [] and report.success


@pytest.mark.parametrize("expectation", sorted(BREAKERS))
def test_each_expectation_fails_on_its_broken_table(
    expectation: str, config: ProjectConfig, suite: SuiteSpec, clean: pd.DataFrame
) -> None:
    only = replace(suite, expectations=tuple(e for e in suite.expectations if e.id == expectation))
    (spec,) = only.expectations
    report = validate_frame(BREAKERS[expectation](clean), config, spec=only)
    (outcome,) = report.outcomes
    assert outcome.id == expectation and not outcome.success
    # Blocking failures fail the run; warnings are reported and let it pass.
    assert report.success is (spec.severity == "warning")


def test_severities_are_declared(suite: SuiteSpec) -> None:
    severities = {e.id: e.severity for e in suite.expectations}
    assert severities["point_in_country"] == "blocking"
    assert severities["text_length"] == "warning"
    assert set(severities.values()) == {"blocking", "warning"}
