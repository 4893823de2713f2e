"""Custom Great Expectations for what plain column checks cannot say.

Importing this module registers them with GX (expectation and metric registries are global):
- `expect_point_in_its_country`: lat/lon lies in the row's country under the same country rules as
  locate and curation (rswk.core.country_rules: territories, coast, sea, disputes);
- `expect_image_check_passed`: the image decoded at its declared size and is not blank, read from
  the result curation carried (`image_check`), so no image is decoded twice;
- `expect_group_in_one_split`: every value of a group column (grid cell, QID) sits in one split
  only, so overlapping imagery or one landmark cannot leak between train and test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider.column_condition_partial import (
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_map_metric_provider import (
    ColumnMapMetricProvider,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (  # noqa: E501
    multicolumn_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_map_metric_provider import (  # noqa: E501
    MulticolumnMapMetricProvider,
)

from rswk.core.borders import CountryBorders
from rswk.core.country_rules import points_consistent

MULTICOLUMN_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)
IMAGE_PASSED = "ok"


class MulticolumnValuesPointInCountry(MulticolumnMapMetricProvider):
    """Row-wise: is (lat, lon) consistent with `country` (marine rows get the sea tolerance)?"""

    condition_metric_name = "multicolumn_values.point_in_its_country"
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        lat, lon, country, marine = (column_list.iloc[:, i] for i in range(4))
        # A row without a point or a country is the not-null expectations' finding, not this one.
        known = (lat.notna() & lon.notna() & country.notna()).to_numpy()
        ok = np.ones(len(column_list), dtype=bool)
        ok[known] = points_consistent(
            CountryBorders.load(),
            lat.to_numpy(dtype=float)[known],
            lon.to_numpy(dtype=float)[known],
            country.to_numpy(dtype=object)[known],
            marine.fillna(False).to_numpy(dtype=bool)[known],
        )
        return pd.Series(ok, index=column_list.index)


class ExpectPointInItsCountry(MulticolumnMapExpectation):
    """Each landmark's point lies in its country (column_list: lat, lon, country, marine)."""

    map_metric = "multicolumn_values.point_in_its_country"
    success_keys = ("mostly",)


class MulticolumnValuesGroupInOneSplit(MulticolumnMapMetricProvider):
    """Row-wise: does the row's group value (first column) occur in one split (second) only?"""

    condition_metric_name = "multicolumn_values.group_in_one_split"
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        groups, _ = pd.factorize(column_list.iloc[:, 0])
        splits, split_values = pd.factorize(column_list.iloc[:, 1])
        # Distinct (group, split) pairs, then how many splits each group has; NaN groups (-1)
        # belong to no group, so nothing can leak through them.
        known = groups >= 0
        width = len(split_values) + 1
        pairs = np.unique(groups[known].astype(np.int64) * width + splits[known] + 1)
        per_group = np.bincount(pairs // width, minlength=groups.max() + 1)
        ok = np.ones(len(groups), dtype=bool)
        ok[known] = per_group[groups[known]] <= 1
        return pd.Series(ok, index=column_list.index)


class ExpectGroupInOneSplit(MulticolumnMapExpectation):
    """No group value (grid cell, QID) in two splits (column_list: group column, split)."""

    map_metric = "multicolumn_values.group_in_one_split"
    success_keys = ("mostly",)


class ColumnValuesImageCheckPassed(ColumnMapMetricProvider):
    """Row-wise: did curation's one decode of the image pass (nulls = no image, not checked)?"""

    condition_metric_name = "column_values.image_check_passed"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return column == IMAGE_PASSED


class ExpectImageCheckPassed(ColumnMapExpectation):
    """The image decodes at its declared size and is not blank (curation's carried result)."""

    map_metric = "column_values.image_check_passed"
    success_keys = ("mostly",)
