"""RSWK v1 records (the paper's JSON layout) -> RSWK's landmarks table, with findings.

A record has `ID`, `image_name`, `world knowledge` (Name, Category, Area, Location, ...) and
`remote sensing expert knowledge` (ALBEDO, LST_Day_1km, SR_B1...); which key is which field is
the layout table `rswk.core.rswk_v1`, the one `rswk export --format rswk-v1` writes with, so an
export reads back here without a finding. Every oddity met on the way is a `Finding` (record,
field, kind, detail): a place name for a Location, a key variant merged, a value without its
unit, a field some records lack, a class outside RSWK's 16, a name used by two records. The
table has validation/table.py's columns, so `rswk validate --table` checks it with the same
suite as a release and lists what fails, row by row; the texts and the measurements that table
has no column for go to a second table (knowledge.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.rswk_v1.coordinates import parse_location
from curation.rswk_v1.findings import EXPERT, WORLD, Finding
from curation.rswk_v1.knowledge import TEXT_FIELD_OF, knowledge_row, knowledge_schema
from curation.rswk_v1.measurements import measurements
from curation.splits import grid_cell
from rswk.core import rswk_v1 as layout
from rswk.core.errors import RSWKError
from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES
from rswk.core.rswk_v1 import canonical_key

# Spellings of the layout itself: reading one is no key variant.
LAYOUT_SPELLINGS = {
    *layout.TOP_KEYS,
    layout.NAME_KEY,
    layout.CATEGORY_KEY,
    layout.AREA_KEY,
    layout.LOCATION_KEY,
    layout.NOTABLE_VISITORS_KEY,
    layout.MAJOR_EVENTS_KEY,
    layout.MONTHLY_KEY,
    *layout.WORLD_KNOWLEDGE_TEXT.values(),
    *layout.REMOTE_SENSING_TEXT.values(),
    *(m.key for m in layout.MEASURED),
    *(m.name for m in layout.MEASURED),
}
WIKIDATA_QID = re.compile(r"^Q[1-9][0-9]*$")
# Country names as people write them that ISO 3166 (pycountry) spells otherwise.
COUNTRY_ALIASES = {
    "turkey": "TR",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "usa": "US",
    "russia": "RU",
    "iran": "IR",
    "south korea": "KR",
    "north korea": "KP",
    "vietnam": "VN",
    "syria": "SY",
    "laos": "LA",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "holland": "NL",
    "vatican city": "VA",
    "palestine": "PS",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
}
_CLASS_BY_FOLDED = {c.casefold(): c for c in (*RSWK_CLASSES, OTHER_CLASS)}


@dataclass
class ImportResult:
    """The landmarks table rows and everything found on the way."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.kind for f in self.findings).items()))


def read_records(path: Path) -> list[Any]:
    """A JSON array of records, or JSON Lines (one record per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RSWKError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise RSWKError(
                f"{path}: neither a JSON array nor JSON Lines (line {exc.lineno}: {exc.msg})"
            ) from None
    if not isinstance(data, list):
        raise RSWKError(f"{path}: expected a JSON array of records, got a {type(data).__name__}")
    return data


def _merge_keys(
    section: dict[str, Any], record_id: str, where: str, findings: list[Finding]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The section with canonical keys, and each canonical key's spelling in the source;
    variants of one key merge (a finding each, unless the spelling is the layout's own)."""
    merged: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in section.items():
        canonical = canonical_key(key)
        if canonical in merged:
            agree = merged[canonical] == value
            findings.append(
                Finding(
                    record_id,
                    f"{where}.{canonical}",
                    "key_variant",
                    f"{spelled[canonical]!r} and {key!r} both given ("
                    + ("same value" if agree else f"{merged[canonical]!r} vs {value!r}; first kept")
                    + ")",
                )
            )
            continue
        if canonical != key.casefold() and key not in LAYOUT_SPELLINGS:
            findings.append(
                Finding(
                    record_id,
                    f"{where}.{canonical}",
                    "key_variant",
                    f"{key!r} read as {canonical!r}",
                )
            )
        merged[canonical] = value
        spelled[canonical] = key
    return merged, spelled


def _country(area: Any) -> str | None:
    import pycountry

    if not isinstance(area, str) or not area.strip():
        return None
    parts = [p.strip() for p in area.split(",") if p.strip()]
    for part in reversed(parts):
        if part.casefold() in COUNTRY_ALIASES:
            return COUNTRY_ALIASES[part.casefold()]
        try:
            return str(pycountry.countries.lookup(part).alpha_2)
        except LookupError:
            continue
    # Names pycountry spells otherwise ("Turkey" is "Türkiye"): its fuzzy search, last part only,
    # so a city name is never taken for a country.
    try:
        return str(pycountry.countries.search_fuzzy(parts[-1])[0].alpha_2) if parts else None
    except LookupError:
        return None


def _text_chars(world: dict[str, Any]) -> int:
    total = sum(len(world[k]) for k in TEXT_FIELD_OF if isinstance(world.get(k), str))
    for event in world.get("major_events") or []:
        if isinstance(event, dict):
            total += sum(len(v) for v in event.values() if isinstance(v, str))
    return total


def import_records(records: list[Any], *, split: str | None = None) -> ImportResult:
    """The landmarks table and findings of RSWK v1 `records` (module docstring)."""
    from validation.table import ATTRIBUTE_COLUMNS

    result = ImportResult()
    sections: dict[str, dict[str, set[str]]] = {WORLD: {}, EXPERT: {}}
    names: dict[str, list[str]] = defaultdict(list)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            result.findings.append(Finding(f"#{index}", "", "not_a_record", "not a JSON object"))
            continue
        top, _ = _merge_keys(record, str(record.get("ID", f"#{index}")), "record", result.findings)
        record_id = str(top.get("id", f"#{index}"))
        world = top.get(WORLD)
        expert = top.get(EXPERT)
        if not isinstance(world, dict):
            result.findings.append(
                Finding(record_id, WORLD, "missing_section", "no 'world knowledge' object")
            )
            world = {}
        if not isinstance(expert, dict):
            result.findings.append(
                Finding(
                    record_id,
                    EXPERT,
                    "missing_section",
                    "no 'remote sensing expert knowledge' object",
                )
            )
            expert = {}
        world, _ = _merge_keys(world, record_id, WORLD, result.findings)
        expert, spelled = _merge_keys(expert, record_id, EXPERT, result.findings)
        sections[WORLD][record_id] = set(world)
        sections[EXPERT][record_id] = set(expert)
        measured = measurements(record_id, expert, spelled, result.findings)
        row = _row(record_id, top, world, split, result.findings)
        row.update({column: measured.get(column) for column in ATTRIBUTE_COLUMNS})
        result.rows.append(row)
        result.knowledge.append(
            knowledge_row(row["qid"], top, world, expert, measured, record_id, result.findings)
        )
        # Distinct Wikidata items may share a name; the paper's numeric IDs say nothing.
        if not WIKIDATA_QID.match(record_id):
            names[row["name"] or ""].append(record_id)
    for where, keys_by_record in sections.items():
        union = set().union(*keys_by_record.values()) if keys_by_record else set()
        for record_id, keys in keys_by_record.items():
            missing = sorted(union - keys)
            if missing:
                result.findings.append(
                    Finding(
                        record_id,
                        where,
                        "missing_field",
                        f"lacks {', '.join(missing)} (given by other records)",
                    )
                )
    for name, ids in names.items():
        if name and len(ids) > 1:
            for record_id in ids:
                result.findings.append(
                    Finding(
                        record_id,
                        f"{WORLD}.name",
                        "duplicate_name",
                        f"{name!r} is also the name of record(s) "
                        f"{', '.join(i for i in ids if i != record_id)}",
                    )
                )
    return result


def _qid(record_id: str) -> str:
    """A Wikidata QID stays itself (our own export); the paper's numeric IDs get a prefix."""
    return record_id if WIKIDATA_QID.match(record_id) else f"rswk-v1:{record_id}"


def _row(
    record_id: str,
    top: dict[str, Any],
    world: dict[str, Any],
    split: str | None,
    findings: list[Finding],
) -> dict[str, Any]:
    """The landmarks-table row, without its measurement columns."""
    from curation.plan import continent_of
    from rswk.core.borders import CountryBorders

    name = world.get("name") or top.get("image_name")
    name = name.strip() if isinstance(name, str) else None
    category = world.get("category")
    rswk_class = (
        _CLASS_BY_FOLDED.get(category.strip().casefold()) if isinstance(category, str) else None
    )
    if rswk_class is None:
        findings.append(
            Finding(
                record_id,
                f"{WORLD}.category",
                "unknown_class",
                f"{category!r} is not one of RSWK's 16 classes",
            )
        )
    country = _country(world.get("area"))
    if country is None:
        findings.append(
            Finding(
                record_id,
                f"{WORLD}.area",
                "no_country",
                f"no country found in Area {world.get('area')!r}",
            )
        )
    location = parse_location(
        world.get("location") if isinstance(world.get("location"), str) else None
    )
    if location.finding:
        findings.append(
            Finding(record_id, f"{WORLD}.location", f"location_{location.form}", location.finding)
        )
    borders = CountryBorders.load()
    lat, lon = location.lat, location.lon
    return {
        "qid": _qid(record_id),
        "country": country,
        "name": name,
        "language": "en",
        "rswk_class": rswk_class or (category if isinstance(category, str) else None),
        "fine_class": None,
        "continent": (
            continent_of(borders, country, lat or 0.0, lon or 0.0) if country is not None else None
        ),
        "lat": lat,
        "lon": lon,
        "split": split,
        "grid_cell": grid_cell(lat, lon) if lat is not None and lon is not None else None,
        "marine": False,
        "image_check": None,
        "name_chars": len(name or ""),
        "text_chars": _text_chars(world),
        # The published records name no licence and no attribution for any field.
        "licence_complete": False,
        "attribution_complete": False,
    }


def write_import(
    result: ImportResult, out_dir: Path, stem: str = "rswk_v1"
) -> tuple[Path, Path, Path]:
    """`<stem>.parquet` (the landmarks table), `<stem>_knowledge.parquet` (texts and the
    measurements the landmarks table has no column for) and `<stem>_findings.json`."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rswk.core.runstore import atomic_write_json
    from validation.table import ATTRIBUTE_COLUMNS, LANDMARK_COLUMNS, coerce_types

    out_dir.mkdir(parents=True, exist_ok=True)
    frame = coerce_types(pd.DataFrame(result.rows, columns=list(LANDMARK_COLUMNS)))
    table_path = out_dir / f"{stem}.parquet"
    frame.to_parquet(table_path, index=False)
    knowledge_path = out_dir / f"{stem}_knowledge.parquet"
    schema = knowledge_schema(ATTRIBUTE_COLUMNS)
    pq.write_table(pa.Table.from_pylist(result.knowledge, schema=schema), knowledge_path)
    findings_path = out_dir / f"{stem}_findings.json"
    atomic_write_json(
        findings_path,
        {
            "records": len(result.rows),
            "counts": result.counts(),
            "findings": [f.__dict__ for f in result.findings],
        },
    )
    return table_path, knowledge_path, findings_path
