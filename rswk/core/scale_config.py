"""Config of where stages run and how hard each source may be asked: executor, Ray, shard size,
per-source politeness.

Kept apart from `rswk.core.config` so the scale settings read in one place; `ProjectConfig` and
`Politeness` hold them as fields.

Per-source defaults (documented in docs/scale.md) follow what each service publishes:
- `tiles`: 4 requests in flight, no rate cap (ESRI World Imagery publishes no quota; its terms
  restrict bulk storage, which `imagery.accept_terms` guards);
- `sentinelhub`: 2 in flight and 300 requests a minute (the Copernicus Data Space Sentinel Hub
  quota of a general user; raise it to your account's);
- `climate`: 1 in flight and 600 requests a minute (Open-Meteo's free-tier limit).
The Wikimedia APIs (discover, locate, knowledge) are not listed: they stay serial per host with
`maxlag` (`politeness.requests_per_host`), as the API etiquette asks.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceLimit(_Config):
    """How one source may be asked, summed over every worker of a run."""

    concurrency: int = Field(default=1, ge=1, le=256, description="requests in flight")
    per_minute: float | None = Field(
        default=None, gt=0, description="requests started per minute (None: no rate cap)"
    )


def default_source_limits() -> dict[str, SourceLimit]:
    """The world-profile defaults per source (see the module docstring for where they come from)."""
    return {
        "tiles": SourceLimit(concurrency=4),
        "sentinelhub": SourceLimit(concurrency=2, per_minute=300),
        "climate": SourceLimit(concurrency=1, per_minute=600),
    }


def sample_source_limits() -> dict[str, SourceLimit]:
    """The sample profile's settings: the world's concurrency, no per-minute quota (the sample
    world on 127.0.0.1 has none, and a quota would only make tests and benchmarks wait)."""
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
