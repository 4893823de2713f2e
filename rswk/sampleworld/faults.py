"""Deterministic fault injection: 429, 5xx, slow answers, truncated bodies, `maxlag` refusals,
and payload faults: Statistical API answers that are HTTP 200 but failed (`status: FAILED`, a
top-level `error`, `data: null`), as the live service sometimes sends them.

Payload faults happen only where a route offers them and only with their own rate set
(`rate_sh_failed`...): the shared `rate` never includes them, so a client that retries
transport faults still gets identical outputs under `rate`.

Whether a request faults is a pure function of (seed, request signature, attempt number for that
signature), so a run replays exactly. A signature never faults more than `max_consecutive` times
in a row: attempt `max_consecutive + 1` of the same request always succeeds. A client that
retries at least `max_consecutive` times (3 with the default of 2, counting slow answers it timed
out on) therefore always gets its answer, which is what "nothing lost under faults" tests need.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal[
    "429", "5xx", "slow", "truncated", "maxlag", "sh_failed", "sh_error", "sh_null"
]  # fmt: skip
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "5xx", "slow", "truncated", "maxlag")
PAYLOAD_KINDS: tuple[FaultKind, ...] = ("sh_failed", "sh_error", "sh_null")
_RATE_FIELDS: dict[FaultKind, str] = {
    "429": "rate_429",
    "5xx": "rate_5xx",
    "slow": "rate_slow",
    "truncated": "rate_truncated",
    "maxlag": "rate_maxlag",
    "sh_failed": "rate_sh_failed",
    "sh_error": "rate_sh_error",
    "sh_null": "rate_sh_null",
}
Probability = Field(default=None, ge=0.0, le=1.0)


class FaultConfig(BaseModel):
    """How often and how the server misbehaves.

    `rate` is the total probability that a request faults, shared equally among the kinds that
    apply to it (`maxlag` applies only to MediaWiki/Wikidata API requests that carry `maxlag=`).
    A per-kind rate, when set, replaces that kind's share. Rates that add up to more than 1 are
    scaled down to 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(default=0.0, ge=0.0, le=1.0)
    rate_429: float | None = Probability
    rate_5xx: float | None = Probability
    rate_slow: float | None = Probability
    rate_truncated: float | None = Probability
    rate_maxlag: float | None = Probability
    # Statistical API answers with status FAILED / a top-level error / data null (HTTP 200).
    rate_sh_failed: float | None = Probability
    rate_sh_error: float | None = Probability
    rate_sh_null: float | None = Probability
    slow_seconds: float = Field(default=2.0, ge=0.0)
    retry_after_seconds: int = Field(default=1, ge=0)
    max_consecutive: int = Field(default=2, ge=0)
    maxlag_seconds: int = Field(default=7, ge=1, description="the lag a maxlag refusal reports")

    def kind_rates(
        self, maxlag_eligible: bool, payload_kinds: tuple[str, ...] = ()
    ) -> dict[FaultKind, float]:
        """The probability of each kind for a request (maxlag only when eligible; payload
        kinds only those the route offers, and only with their own rate)."""
        kinds = [k for k in FAULT_KINDS if maxlag_eligible or k != "maxlag"]
        share = self.rate / len(kinds)
        rates: dict[FaultKind, float] = {}
        for kind in kinds:
            explicit = getattr(self, _RATE_FIELDS[kind])
            rates[kind] = share if explicit is None else explicit
        for kind in PAYLOAD_KINDS:
            explicit = getattr(self, _RATE_FIELDS[kind])
            if kind in payload_kinds and explicit is not None:
                rates[kind] = explicit
        total = sum(rates.values())
        if total > 1.0:
            rates = {k: v / total for k, v in rates.items()}
        return rates


def uniform_draws(seed: int, signature: str, attempt: int) -> tuple[float, float]:
    """Two independent numbers in [0, 1) from a stable hash (not Python's salted `hash`)."""
    digest = hashlib.blake2b(
        f"{seed}\x00{signature}\x00{attempt}".encode(), digest_size=16
    ).digest()
    scale = float(2**64)
    return int.from_bytes(digest[:8], "big") / scale, int.from_bytes(digest[8:], "big") / scale


def pick_kind(rates: dict[FaultKind, float], u: float) -> FaultKind | None:
    """The kind whose cumulative-probability slot holds `u`, or None for no fault."""
    edge = 0.0
    for kind, rate in rates.items():
        edge += rate
        if u < edge:
            return kind
    return None


class FaultInjector:
    """Decides, per request, which fault (if any) to inject. Thread-safe."""

    def __init__(self, config: FaultConfig, seed: int = 0) -> None:
        self.config = config
        self.seed = seed
        self._attempts: dict[str, int] = defaultdict(int)
        self._streaks: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def decide(
        self, signature: str, maxlag_eligible: bool, payload_kinds: tuple[str, ...] = ()
    ) -> tuple[FaultKind | None, float]:
        """The fault for this attempt of `signature` and a second draw for variants (500/503)."""
        with self._lock:
            attempt = self._attempts[signature]
            self._attempts[signature] = attempt + 1
            u, variant = uniform_draws(self.seed, signature, attempt)
            kind = None
            if self._streaks[signature] < self.config.max_consecutive:
                kind = pick_kind(self.config.kind_rates(maxlag_eligible, payload_kinds), u)
            self._streaks[signature] = self._streaks[signature] + 1 if kind else 0
            return kind, variant

    def reset(self) -> None:
        """Forget attempt numbers, so the next requests replay from the start."""
        with self._lock:
            self._attempts.clear()
            self._streaks.clear()
