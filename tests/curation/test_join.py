"""Part-of links reach dedup from locate's typed claims."""

from __future__ import annotations

from pathlib import Path

from curation.join import Joined, claim_item_ids
from curation.plan import build_plan
from rswk.core.borders import CountryBorders
from rswk.core.config import CurationConfig
from rswk.core.countries import CountryFile, CountryRegistry
from rswk.core.records import LocatedLandmark, RejectReason
from tests.curation.records import claims, discovered, located


def test_claim_item_ids_reads_the_typed_statements() -> None:
    record = located("Q11", "TR", 40.19, 29.05, "Mosque", entity_claims=claims("P361", "Q10"))
    assert claim_item_ids(record, "P361") == ["Q10"] and claim_item_ids(record, "P527") == []


def _joined(record: LocatedLandmark, sitelinks: int) -> Joined:
    return Joined(
        located=record,
        discovered=discovered(record.qid, record.country, ["Q32815"], sitelinks),
    )


def test_a_part_of_its_complex_folds_into_it() -> None:
    complex_ = located("Q10", "TR", 40.1909, 29.0461, "Muradiye Complex")
    mosque = located(
        "Q11", "TR", 40.1912, 29.0466, "Muradiye Mosque", entity_claims=claims("P361", "Q10")
    )
    registry = CountryRegistry(Path(), {"TR": CountryFile(iso2="TR", languages=("tr",), quota=9)})
    plan = build_plan(
        [("TR", [_joined(complex_, 40), _joined(mosque, 12)])],
        CountryBorders.load(),
        registry,
        CurationConfig(),
    )
    assert plan.kept == {("Q10", "TR")}
    assert plan.merged_qids[("Q10", "TR")] == ["Q11"]
    assert plan.rejections[("Q11", "TR")].reason is RejectReason.DUPLICATE
    (decision,) = plan.decisions
    assert decision.kind == "part_of"
