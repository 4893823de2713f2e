"""Balanced shards: a country with more located landmarks than `shard_size` becomes sub-shards.

A country of N located landmarks gets n = ceil(N / shard_size) sub-shards `XX-0001` ... `XX-nnnn`
(the run store's shard id pattern); a landmark belongs to sub-shard 1 + (first 8 bytes of
sha256(QID)) mod n. The rule needs nothing but the QID and n, so it is the same on every machine
and run, and a landmark added to a country (n unchanged) joins one sub-shard and leaves the others
as they were. Sizes follow a binomial spread around N / n, so no task is far from another.

Only the heavy stages split (the Wikimedia crawl runs per country, one polite client). Their
upstream stages may hold the whole country: `SubShardRunStore` answers a read of `US-0002` from
the `US` shard, filtered, and a read of `US` from its finished sub-shards, concatenated, so stages
keep reading `store.stage(name).read_shard(shard_id)` unchanged.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
from pydantic import BaseModel

from rswk.core.records.base import Rejection
from rswk.core.runstore import RunStore, StageStore, StageSummary
from rswk.core.store_files import StoreFiles

M = TypeVar("M", bound=BaseModel)
SUB_SHARD = re.compile(r"^([A-Z]{2})-([0-9]{4})$")
LANDMARK_SET_STAGE = "locate"  # the stage whose shard says which landmarks a country has
MAX_SUB_SHARDS = 9999


def sub_shard_count(landmarks: int, shard_size: int) -> int:
    """How many sub-shards a country of `landmarks` gets (1: it stays whole)."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be >= 1 (got {shard_size})")
    return min(max(1, math.ceil(landmarks / shard_size)), MAX_SUB_SHARDS)


def sub_shard_ids(country: str, count: int) -> list[str]:
    """`country`'s shard ids: itself when `count` is 1, else COUNTRY-0001 ... COUNTRY-count."""
    if count <= 1:
        return [country]
    return [f"{country}-{i:04d}" for i in range(1, count + 1)]


def sub_shard_of(qid: str, country: str, count: int) -> str:
    """The shard id of landmark `qid` in `country` split `count` ways."""
    if count <= 1:
        return country
    bucket = int.from_bytes(hashlib.sha256(qid.encode()).digest()[:8], "big") % count
    return f"{country}-{bucket + 1:04d}"


def country_of(shard_id: str) -> str:
    """The ISO2 code a shard id belongs to (`US-0003` -> `US`)."""
    return shard_id.split("-", 1)[0]


def split_records(records: Sequence[Any], country: str, count: int) -> dict[str, list[Any]]:
    """Records (anything with a `qid`) grouped by sub-shard, each group in the input order.

    A record without a QID (a rejection of the whole shard) goes to the first sub-shard.
    """
    groups: dict[str, list[Any]] = {s: [] for s in sub_shard_ids(country, count)}
    first = next(iter(groups))
    for record in records:
        qid = getattr(record, "qid", None)
        groups[sub_shard_of(qid, country, count) if qid else first].append(record)
    return groups


class SubShardStageStore(StageStore):
    """A stage's files, reading a sub-shard from its country's shard and the reverse."""

    def __init__(self, files: StoreFiles | Path, name: str, run: SubShardRunStore) -> None:
        super().__init__(files, name)
        self.run = run

    def own_done(self, shard_id: str) -> bool:
        """Whether this exact shard id has its own done-marker."""
        return super().is_done(shard_id)

    def planned_children(self, country: str) -> list[str]:
        """The sub-shards of `country` this stage was asked to produce."""
        return [s for s in self.planned() if SUB_SHARD.match(s) and country_of(s) == country]

    def _children_done(self, country: str) -> list[str] | None:
        children = self.planned_children(country)
        if children and all(self.own_done(c) for c in children):
            return children
        return None

    def is_done(self, shard_id: str) -> bool:
        if self.own_done(shard_id):
            return True
        if SUB_SHARD.match(shard_id):
            return self.own_done(country_of(shard_id))
        return self._children_done(shard_id) is not None

    def own_marker(self, shard_id: str) -> dict[str, Any]:
        """This exact shard id's done-marker."""
        return super().marker(shard_id)

    def marker(self, shard_id: str) -> dict[str, Any]:
        """The shard's marker; a sub-shard read from its whole country gets the country's, a
        country made of sub-shards their counts summed (no lineage: it is theirs, not its own)."""
        if self.own_done(shard_id):
            return self.own_marker(shard_id)
        if SUB_SHARD.match(shard_id) and self.own_done(country_of(shard_id)):
            return self.own_marker(country_of(shard_id))
        children = self._children_done(shard_id)
        if children is None:
            return self.own_marker(shard_id)  # raises: no such marker
        markers = [self.own_marker(c) for c in children]
        counts = ("records", "rejected", "transient")
        combined: dict[str, Any] = {k: sum(int(m.get(k, 0)) for m in markers) for k in counts}
        return {"shard": shard_id, "sub_shards": children, **combined}

    def covering_markers(self, shard_id: str) -> list[dict[str, Any]]:
        """The markers of the shards holding `shard_id`'s landmarks: its own, else its whole
        country's (a sub-shard), else those of its finished sub-shards (a country)."""
        if self.own_done(shard_id):
            return [self.own_marker(shard_id)]
        if SUB_SHARD.match(shard_id) and self.own_done(country_of(shard_id)):
            return [self.own_marker(country_of(shard_id))]
        children = self._children_done(shard_id)
        if children is None:
            return [self.own_marker(shard_id)]  # raises: no such marker
        return [self.own_marker(c) for c in children]

    def read_shard(self, shard_id: str, model: type[M]) -> list[M]:
        if self.own_done(shard_id):
            return super().read_shard(shard_id, model)
        if SUB_SHARD.match(shard_id) and self.own_done(country_of(shard_id)):
            country = country_of(shard_id)
            whole = super().read_shard(country, model)
            return split_records(whole, country, self.run.count_for(country)).get(shard_id, [])
        children = self._children_done(shard_id)
        if children is None:
            return super().read_shard(shard_id, model)  # raises, naming what to run
        return [r for child in children for r in StageStore.read_shard(self, child, model)]

    def iter_shard(self, shard_id: str, model: type[M]) -> Iterator[list[M]]:
        if self.own_done(shard_id):
            yield from super().iter_shard(shard_id, model)
            return
        children = None if SUB_SHARD.match(shard_id) else self._children_done(shard_id)
        if children is None:
            yield self.read_shard(shard_id, model)  # a sub-shard cut from its country, or raises
            return
        for child in children:
            yield from StageStore.iter_shard(self, child, model)

    def read_columns(self, shard_id: str, columns: Sequence[str]) -> pa.Table:
        if self.own_done(shard_id):
            return super().read_columns(shard_id, columns)
        if SUB_SHARD.match(shard_id) and self.own_done(country_of(shard_id)):
            country = country_of(shard_id)
            whole = super().read_columns(country, [*dict.fromkeys([*columns, "qid"])])
            count = self.run.count_for(country)
            mine = [sub_shard_of(q, country, count) == shard_id for q in whole["qid"].to_pylist()]
            return whole.filter(pa.array(mine, pa.bool_())).select(list(columns))
        children = self._children_done(shard_id)
        if children is None:
            return super().read_columns(shard_id, columns)  # raises, naming what to run
        return pa.concat_tables([StageStore.read_columns(self, c, columns) for c in children])

    def read_rejections(self, shard_id: str) -> list[Rejection]:
        if self.own_done(shard_id):
            return super().read_rejections(shard_id)
        if SUB_SHARD.match(shard_id) and self.own_done(country_of(shard_id)):
            country = country_of(shard_id)
            whole = super().read_rejections(country)
            return split_records(whole, country, self.run.count_for(country)).get(shard_id, [])
        children = self._children_done(shard_id) or []
        return [r for child in children for r in StageStore.read_rejections(self, child)]


class SubShardRunStore(RunStore):
    """A run store whose stages see sub-shards and whole countries as the same landmarks."""

    def __init__(
        self, location: str | Path | StoreFiles, shard_size: int, **storage_options: Any
    ) -> None:
        super().__init__(location, **storage_options)
        self.shard_size = shard_size

    def stage(self, name: str) -> SubShardStageStore:
        return SubShardStageStore(self.files, name, self)

    def landmarks_in(self, country: str) -> int:
        """Located landmarks of `country` (0 when its locate shard is not finished)."""
        located = StageStore(self.files, LANDMARK_SET_STAGE)
        if not located.is_done(country):
            return 0
        return int(located.marker(country)["records"])

    def count_for(self, country: str) -> int:
        """How many sub-shards `country` is split into at this store's shard size."""
        return sub_shard_count(self.landmarks_in(country), self.shard_size)

    def shards_for(self, countries: Sequence[str], split: bool) -> list[str]:
        """Shard ids covering `countries`: sub-shards where `split` and a country is big."""
        if not split:
            return list(countries)
        return [s for c in countries for s in sub_shard_ids(c, self.count_for(c))]


def pending_for_stage(
    store: SubShardRunStore,
    countries: Sequence[str],
    upstream: str | Sequence[str] | None,
    split: bool,
) -> list[str]:
    """The shard ids a stage works on: the countries that every `upstream` stage finished
    (whole or in sub-shards), split into sub-shards when `split`."""
    sources = [upstream] if isinstance(upstream, str) else list(upstream or [])
    ready = list(countries)
    for source in sources:
        up = store.stage(source)
        ready = [c for c in ready if up.is_done(c)]
    return store.shards_for(ready, split)


def overlaps(shard_id: str, others: Collection[str]) -> bool:
    """Whether `others` holds `shard_id`, its whole country, or one of its sub-shards."""
    if shard_id in others:
        return True
    if SUB_SHARD.match(shard_id):
        return country_of(shard_id) in others
    return any(SUB_SHARD.match(o) and country_of(o) == shard_id for o in others)


def countries_in(shard_ids: Iterable[str]) -> set[str]:
    """The countries `shard_ids` belong to (a split country once)."""
    return {country_of(s) for s in shard_ids}


def as_stored(store: SubShardRunStore, stage: str, countries: Sequence[str]) -> list[str]:
    """`countries` as `stage` stores them: a country `rswk run` split for that stage becomes its
    planned sub-shards, so a per-stage command redoes (or skips) those, never a second copy."""
    stage_store = store.stage(stage)
    shards: list[str] = []
    for country in countries:
        children = [] if stage_store.own_done(country) else stage_store.planned_children(country)
        shards.extend(children or [country])
    return shards


def country_summary(stage: StageStore) -> StageSummary:
    """`stage.summary()` counted per country: a country is done when its shard, or every one
    of its planned sub-shards, is done; failed when one of its shards failed."""
    whole = stage.summary()
    done_ids = stage.done_shards()
    failed_ids = set(stage.failures())
    planned_ids = set(stage.planned()) | set(done_ids) | failed_ids
    countries = sorted(countries_in(planned_ids))
    done_set = set(done_ids)

    def complete(country: str) -> bool:
        if country in done_set:
            return True
        children = [s for s in planned_ids if SUB_SHARD.match(s) and country_of(s) == country]
        return bool(children) and all(c in done_set for c in children)

    return StageSummary(
        stage=stage.name,
        planned=len(countries),
        done=sum(1 for c in countries if complete(c)),
        records=whole.records,
        rejected=whole.rejected,
        failed=len(countries_in(failed_ids)),
        transient=whole.transient,
    )
