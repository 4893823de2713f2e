"""A knowledge chunk: the unit the index embeds and the RAG runner puts in a prompt.

The index stage writes these (one shard per country, `WORKDIR/index/shards/<ID>.parquet`); the
release publishes them as its `chunks` config. Chunk kinds follow RS-RAG's knowledge chunks.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rswk.core.records.base import KeyedRecord, Provenance

ChunkKind = Literal[
    "basic_info_and_history",
    "architecture_and_function",
    "culture_and_visitor",
    "expert_knowledge",
    "monthly_expert_knowledge",
    "image_description",
    "caption",
]
CHUNK_KINDS: tuple[ChunkKind, ...] = ChunkKind.__args__  # type: ignore[attr-defined]


class Chunk(KeyedRecord):
    """Text of one kind about one landmark, cut to the encoder's context on sentence boundaries.

    `number` counts the pieces of one (landmark, kind) from 0; `name` and `rswk_class` travel with
    the chunk so a prompt can say whose knowledge it is without a join.
    """

    kind: ChunkKind
    number: int = Field(ge=0)
    text: str = Field(min_length=1)
    language: str
    name: str
    rswk_class: str
    provenance: list[Provenance] = Field(default_factory=list)
