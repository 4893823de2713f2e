"""Config of where stages run and how hard each source may be asked: executor, Ray, shard size,
per-source politeness.

Kept apart from `rswk.core.config` so the scale settings read in one place; `ProjectConfig` and
`Politeness` hold them as fields.

Per-source defaults (documented in docs/scale.md) follow what each service publishes:
- `tiles`: 4 requests in flight, no rate cap (ESRI World Imagery publishes no quota; its terms
  restrict bulk storage, which `imagery.accept_terms` guards); 3 quick retries (0.5 s doubling,
  at most 10 s): a tile is small and a failed one costs one image;
- `sentinelhub`: 2 in flight and 300 requests a minute (the Copernicus Data Space Sentinel Hub
  quota of a general user; raise it to your account's); 5 retries from 2 s, at most 60 s (its
  per-minute quota answers 429 for the rest of the minute);
- `climate`: 1 in flight and 600 requests a minute (Open-Meteo's free-tier limit); 5 retries
  from 5 s, at most 60 s (its 429 lasts until the minute's quota refills).
Retry settings left unset fall back to `politeness.retries` / `backoff_s` / `max_backoff_s`.
The Wikimedia APIs (discover, locate, knowledge) are not listed: they stay serial per host with
`maxlag` (`politeness.requests_per_host`), as the API etiquette asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DEFAULT_RETRY_STATUSES = (429, 500, 502, 503, 504)


class SourceLimit(_Config):
    """How one source may be asked, summed over every worker of a run, and how it is retried."""

    concurrency: int = Field(default=1, ge=1, le=256, description="requests in flight")
    per_minute: float | None = Field(
        default=None, gt=0, description="requests started per minute (None: no rate cap)"
    )
    # None: the run-wide `politeness` setting of the same name.
    retries: int | None = Field(default=None, ge=0, le=20, description="after the first attempt")
    backoff_s: float | None = Field(default=None, ge=0, description="first wait, then doubled")
    max_backoff_s: float | None = Field(default=None, ge=0, description="longest wait")
    retry_statuses: tuple[int, ...] = Field(
        default=DEFAULT_RETRY_STATUSES, description="HTTP statuses retried; others are final"
    )

    @field_validator("retry_statuses")
    @classmethod
    def _statuses_are_http(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [s for s in value if not 400 <= s <= 599]
        if bad:
            raise ValueError(f"retry_statuses must be HTTP error statuses 400-599 (got {bad})")
        return tuple(sorted(set(value)))


@dataclass(frozen=True)
class RetryPolicy:
    """How a request to one source is retried: attempts, waits and which statuses."""

    retries: int
    backoff_s: float
    max_backoff_s: float
    statuses: frozenset[int] = frozenset(DEFAULT_RETRY_STATUSES)

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (0-based): doubling, capped."""
        return min(self.backoff_s * 2**attempt, self.max_backoff_s)


def retry_policy(
    limit: SourceLimit | None, retries: int, backoff_s: float, max_backoff_s: float
) -> RetryPolicy:
    """A source's retry settings, each unset one taken from the run-wide values given."""
    if limit is None:
        return RetryPolicy(retries, backoff_s, max_backoff_s)
    return RetryPolicy(
        retries=limit.retries if limit.retries is not None else retries,
        backoff_s=limit.backoff_s if limit.backoff_s is not None else backoff_s,
        max_backoff_s=limit.max_backoff_s if limit.max_backoff_s is not None else max_backoff_s,
        statuses=frozenset(limit.retry_statuses),
    )


def default_source_limits() -> dict[str, SourceLimit]:
    """The world-profile defaults per source (see the module docstring for where they come from)."""
    return {
        "tiles": SourceLimit(concurrency=4),
        "sentinelhub": SourceLimit(concurrency=2, per_minute=300),
        "climate": SourceLimit(concurrency=1, per_minute=600),
    }


# The world profile's retry settings per source (the module docstring says why). They belong to
# the profile, not to `SourceLimit`'s defaults: a `Politeness` built in code, or the sample
# profile, retries every source as its run-wide `retries` / `backoff_s` / `max_backoff_s` say.
WORLD_SOURCE_RETRIES: dict[str, dict[str, float]] = {
    "tiles": {"retries": 3, "backoff_s": 0.5, "max_backoff_s": 10},
    "sentinelhub": {"retries": 5, "backoff_s": 2, "max_backoff_s": 60},
    "climate": {"retries": 5, "backoff_s": 5, "max_backoff_s": 60},
}


def world_source_limits() -> dict[str, SourceLimit]:
    """The world profile's settings: the defaults plus each source's retry settings."""
    return {
        name: limit.model_copy(update=WORLD_SOURCE_RETRIES.get(name, {}))
        for name, limit in default_source_limits().items()
    }


def sample_source_limits() -> dict[str, SourceLimit]:
    """The sample profile's settings: the world's concurrency, no per-minute quota (the sample
    world on 127.0.0.1 has none, and a quota would only make tests and benchmarks wait), and the
    profile's own quick retries (its `politeness`), since its faults clear within a second."""
    return {
        name: limit.model_copy(update={"per_minute": None})
        for name, limit in default_source_limits().items()
    }


class RayConfig(_Config):
    """Where the Ray executor finds its cluster and how it sizes tasks."""

    address: str | None = Field(
        default=None,
        description="an existing cluster (ray://host:10001 or auto); None starts a local one",
    )
    cpus_per_task: float = Field(default=1.0, gt=0, le=64, description="CPUs a shard task takes")
    max_retries: int = Field(default=3, ge=0, le=20, description="retries of a lost shard task")


DEFAULT_SHARD_SIZE = 200
ShardSizeField = Field(
    default=DEFAULT_SHARD_SIZE,
    ge=1,
    le=1_000_000,
    description="landmarks per shard of the heavy stages; bigger countries are split",
)


def merge_source_limits(value: object) -> object:
    """`value` (a config's `politeness.sources`) laid over the defaults, setting by setting.

    Anything but a mapping is returned as is, for pydantic to report.
    """
    if not isinstance(value, dict):
        return value
    merged: dict[str, object] = {k: v.model_dump() for k, v in default_source_limits().items()}
    for name, given in value.items():
        base = merged.get(name)
        if isinstance(given, SourceLimit):
            given = given.model_dump()
        if isinstance(base, dict) and isinstance(given, dict):
            merged[name] = {**base, **given}
        else:
            merged[name] = given
    return merged
