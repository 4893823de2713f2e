"""The discover stage's output: which items of a country are landmarks, and their article titles."""

from __future__ import annotations

from pydantic import Field

from rswk.core.records.base import KeyedRecord, Provenance


class DiscoveredLandmark(KeyedRecord):
    """A landmark found by the per-country Wikidata query (or pinned in the country file)."""

    label: str
    labels: dict[str, str] = Field(default_factory=dict)
    classes: list[str]
    sitelinks: int = Field(ge=0)
    rank: int = Field(ge=1, description="1 = most sitelinks in its country")
    # Wikipedia titles by edition code, in the country file's order of preference.
    titles: dict[str, str] = Field(default_factory=dict)
    # P625 as the query saw it; locate re-checks it.
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    pinned: bool = False
    provenance: Provenance
