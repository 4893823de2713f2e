"""Typed records: every stage's output, keyed by Wikidata QID, with provenance on every field group.

Stages hand each other these records through the run store; `Landmark` is the assembled record the
release publishes. `SCHEMA_VERSION` changes whenever a field's meaning or type changes.
"""

from rswk.core.records.attributes import AttributesRecord, MonthlyIndex, SourceProvenance
from rswk.core.records.base import (
    QID_PATTERN,
    SCHEMA_VERSION,
    KeyedRecord,
    Provenance,
    Rejection,
    RejectReason,
)
from rswk.core.records.chunk import CHUNK_KINDS, Chunk, ChunkKind
from rswk.core.records.claims import ClaimSnak, EntityClaim
from rswk.core.records.discovery import DiscoveredLandmark
from rswk.core.records.imagery import ImageRecord
from rswk.core.records.knowledge import KnowledgeField, KnowledgeRecord, MajorEvent
from rswk.core.records.landmark import SPLITS, CuratedLandmark, Split
from rswk.core.records.location import LocatedLandmark

__all__ = [
    "CHUNK_KINDS",
    "QID_PATTERN",
    "SCHEMA_VERSION",
    "SPLITS",
    "AttributesRecord",
    "Chunk",
    "ChunkKind",
    "ClaimSnak",
    "CuratedLandmark",
    "DiscoveredLandmark",
    "EntityClaim",
    "ImageRecord",
    "KeyedRecord",
    "KnowledgeField",
    "KnowledgeRecord",
    "LocatedLandmark",
    "MajorEvent",
    "MonthlyIndex",
    "Provenance",
    "RejectReason",
    "Rejection",
    "SourceProvenance",
    "Split",
]
