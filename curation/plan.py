"""The run-wide decisions of curation: country check, dedup, quotas, classes and splits.

Dedup and quotas need every country at once (a QID listed by two countries, a duplicate across a
border), so curation first summarises every located landmark of the run (no image bytes kept),
decides, and only then writes each country's shard from this plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from curation.dedup import Decision, Summary, deduplicate, name_key
from curation.images import ImageVerdict, inspect_image
from curation.join import Joined, claim_item_ids, class_qids
from curation.splits import Stratum, assign_splits, grid_cell
from rswk.core.borders import CountryBorders
from rswk.core.config import CurationConfig
from rswk.core.countries import CountryRegistry
from rswk.core.country_rules import SOVEREIGN, CountryRules, Verdict, check_point
from rswk.core.landmark_classes import (
    CLASS_TABLE_VERSION,
    is_marine,
    most_specific,
    rswk_class_of,
)
from rswk.core.records import Rejection, RejectReason
from rswk.core.records.landmark import Split

Key = tuple[str, str]  # (qid, country)


@dataclass(frozen=True, slots=True)
class Facts:
    """What curation learnt about one entry before deciding (kept for the shard writer)."""

    qid: str
    country: str
    rswk_class: str
    fine_class: str | None
    fine_class_qid: str | None
    marine: bool
    continent: str
    verdict: Verdict
    image: ImageVerdict | None
    rank: int
    cell: str
    # Set once the kept landmarks are known (splits are dealt over them); None for an entry
    # whose cell no ledger holds and that was not kept.
    split: Split | None = None


@dataclass
class Plan:
    """Per entry: its facts, and either its place in the release or its rejection."""

    facts: dict[Key, Facts] = field(default_factory=dict)
    kept: set[Key] = field(default_factory=set)
    merged_qids: dict[Key, list[str]] = field(default_factory=dict)
    flags: dict[Key, list[str]] = field(default_factory=dict)
    rejections: dict[Key, Rejection] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    class_table_version: str = CLASS_TABLE_VERSION
    # Every country curation looked at, so the coverage table shows the empty ones too.
    countries: set[str] = field(default_factory=set)
    # cell -> split: the ledger read before curating plus every cell dealt now (what the next
    # curation and the release read back, curation/ledger.py).
    ledger: dict[str, Split] = field(default_factory=dict)

    def coverage(self) -> dict[str, Counter[str]]:
        """Kept landmarks per country and class (every country looked at, empty ones too)."""
        table: dict[str, Counter[str]] = {c: Counter() for c in self.countries}
        for key in sorted(self.kept):
            facts = self.facts[key]
            table.setdefault(facts.country, Counter())[facts.rswk_class] += 1
        return table


def continent_of(borders: CountryBorders, iso2: str, lat: float, lon: float) -> str:
    """Natural Earth's continent of the country, its sovereign's, or of the land under the point."""
    known = set(borders.iso_codes())
    for code in (iso2, SOVEREIGN.get(iso2), borders.country_at(lat, lon)):
        if code is not None and code in known:
            return borders.continent(code)
    return "Unknown"


def richness(joined: Joined, image: ImageVerdict | None) -> tuple[int, ...]:
    """How much a record holds: knowledge, text fields, a good image, attributes, sitelinks."""
    knowledge = joined.knowledge
    text_fields = 0
    if knowledge is not None:
        text_fields = sum(
            1 for name, value in knowledge if hasattr(value, "value") and value is not None
        )
    return (
        int(knowledge is not None),
        text_fields,
        int(image is not None and image.check == "ok"),
        int(joined.attributes is not None),
        joined.discovered.sitelinks if joined.discovered else 0,
    )


def _names(joined: Joined) -> frozenset[str]:
    names = {joined.located.label, *joined.located.entity_labels.values()}
    if joined.knowledge is not None:
        names.add(joined.knowledge.name.value)
    return frozenset(name_key(n) for n in names if n)


def _rejection(key: Key, reason: RejectReason, detail: str) -> Rejection:
    # No time stamp of our own: curation decides from stored shards, so a rerun writes the
    # same bytes (the record's default applies).
    return Rejection(qid=key[0], country=key[1], stage="curate", reason=reason, detail=detail)


def build_plan(
    shards: Iterable[tuple[str, list[Joined]]],
    borders: CountryBorders,
    registry: CountryRegistry,
    config: CurationConfig,
    workers: int = 2,
    ledger: Mapping[str, Split] | None = None,
) -> Plan:
    """Decide every entry of the run (module docstring); images are inspected on `workers`.

    `ledger` (cell -> split) holds the cells earlier releases or curations already assigned:
    they keep their split, the other cells of kept landmarks are dealt by stratum.
    """
    plan = Plan()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        summaries = _summarise(plan, shards, borders, config, pool)
    result = deduplicate(
        summaries,
        radius_m=config.duplicate_radius_m,
        name_similarity_min=config.name_similarity,
        part_of_radius_m=config.part_of_radius_m,
        image_bits=config.near_duplicate_image_bits,
    )
    plan.decisions = result.decisions
    survivors = {e.key for e in result.kept}
    for decision in result.decisions:
        dropped = (decision.other_qid, decision.other_country)
        if decision.kind != "near_identical_image" and dropped not in survivors:
            plan.rejections.setdefault(
                dropped, _rejection(dropped, RejectReason.DUPLICATE, decision.detail)
            )
    _apply_quotas(plan, survivors, registry)
    _assign_splits(plan, config, ledger or {})
    for key in plan.kept:
        facts = plan.facts[key]
        plan.merged_qids[key] = sorted(set(result.merged_into.get(key, [])), key=_qid_number)
        plan.flags[key] = sorted({*facts.verdict.flags, *result.image_flags.get(key, [])})
    return plan


def _summarise(
    plan: Plan,
    shards: Iterable[tuple[str, list[Joined]]],
    borders: CountryBorders,
    config: CurationConfig,
    pool: ThreadPoolExecutor,
) -> list[Summary]:
    """Fill `plan.facts` (and country rejections); the dedup summaries of entries that pass."""
    rules = CountryRules(config.coastal_tolerance_m, config.marine_tolerance_m)
    summaries: list[Summary] = []
    for shard, joined_list in shards:
        # Decoding and hashing images is most of curation's CPU; PIL releases the GIL.
        images = list(
            pool.map(lambda j: inspect_image(j.image) if j.image is not None else None, joined_list)
        )
        plan.countries.add(shard.split("-")[0])
        for joined, image in zip(joined_list, images, strict=True):
            located = joined.located
            key = (located.qid, located.country)
            classes = class_qids(joined)
            best = most_specific(classes)
            marine = is_marine(classes)
            verdict = check_point(
                borders, located.lat, located.lon, located.country, marine=marine, rules=rules
            )
            cell = grid_cell(located.lat, located.lon, config.grid_cell_km)
            plan.facts[key] = Facts(
                qid=located.qid,
                country=located.country,
                rswk_class=rswk_class_of(classes),
                fine_class=best.label if best else None,
                fine_class_qid=best.qid if best else None,
                marine=marine,
                continent=continent_of(borders, located.country, located.lat, located.lon),
                verdict=verdict,
                image=image,
                rank=joined.discovered.rank if joined.discovered else 1_000_000,
                cell=cell,
            )
            if not verdict.ok:
                assert verdict.reason is not None
                plan.rejections[key] = _rejection(key, verdict.reason, verdict.detail)
                continue
            summaries.append(
                Summary(
                    qid=located.qid,
                    country=located.country,
                    lat=located.lat,
                    lon=located.lon,
                    names=_names(joined),
                    richness=richness(joined, image),
                    in_country=verdict.distance_m == 0.0,
                    part_of=frozenset(claim_item_ids(located, "P361")),
                    has_part=frozenset(claim_item_ids(located, "P527")),
                    phash=image.phash if image is not None else None,
                )
            )
    return summaries


def _qid_number(qid: str) -> int:
    return int(qid[1:])


def _apply_quotas(plan: Plan, survivors: set[Key], registry: CountryRegistry) -> None:
    """Keep at most each country's quota, best discovery rank first; the rest are rejected."""
    by_country: dict[str, list[Key]] = defaultdict(list)
    for key in survivors:
        by_country[key[1]].append(key)
    for country, keys in by_country.items():
        keys.sort(key=lambda k: (plan.facts[k].rank, _qid_number(k[0])))
        quota = registry.get(country).quota if country in registry else len(keys)
        plan.kept.update(keys[:quota])
        for key in keys[quota:]:
            plan.rejections[key] = _rejection(
                key,
                RejectReason.OVER_QUOTA,
                f"{country} keeps {quota} landmarks (countries/{country}.yaml quota) after "
                f"deduplication; {key[0]} ranks {plan.facts[key].rank}",
            )


def _assign_splits(plan: Plan, config: CurationConfig, ledger: Mapping[str, Split]) -> None:
    """Deal the kept landmarks' cells (curation/splits.py) and set every entry's split."""
    cells: dict[str, list[Stratum]] = defaultdict(list)
    for key in sorted(plan.kept):
        facts = plan.facts[key]
        cells[facts.cell].append((facts.rswk_class, facts.continent))
    dealt = assign_splits(cells, config.split_ratios, config.split_salt, ledger)
    plan.ledger = {**ledger, **dealt}
    for key, facts in plan.facts.items():
        plan.facts[key] = replace(facts, split=plan.ledger.get(facts.cell))
