"""Simulated network latency, one default and optional overrides per service endpoint.

Benchmarks set latencies like the live services' (MediaWiki ~150 ms, tiles ~60 ms, Sentinel Hub
~400 ms) so a stage's throughput can be compared with what its politeness settings allow. Written
on the command line as `150` (every endpoint) or `20,mediawiki=150,tiles=60,sh_process=400`
(a default, then `endpoint=ms` overrides); endpoint names are the server's counter names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Latency:
    """The least milliseconds each counted answer takes: `per_endpoint_ms` over `default_ms`."""

    default_ms: float = 0.0
    per_endpoint_ms: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = [self.default_ms, *self.per_endpoint_ms.values()]
        if any(value < 0 for value in values):
            raise ValueError(f"latency must be >= 0 ms, got {self.describe()}")

    def seconds(self, endpoint: str) -> float:
        """The delay for one answer of `endpoint`."""
        return self.per_endpoint_ms.get(endpoint, self.default_ms) / 1000.0

    def check_endpoints(self, known: Iterable[str]) -> None:
        """Raise ValueError naming an override for an endpoint the server does not have."""
        names = set(known)
        unknown = sorted(set(self.per_endpoint_ms) - names)
        if unknown:
            raise ValueError(
                f"no sample-world endpoint {', '.join(unknown)} for a latency; "
                f"use one of {', '.join(sorted(names))}"
            )

    def describe(self) -> str:
        """The command-line form (`20,tiles=60`)."""
        overrides = [f"{name}={ms:g}" for name, ms in sorted(self.per_endpoint_ms.items())]
        return ",".join([f"{self.default_ms:g}", *overrides])

    @classmethod
    def parse(cls, text: str) -> Latency:
        """`150` or `20,mediawiki=150,tiles=60`; a bare number anywhere sets the default."""
        default = 0.0
        overrides: dict[str, float] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, _, value = part.rpartition("=")
            try:
                ms = float(value)
            except ValueError:
                raise ValueError(
                    f"'{part}' is not a latency: write MS or ENDPOINT=MS (e.g. 20,tiles=60)"
                ) from None
            if name:
                overrides[name.strip()] = ms
            else:
                default = ms
        return cls(default, overrides)

    @classmethod
    def of(cls, value: float | Latency) -> Latency:
        """A plain number means the same latency for every endpoint."""
        return value if isinstance(value, Latency) else cls(float(value))
