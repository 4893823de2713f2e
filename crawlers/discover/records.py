"""Selected candidates become `DiscoveredLandmark` records; excluded ones become rejections."""

from __future__ import annotations

from collections.abc import Sequence

from crawlers.discover.candidates import Candidate
from rswk.core.countries import CountryFile
from rswk.core.landmark_guard import build_or_reject
from rswk.core.records import DiscoveredLandmark, Provenance, Rejection, RejectReason
from rswk.core.records.base import utc_now

WIKIDATA_LICENCE = "CC0-1.0"
WIKIDATA_ATTRIBUTION = "Wikidata"


def provenance(candidate: Candidate) -> Provenance:
    """Where the candidate's facts came from: the query (or entity) URL, time and revision."""
    return Provenance(
        source_url=candidate.source_url,
        revision=candidate.revision,
        retrieved_at=candidate.retrieved_at or utc_now(),
        licence=WIKIDATA_LICENCE,
        attribution=WIKIDATA_ATTRIBUTION,
        detail=candidate.source,
    )


def to_records(
    kept: Sequence[Candidate], iso2: str
) -> tuple[list[DiscoveredLandmark], list[Rejection]]:
    """Records ranked 1..n in the order given (most sitelinks first), and an `invalid_record`
    rejection for each candidate whose values fail the record's validation."""
    records: list[DiscoveredLandmark] = []
    invalid: list[Rejection] = []
    for c in kept:

        def build(c: Candidate = c) -> DiscoveredLandmark:
            return DiscoveredLandmark(
                qid=c.qid,
                country=iso2,
                label=c.label,
                labels=c.labels,
                classes=list(c.classes),
                sitelinks=c.sitelinks,
                rank=len(records) + 1,
                titles=c.titles,
                lat=c.lat,
                lon=c.lon,
                pinned=c.pinned,
                provenance=provenance(c),
            )

        outcome = build_or_reject(
            build,
            qid=c.qid,
            country=iso2,
            stage="discover",
            source_url=c.source_url,
            rejected_at=c.retrieved_at,
        )
        if isinstance(outcome, Rejection):
            invalid.append(outcome)
        else:
            records.append(outcome)
    return records, invalid


def to_rejection(candidate: Candidate, country: CountryFile) -> Rejection:
    """An item the query found but the country file excludes."""
    return Rejection(
        qid=candidate.qid,
        country=country.iso2,
        stage="discover",
        reason=RejectReason.EXCLUDED,
        detail=f"{candidate.label!r} is excluded in countries/{country.iso2}.yaml",
        source_url=candidate.source_url,
        rejected_at=candidate.retrieved_at,
    )
