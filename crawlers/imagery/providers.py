"""The imagery provider registry: a provider turns one landmark into an image record.

Providers register themselves by name with `@register_provider("name")`; the config's
`imagery.provider` (or `rswk imagery --provider NAME`) picks one. The built-in providers live in
their own modules and are imported on first lookup, so the heavy ones (sentinelhub) load only
when chosen.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records.imagery import ImageRecord

BUILTIN_PROVIDER_MODULES = ("crawlers.imagery.xyz", "crawlers.imagery.sentinelhub")


@dataclass(frozen=True)
class ImageTarget:
    """What a provider needs to know about a landmark: its key, place and footprint."""

    qid: str
    country: str
    lat: float
    lon: float
    # Wikidata P2046 (area), when the knowledge stage found one: sets the zoom.
    area_m2: float | None = None


class ImageryProvider(ABC):
    """One source of imagery. `fetch` returns a record or raises `ImageRejected` /
    `rswk.core.http.FetchFailed`; it is called from several threads at once."""

    name: ClassVar[str]

    def __init__(self, config: ProjectConfig) -> None:
        self.config = config

    @abstractmethod
    def check_terms(self) -> None:
        """Raise `RSWKError` when the provider may not run as configured; makes no request."""

    def open(self) -> None:  # noqa: B027 - optional hook
        """Create sessions and clients (called once, after `check_terms`)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what `open` created."""

    @abstractmethod
    def fetch(self, target: ImageTarget) -> ImageRecord:
        """The image for one landmark."""

    def forget_sources(self, targets: Sequence[ImageTarget]) -> int:
        """Drop what the images of `targets` were made from from the HTTP cache, once they are
        written; returns how many entries went (default: none: nothing cached to drop)."""
        return 0

    def stats(self) -> dict[str, int]:
        """Request and cache counters since `open` (for stage stats and benchmarks)."""
        return {}


PROVIDERS: dict[str, type[ImageryProvider]] = {}
P = TypeVar("P", bound=type[ImageryProvider])


def register_provider(name: str) -> Callable[[P], P]:
    """Class decorator adding a provider to the registry under `name`."""

    def register(cls: P) -> P:
        cls.name = name
        PROVIDERS[name] = cls
        return cls

    return register


def load_builtin_providers() -> None:
    """Import the built-in provider modules so that they register (idempotent)."""
    for module in BUILTIN_PROVIDER_MODULES:
        importlib.import_module(module)


def create_provider(name: str, config: ProjectConfig) -> ImageryProvider:
    """The registered provider `name`, built for `config`; an unknown name lists the known ones."""
    load_builtin_providers()
    if name not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise RSWKError(
            f"unknown imagery provider {name!r} (imagery.provider or --provider); known: {known}"
        )
    return PROVIDERS[name](config)
