"""The curated landmark: one release row, joined by curation from every stage's record.

This is the contract between curation (which writes it, one shard per country under
`WORKDIR/curate/shards/`), validation (which checks it), indexing (which embeds it) and the release
(which publishes it). Field groups a stage could not fill stay None; why is in `rejections`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.base import KeyedRecord, Qid, Rejection
from rswk.core.records.imagery import ImageRecord
from rswk.core.records.knowledge import KnowledgeRecord
from rswk.core.records.location import LocatedLandmark

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
ImageCheck = Literal["ok", "undecodable", "size_mismatch", "blank"]


class CuratedLandmark(KeyedRecord):
    """One RSWK landmark as released: names, class, split, and its stage records.

    `rswk_class` is one of `rswk.core.landmark_classes.RSWK_CLASSES` or "Other"; `fine_class` is
    the Wikidata class it came from (label and QID). `grid_cell` names the ~10 km cell that decides
    the split (landmarks in one cell share a split, so overlapping imagery cannot leak).
    `merged_qids` are the duplicates folded into this row; `flags` are curation findings that do not
    reject (e.g. `near_duplicate_image:Q123`, `disputed`, `at_sea`). `image_check` is curation's
    one decode of the image ("ok", "undecodable", "size_mismatch", "blank"; None without image),
    carried so validation need not decode again; `image_phash` its perceptual hash (hex);
    `marine` whether its class may lie at sea (the country check's wider tolerance).
    """

    name: str = Field(min_length=1)
    language: str = Field(description="language of `name`")
    rswk_class: str
    fine_class: str | None = None
    fine_class_qid: Qid | None = None
    continent: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    split: Split
    grid_cell: str
    location: LocatedLandmark
    knowledge: KnowledgeRecord | None = None
    image: ImageRecord | None = None
    attributes: AttributesRecord | None = None
    merged_qids: list[Qid] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    rejections: list[Rejection] = Field(default_factory=list)
    image_check: ImageCheck | None = None
    image_phash: str | None = None
    marine: bool = False
