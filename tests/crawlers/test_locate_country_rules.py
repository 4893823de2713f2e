"""Locate applies the country rules curation applies: sign errors, territories, marine classes."""

from __future__ import annotations

import pytest

from crawlers.locate.geo import check_country, is_marine
from rswk.core.borders import CountryBorders
from rswk.core.records import RejectReason


@pytest.fixture(scope="module")
def borders() -> CountryBorders:
    return CountryBorders.load()


def test_locate_reports_a_sign_error_as_such(borders: CountryBorders) -> None:
    check = check_country(borders, 43.2965, -5.3698, "FR")  # Marseille, longitude sign lost
    assert check.problem is RejectReason.LIKELY_SIGN_ERROR


def test_locate_keeps_territories_and_marine_landmarks(borders: CountryBorders) -> None:
    nuuk = check_country(borders, 64.1814, -51.6941, "DK")
    assert nuuk.problem is None and "territory:GL" in nuuk.flags
    reef_classes = ["Q11292"]  # coral reef: marine in the class table
    assert is_marine(reef_classes) and not is_marine(["Q12518"])
    offshore = check_country(borders, 38.7, -10.25, "PT", marine=is_marine(reef_classes))
    assert offshore.problem is None and "at_sea" in offshore.flags
    assert check_country(borders, 38.7, -10.25, "PT").problem is RejectReason.OUTSIDE_LAND
