"""The assembled landmark: what a release row holds, built by curation from the stage records."""

from __future__ import annotations

from pydantic import Field

from rswk.core.records.base import KeyedRecord
from rswk.core.records.discovery import DiscoveredLandmark
from rswk.core.records.knowledge import KnowledgeRecord
from rswk.core.records.location import LocatedLandmark


class Landmark(KeyedRecord):
    """One RSWK landmark with its field groups; groups a stage could not fill stay None."""

    discovery: DiscoveredLandmark
    location: LocatedLandmark | None = None
    knowledge: KnowledgeRecord | None = None
    split: str | None = Field(default=None, pattern=r"^(train|val|test)$")
