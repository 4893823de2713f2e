"""The curate stage: one `CuratedLandmark` per QID, a shard per country, and the run's tables.

Reads every finished `locate` shard with the discover, knowledge, imagery and attributes records
beside it (curation/join.py), decides run-wide (curation/plan.py), then writes each requested
country's shard. Beside the shards it writes `curate/coverage.csv` (landmarks per country x
class), `curate/decisions.json` (every dedup decision), `curate/split_balance.json` and the
split ledger `curate/splits.parquet` (cell -> split, read back by the next curation and copied
into the release, curation/ledger.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from curation.join import Joined, join_shard
from curation.ledger import Ledgers, read_ledgers, write_run_ledger
from curation.plan import Key, Plan, build_plan
from curation.splits import split_balance
from curation.text import normalise_knowledge, normalise_text
from rswk.core.borders import CountryBorders
from rswk.core.config import CurationConfig, ProjectConfig, resolve_releases_dir
from rswk.core.countries import CountryRegistry
from rswk.core.executor import LocalExecutor
from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES
from rswk.core.lineage import digest as digest_of
from rswk.core.records import CuratedLandmark
from rswk.core.runstore import RunStore, ShardResult, json_bytes
from rswk.core.stage import Stage

logger = logging.getLogger(__name__)

UPSTREAM = "locate"
RUN_WIDE_UPSTREAM = ("locate", "knowledge", "imagery", "attributes")
COVERAGE_CLASSES = (*RSWK_CLASSES, OTHER_CLASS)


class CurateStage(Stage):
    """Shards are ISO2 codes; records are `CuratedLandmark`; rejections say why an entry left."""

    name = "curate"
    record_model = CuratedLandmark
    executor_kind = "thread"
    # Lineage declarations (read by the lineage-aware runner; inert before it). Curation is
    # run-wide: a country's rows also depend on other countries' shards (a QID listed twice).
    # 2: splits dealt by stratum against the split ledger (1: a hash of the cell alone).
    version = "2"
    config_keys = ("curation",)
    reads_class_table = True

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.borders: CountryBorders | None = None
        self._plan: Plan | None = None
        self._run_upstream: str | None = None
        self._ledgers: Ledgers | None = None

    def setup(self) -> None:
        """Load the borders (the country check and continents)."""
        if self.borders is None:
            self.borders = CountryBorders.load()

    def ledgers(self) -> Ledgers:
        """The split ledgers as they stood before this curation (read once per stage run)."""
        if self._ledgers is None:
            releases = resolve_releases_dir(self.config.release.releases_dir)
            self._ledgers = read_ledgers(self.store, releases, self.config.curation.split_salt)
        return self._ledgers

    def plan(self) -> Plan:
        """The run-wide decisions, made once per stage run over every located shard."""
        if self._plan is None:
            self.setup()
            assert self.borders is not None
            shards = self.store.stage(UPSTREAM).done_shards()
            joined = ((s, join_shard(self.store, s)) for s in shards)
            self._plan = build_plan(
                joined,
                self.borders,
                self.registry,
                self.config.curation,
                workers=self.config.workers,
                ledger=self.ledgers().combined(),
            )
        return self._plan

    def lineage_inputs(self, shard_id: str) -> dict[str, Any]:
        """Every country's upstream fingerprints, not only this one's.

        Curation decides run-wide (a QID listed in two countries, quotas after dedup), so a change
        to any upstream shard may change this country's rows: it makes every curated shard stale.
        """
        if self._run_upstream is None:
            upstream = hashlib.sha256()
            for stage in RUN_WIDE_UPSTREAM:
                stage_store = self.store.stage(stage)
                for shard in stage_store.done_shards():
                    fingerprint = stage_store.marker(shard).get("lineage", {}).get("fingerprint")
                    upstream.update(f"{stage}/{shard}:{fingerprint}\n".encode())
            self._run_upstream = upstream.hexdigest()
        # The release ledger's disagreements with the run store's (see Ledgers.conflicts): a
        # release that assigns a cell otherwise than this run did makes curation redo.
        return {
            "run_upstream": self._run_upstream,
            "split_ledger": digest_of(self.ledgers().conflicts()),
        }

    def process(self, shard_id: str) -> ShardResult:
        """One country's curated rows and rejections, from the run-wide plan."""
        return build_shard(self.plan(), join_shard(self.store, shard_id), shard_id)

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        """Plan once, then each shard in turn; the run's tables are written at the end."""
        plan = self.plan()
        for shard_id in shard_ids:
            yield shard_id, build_shard(plan, join_shard(self.store, shard_id), shard_id)
        write_run_tables(self.store, plan, self.config.curation)


def _name_and_language(joined: Joined) -> tuple[str, str]:
    if joined.knowledge is not None:
        name = normalise_text(joined.knowledge.name.value)
        if name:
            return name, joined.knowledge.name.language
    label = joined.located.label
    language = next(
        (lang for lang, text in joined.located.entity_labels.items() if text == label), "und"
    )
    return normalise_text(label) or joined.located.qid, language


def curated_row(plan: Plan, joined: Joined) -> CuratedLandmark:
    """The release row of a kept entry."""
    located = joined.located
    key: Key = (located.qid, located.country)
    facts = plan.facts[key]
    assert facts.split is not None, f"{key}: a kept entry always has its cell's split"
    name, language = _name_and_language(joined)
    return CuratedLandmark(
        qid=located.qid,
        country=located.country,
        name=name,
        language=language,
        rswk_class=facts.rswk_class,
        fine_class=facts.fine_class,
        fine_class_qid=facts.fine_class_qid,
        continent=facts.continent,
        lat=located.lat,
        lon=located.lon,
        split=facts.split,
        grid_cell=facts.cell,
        location=located,
        knowledge=normalise_knowledge(joined.knowledge) if joined.knowledge else None,
        image=joined.image,
        attributes=joined.attributes,
        merged_qids=plan.merged_qids.get(key, []),
        flags=plan.flags.get(key, []),
        rejections=joined.rejections,
        image_check=facts.image.check if facts.image else None,
        image_phash=facts.image.phash if facts.image else None,
        marine=facts.marine,
    )


def build_shard(plan: Plan, joined_list: list[Joined], shard_id: str) -> ShardResult:
    """The shard's kept rows (in locate order), its curation rejections and its counters."""
    rows, rejections = [], []
    for joined in joined_list:
        key = (joined.located.qid, joined.located.country)
        if key in plan.kept:
            rows.append(curated_row(plan, joined))
        elif key in plan.rejections:
            rejections.append(plan.rejections[key])
    stats: dict[str, Any] = {
        "located": len(joined_list),
        "curated": len(rows),
        "rejected": dict(Counter(r.reason.value for r in rejections)),
        "classes": dict(Counter(r.rswk_class for r in rows)),
        "splits": dict(Counter(r.split for r in rows)),
        "flags": dict(Counter(f.split(":")[0] for r in rows for f in r.flags)),
        "merged_qids": sum(len(r.merged_qids) for r in rows),
        "images": dict(Counter(r.image_check or "none" for r in rows)),
        "class_table_version": plan.class_table_version,
    }
    logger.info("curate %s: %d row(s), %d rejected", shard_id, len(rows), len(rejections))
    return ShardResult(records=rows, rejections=rejections, stats=stats)


def coverage_csv(plan: Plan) -> str:
    """Landmarks per country (rows) x class (columns), with totals."""
    table = plan.coverage()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["country", *COVERAGE_CLASSES, "total"])
    totals: Counter[str] = Counter()
    for country in sorted(table):
        counts = table[country]
        totals.update(counts)
        writer.writerow([country, *(counts[c] for c in COVERAGE_CLASSES), sum(counts.values())])
    writer.writerow(["total", *(totals[c] for c in COVERAGE_CLASSES), sum(totals.values())])
    return out.getvalue()


def write_run_tables(store: RunStore, plan: Plan, config: CurationConfig) -> None:
    """coverage.csv, decisions.json, split_balance.json and splits.parquet beside the shards."""
    stage = store.stage("curate")
    ratios = config.split_ratios
    write_run_ledger(store, plan.ledger, config.split_salt, config.grid_cell_km)
    stage.write_file("coverage.csv", coverage_csv(plan).encode())
    stage.write_file("decisions.json", json_bytes([asdict(d) for d in plan.decisions]))
    kept = [(f, f.split) for f in (plan.facts[k] for k in sorted(plan.kept)) if f.split]
    balance = {
        "ratios": list(ratios),
        "by_class": split_balance(((f.rswk_class, s) for f, s in kept), ratios),
        "by_continent": split_balance(((f.continent, s) for f, s in kept), ratios),
        "by_class_and_continent": split_balance(
            ((f"{f.rswk_class} / {f.continent}", s) for f, s in kept), ratios
        ),
    }
    stage.write_file("split_balance.json", json_bytes(balance))
