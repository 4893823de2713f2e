"""What every record shares: a QID key, a country, provenance, and the rejection record."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "2.0.0"
QID_PATTERN = r"^Q[1-9][0-9]*$"

Qid = Annotated[str, Field(pattern=QID_PATTERN)]
Iso2 = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


def utc_now() -> datetime:
    """The retrieval time stamped on provenance (UTC, second precision for stable output)."""
    return datetime.now(UTC).replace(microsecond=0)


class Frozen(BaseModel):
    """Base of every record: immutable, unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(Frozen):
    """Where one field group came from, so every value in a release can be traced and attributed."""

    source_url: str
    # Page revision id, Wikidata entity revision, or acquisition date: what pins the source's state.
    revision: str | None = None
    retrieved_at: datetime
    licence: str
    attribution: str
    # Which part of the source: a section title, a property id, a collection name.
    detail: str | None = None


class KeyedRecord(Frozen):
    """A stage's output row: one landmark, keyed by its Wikidata QID, in one country's shard."""

    qid: Qid
    country: Iso2
    schema_version: str = SCHEMA_VERSION


class RejectReason(StrEnum):
    """Why a landmark left the pipeline; stages count these and `rswk status` shows them."""

    MISSING_PAGE = "missing_page"
    DISAMBIGUATION = "disambiguation"
    REDIRECT_LOOP = "redirect_loop"
    NO_COORDINATES = "no_coordinates"
    OUTSIDE_LAND = "outside_land"
    COUNTRY_MISMATCH = "country_mismatch"
    ARTICLE_TOO_SHORT = "article_too_short"
    NO_ARTICLE = "no_article"
    FETCH_FAILED = "fetch_failed"
    EXCLUDED = "excluded"
    BLANK_IMAGE = "blank_image"
    UNDECODABLE_IMAGE = "undecodable_image"
    DECOMPRESSION_BOMB = "decompression_bomb"
    ALL_CLOUD = "all_cloud"
    NO_DATA = "no_data"
    MISSING_UPSTREAM = "missing_upstream"
    # curation: the point lands in its country only with a coordinate's sign flipped
    LIKELY_SIGN_ERROR = "likely_sign_error"
    # curation: folded into another landmark (same QID, same place and name, or part of it)
    DUPLICATE = "duplicate"
    # curation: beyond the country's quota once duplicates are gone
    OVER_QUOTA = "over_quota"
    # The landmark's record could not be built (a value failed the record's validation, or the
    # code building it raised): the message says which value; the rest of the shard is kept.
    INVALID_RECORD = "invalid_record"

    @property
    def transient(self) -> bool:
        """Whether a plain rerun may fix it (the source failed, not the landmark)."""
        return self in TRANSIENT_REASONS


# Reasons a plain rerun retries: every request path turns a timeout, a refused connection, or a
# 429/5xx still failing after its retries into `fetch_failed`. The others describe the landmark
# itself (a missing page stays missing) and stay until an input changes.
TRANSIENT_REASONS: frozenset[RejectReason] = frozenset({RejectReason.FETCH_FAILED})


class Rejection(Frozen):
    """A landmark a stage could not complete: kept as data with its reason, never dropped."""

    qid: str | None
    country: Iso2
    stage: str
    reason: RejectReason
    detail: str
    source_url: str | None = None
    # When the answer that decided it was produced (its Date header, the cached answer's time):
    # never the clock, so a rerun rejects with the same bytes. None when no answer was involved.
    rejected_at: datetime | None = None
