"""One landmark's failure stays one landmark's rejection, never a crashed stage.

Every stage builds its records one landmark at a time; `build_or_reject` runs that step and turns
any exception in it (a value failing the record's validation, such as a negative height claim
against `height_m >= 0`, or a bug meeting an unexpected answer) into a `Rejection` with reason
`invalid_record` and the message saying what was wrong. The shard then completes with the other
landmarks, and the rejection is counted and shown like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pydantic import ValidationError

from rswk.core.errors import is_disk_full
from rswk.core.records.base import Rejection, RejectReason

logger = logging.getLogger(__name__)
R = TypeVar("R")
MAX_DETAIL_CHARS = 500


def describe_exception(exc: BaseException) -> str:
    """One line naming what failed: each invalid field with its value, or the exception."""
    if isinstance(exc, ValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"]) or "(record)"
            got = err.get("input")
            got_text = "" if isinstance(got, dict | list) else f" (got {got!r})"
            problems.append(f"{where}: {err['msg']}{got_text}")
        text = f"{exc.title} failed validation: " + "; ".join(problems)
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def build_or_reject(
    build: Callable[[], R],
    *,
    qid: str | None,
    country: str,
    stage: str,
    source_url: str | None = None,
    rejected_at: datetime | None = None,
) -> R | Rejection:
    """`build()`, or an `invalid_record` rejection of landmark `qid` if it raises.

    Only `Exception`s are caught: an interrupt (Ctrl-C) still stops the run.
    """
    try:
        return build()
    except Exception as exc:  # any failure of one landmark is that landmark's ...
        if is_disk_full(exc):
            raise  # ... but a full disk is no landmark's: one error stops the stage (stage.py)
        detail = describe_exception(exc)
        logger.warning("%s %s %s: %s", stage, country, qid or "-", detail)
        extra = {"rejected_at": rejected_at} if rejected_at is not None else {}
        return Rejection(
            qid=qid,
            country=country,
            stage=stage,
            reason=RejectReason.INVALID_RECORD,
            detail=detail,
            source_url=source_url,
            **extra,
        )
