"""The field-quality report: how full, specific, repeated and multilingual the records are.

Each knowledge shard's stats carry integer counts (`quality_counts`): `filled_<field>`,
`generic_class`, `events`, `duplicate_events`, `cross_field_duplicates` and
`text_language_<code>`. `field_quality` sums the shards into the JSON report (fill rate per field,
share of generic classes, duplicate-event rate, records with text in two fields, language mix),
and `print_quality_table` logs it as a table at the end of the knowledge stage.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

from crawlers.knowledge.dedupe import sentence_keys
from crawlers.knowledge.events import stems
from rswk.core.landmark_classes import CLASS_TABLE
from rswk.core.records import KnowledgeField, KnowledgeRecord, MajorEvent

logger = logging.getLogger(__name__)
REPORTED_FIELDS: Final = (
    "city",
    "region",
    "address",
    "physical_area",
    "construction_period",
    "construction_start_year",
    "historical_background",
    "major_events",
    "architectural_characteristics",
    "cultural_significance",
    "primary_function",
    "notable_visitors",
    "details",
)
DUPLICATE_OVERLAP: Final = 0.6
TEXT_FIELDS: Final = (
    "address",
    "primary_function",
    "historical_background",
    "architectural_characteristics",
    "cultural_significance",
    "details",
)


def _filled(value: object) -> bool:
    return value is not None and value != [] and value != ""


def _text_fields(record: KnowledgeRecord) -> dict[str, KnowledgeField]:
    return {
        name: value
        for name in type(record).model_fields
        if isinstance(value := getattr(record, name), KnowledgeField)
    }


def duplicate_events(events: list[MajorEvent], ignore: frozenset[str] = frozenset()) -> int:
    """Events that tell the same happening as an earlier one: the same year, and the same item
    or most of the same word stems. (One item in two years, "renovation" in 1950 and 1990, is
    two happenings.) `ignore`: stems that tell nothing apart (the landmark's name)."""
    seen: list[tuple[int | None, str | None, frozenset[str]]] = []
    duplicates = 0
    for event in events:
        words = stems(event.description or event.event) - ignore
        for year, qid, other in seen:
            same_item = qid is not None and qid == event.qid
            smaller = min(len(words), len(other))
            overlap = smaller > 0 and len(words & other) / smaller >= DUPLICATE_OVERLAP
            if year == event.year and (same_item or overlap):
                duplicates += 1
                break
        seen.append((event.year, event.qid, words))
    return duplicates


def has_cross_field_duplicate(record: KnowledgeRecord) -> bool:
    """True when one sentence appears in two text fields of the record (names such as the city
    and the region may coincide: Beijing is both)."""
    seen: set[str] = set()
    for name in TEXT_FIELDS:
        value = getattr(record, name)
        if value is None:
            continue
        keys = sentence_keys(value.value)
        if keys & seen:
            return True
        seen |= keys
    return False


def quality_counts(records: Iterable[KnowledgeRecord]) -> dict[str, int]:
    """The integer counts one shard contributes to the report."""
    counts: Counter[str] = Counter()
    for record in records:
        for name in REPORTED_FIELDS:
            counts[f"filled_{name}"] += int(_filled(getattr(record, name)))
        known = CLASS_TABLE.get(record.category_qid or "")
        counts["generic_class"] += int(known is None or known.specificity == 0)
        counts["events"] += len(record.major_events)
        name_stems = stems(record.name.value)
        counts["duplicate_events"] += duplicate_events(record.major_events, name_stems)
        counts["cross_field_duplicates"] += int(has_cross_field_duplicate(record))
        for value in _text_fields(record).values():
            counts[f"text_language_{value.language}"] += 1
    return dict(counts)


def field_quality(shard_stats: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The report over shards (their `stats` as written in the done-markers)."""
    total: Counter[str] = Counter()
    for stats in shard_stats:
        total.update({k: int(v) for k, v in stats.items() if isinstance(v, int)})
    records = total["records"]
    prefix = "text_language_"
    languages = {k.removeprefix(prefix): v for k, v in total.items() if k.startswith(prefix)}
    texts = sum(languages.values())

    def share(n: int, of: int) -> float:
        return round(n / of, 4) if of else 0.0

    return {
        "records": records,
        "fill_rate": {name: share(total[f"filled_{name}"], records) for name in REPORTED_FIELDS},
        "generic_class_share": share(total["generic_class"], records),
        "duplicate_event_rate": share(total["duplicate_events"], total["events"]),
        "events_per_record": share(total["events"], records),
        "cross_field_duplicate_share": share(total["cross_field_duplicates"], records),
        "language_mix": {lang: share(n, texts) for lang, n in sorted(languages.items())},
    }


def quality_table(report: Mapping[str, Any]) -> str:
    """The report as a plain two-column table."""
    rows = [("records", str(report["records"]))]
    rows += [(f"filled: {k}", f"{v:.0%}") for k, v in report["fill_rate"].items()]
    rows += [
        ("generic class", f"{report['generic_class_share']:.0%}"),
        ("duplicate events", f"{report['duplicate_event_rate']:.1%}"),
        ("events per record", f"{report['events_per_record']:.1f}"),
        ("text in two fields", f"{report['cross_field_duplicate_share']:.0%}"),
        ("languages", ", ".join(f"{k} {v:.0%}" for k, v in report["language_mix"].items())),
    ]
    width = max(len(name) for name, _ in rows)
    lines = ["knowledge field quality", *(f"  {name:<{width}}  {value}" for name, value in rows)]
    return "\n".join(lines)


def print_quality_table(report: Mapping[str, Any]) -> None:
    """Log the table (INFO, as the stages log their progress; stdout stays for the commands'
    own output, and a failed run's one-line error stays one line)."""
    logger.info("%s", quality_table(report))
