"""RSWK v1 records (the paper's JSON layout) -> RSWK's landmarks table, with findings.

A record has `ID`, `image_name`, `world knowledge` (Name, Category, Area, Location, ...) and
`remote sensing expert knowledge` (ALBEDO, LST_Day_1km, SR_B1...). Every oddity met on the way
is a `Finding` (record, field, kind, detail): a place name for a Location, a key variant merged,
a value without its unit, a field some records lack, a class outside RSWK's 16, a name used by
two records. The table has validation/table.py's columns, so `rswk validate --table` checks it
with the same suite as a release and lists what fails, row by row.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.rswk_v1.coordinates import parse_location
from curation.rswk_v1.values import COLUMN_OF, canonical_key, parse_quantity
from curation.splits import grid_cell
from rswk.core.errors import RSWKError
from rswk.core.landmark_classes import RSWK_CLASSES

WORLD = "world_knowledge"
EXPERT = "remote_sensing_expert_knowledge"
TEXT_KEYS = (
    "historical_background",
    "architectural_characteristics",
    "cultural_significance",
    "primary_function",
    "details",
    "physical_area",
    "construction_period",
    "address",
)
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
_CLASS_BY_FOLDED = {c.casefold(): c for c in RSWK_CLASSES}


@dataclass(frozen=True)
class Finding:
    """One defect or repair of the source, by record id."""

    record: str
    field: str
    kind: str
    detail: str


@dataclass
class ImportResult:
    """The landmarks table rows and everything found on the way."""

    rows: list[dict[str, Any]] = field(default_factory=list)
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
) -> dict[str, Any]:
    """The section with canonical keys; variants of one key merge (a finding each)."""
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
        if canonical != key.casefold():
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
    return merged


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
    total = sum(len(world[k]) for k in TEXT_KEYS if isinstance(world.get(k), str))
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
        top = _merge_keys(record, str(record.get("ID", f"#{index}")), "record", result.findings)
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
        world = _merge_keys(world, record_id, WORLD, result.findings)
        expert = _merge_keys(expert, record_id, EXPERT, result.findings)
        sections[WORLD][record_id] = set(world)
        sections[EXPERT][record_id] = set(expert)
        result.rows.append(
            _row(record_id, top, world, expert, split, result.findings, ATTRIBUTE_COLUMNS)
        )
        names[result.rows[-1]["name"] or ""].append(record_id)
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


def _row(
    record_id: str,
    top: dict[str, Any],
    world: dict[str, Any],
    expert: dict[str, Any],
    split: str | None,
    findings: list[Finding],
    attribute_columns: tuple[str, ...],
) -> dict[str, Any]:
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
    attributes: dict[str, float | None] = dict.fromkeys(attribute_columns)
    for key, raw in expert.items():
        quantity = parse_quantity(raw)
        if quantity is None:
            findings.append(
                Finding(record_id, f"{EXPERT}.{key}", "not_a_number", f"{raw!r} is not a number")
            )
            continue
        if isinstance(raw, str) and quantity.unit:
            findings.append(
                Finding(
                    record_id,
                    f"{EXPERT}.{key}",
                    "unit_in_string",
                    f"{raw!r} read as {quantity.value:g} {quantity.unit}",
                )
            )
        if key not in COLUMN_OF:
            continue
        column, unit, factor = COLUMN_OF[key]
        if unit and quantity.unit != unit:
            findings.append(
                Finding(
                    record_id,
                    f"{EXPERT}.{key}",
                    "unit_missing",
                    f"{raw!r}: expected a value in {unit}",
                )
            )
            continue
        if not unit and quantity.unit is None and isinstance(raw, int | float):
            findings.append(
                Finding(
                    record_id,
                    f"{EXPERT}.{key}",
                    "unit_missing",
                    f"{raw!r} has no unit (stored as given in {column})",
                )
            )
        attributes[column] = quantity.value * factor
    borders = CountryBorders.load()
    lat, lon = location.lat, location.lon
    return {
        "qid": f"rswk-v1:{record_id}",
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
        **attributes,
    }


def write_import(result: ImportResult, out_dir: Path, stem: str = "rswk_v1") -> tuple[Path, Path]:
    """`<stem>.parquet` (the landmarks table) and `<stem>_findings.json` in `out_dir`."""
    import pandas as pd

    from rswk.core.runstore import atomic_write_json
    from validation.table import LANDMARK_COLUMNS, coerce_types

    out_dir.mkdir(parents=True, exist_ok=True)
    frame = coerce_types(pd.DataFrame(result.rows, columns=list(LANDMARK_COLUMNS)))
    table_path = out_dir / f"{stem}.parquet"
    frame.to_parquet(table_path, index=False)
    findings_path = out_dir / f"{stem}_findings.json"
    atomic_write_json(
        findings_path,
        {
            "records": len(result.rows),
            "counts": result.counts(),
            "findings": [f.__dict__ for f in result.findings],
        },
    )
    return table_path, findings_path
