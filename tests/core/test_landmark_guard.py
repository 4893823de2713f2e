"""One landmark whose record cannot be built is an `invalid_record` rejection, not a crash."""

from __future__ import annotations

import errno

import pytest

from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import KnowledgeRecord, Rejection, RejectReason
from rswk.core.records.base import TRANSIENT_REASONS


def test_a_value_failing_validation_becomes_a_rejection_naming_field_and_value() -> None:
    outcome = build_or_reject(
        lambda: KnowledgeRecord.model_validate({"qid": "Q243", "country": "FR", "height_m": -3.0}),
        qid="Q243",
        country="FR",
        stage="knowledge",
        source_url="http://127.0.0.1/wiki",
    )
    assert isinstance(outcome, Rejection)
    assert outcome.reason is RejectReason.INVALID_RECORD
    assert (outcome.qid, outcome.country, outcome.stage) == ("Q243", "FR", "knowledge")
    assert "height_m" in outcome.detail and "-3.0" in outcome.detail
    assert "greater than or equal to 0" in outcome.detail
    assert outcome.source_url == "http://127.0.0.1/wiki"


def test_a_bug_while_building_is_a_rejection_too_and_a_good_build_passes_through() -> None:
    def broken() -> int:
        return {"a": 1}["b"]

    outcome = build_or_reject(broken, qid="Q1", country="PT", stage="locate")
    assert isinstance(outcome, Rejection) and outcome.detail == "KeyError: 'b'"
    assert build_or_reject(lambda: 7, qid="Q1", country="PT", stage="locate") == 7


def test_an_interrupt_is_not_swallowed() -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_or_reject(interrupted, qid="Q1", country="PT", stage="locate")


def test_only_fetch_failures_are_transient() -> None:
    assert {RejectReason.FETCH_FAILED} == TRANSIENT_REASONS
    assert RejectReason.FETCH_FAILED.transient
    assert not RejectReason.MISSING_PAGE.transient
    assert not RejectReason.INVALID_RECORD.transient


def test_a_full_disk_is_not_the_landmarks_fault_and_is_raised() -> None:
    def cache_write_on_a_full_disk() -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "/cache/ab/cd")

    with pytest.raises(OSError, match="No space left"):
        build_or_reject(cache_write_on_a_full_disk, qid="Q1", country="PT", stage="imagery")
