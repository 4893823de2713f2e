"""Exports of a built release: the paper's JSON layout, and ms-swift fine-tuning JSONL.

Both read the release's own Parquet files (after checking the folder verifies), so an export is
exactly what was published. Images are written once, as `images/<QID>.<ext>`, and referenced by
relative path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from rswk.core import rswk_v1
from rswk.core.errors import RSWKError
from rswk.core.records.landmark import SPLITS
from rswk.release.manifest import verify_release
from rswk.release.task_views import CAPTION_PROMPT, CLASS_NAMES

FORMATS = ("rswk-v1", "ms-swift")
RSWK_V1_FILE = "rswk_v1.json"
CLASSIFY_PROMPT = "Which class does the landmark in this image belong to? Answer with one of: "


def _rows(release: Path, config: str, split: str | None = None) -> Iterator[dict[str, Any]]:
    pattern = f"{split}-*.parquet" if split else "*.parquet"
    for path in sorted((release / "data" / config).glob(pattern)):
        yield from pq.read_table(path).to_pylist()


def _save_image(out: Path, image: dict[str, Any] | None) -> str | None:
    if not image or image.get("bytes") is None:
        return None
    relative = f"images/{image['path']}"
    target = out / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(image["bytes"])
    return relative


def _text(group: dict[str, Any] | None, key: str) -> str | None:
    field = (group or {}).get(key)
    return field["value"] if field else None


def _area(row: dict[str, Any]) -> str:
    """`City, Region, Country`: the parts known, the country always last (the importer reads the
    country from it)."""
    k = row.get("knowledge") or {}
    parts = [_text(k, "city"), _text(k, "region"), _text(k, "country_name") or row["country"]]
    return ", ".join(part for part in parts if part)


def _measured(value: float | None, measured: rswk_v1.Measured) -> float | None:
    if value is None or measured.factor == 1.0:
        return value
    # Back to the paper's unit; rounded so hPa -> Pa writes no float noise (1013.25 -> 101325.0).
    return round(value / measured.factor, 6)


def rswk_v1_record(row: dict[str, Any], image_name: str | None) -> dict[str, Any]:
    """One landmark row in the paper's layout (the keys of `rswk.core.rswk_v1`)."""
    k = row.get("knowledge") or {}
    world: dict[str, Any] = {
        rswk_v1.NAME_KEY: row["name"],
        rswk_v1.CATEGORY_KEY: row["rswk_class"],
        rswk_v1.AREA_KEY: _area(row),
        rswk_v1.LOCATION_KEY: rswk_v1.format_location(row["lat"], row["lon"]),
    }
    world.update({key: _text(k, field) for field, key in rswk_v1.WORLD_KNOWLEDGE_TEXT.items()})
    world[rswk_v1.NOTABLE_VISITORS_KEY] = [p["name"] for p in k.get("notable_visitors") or []]
    world[rswk_v1.MAJOR_EVENTS_KEY] = [
        {key: event[field] for field, key in rswk_v1.MAJOR_EVENT_FIELDS.items()}
        for event in k.get("major_events") or []
    ]
    a = row.get("attributes") or {}
    expert: dict[str, Any] = {m.key: _measured(a.get(m.column), m) for m in rswk_v1.MEASURED}
    expert.update({key: a.get(field) or None for field, key in rswk_v1.REMOTE_SENSING_TEXT.items()})
    expert[rswk_v1.MONTHLY_KEY] = [
        {key: month[field] for field, key in rswk_v1.MONTHLY_FIELDS.items()}
        for month in a.get("monthly") or []
    ]
    return {
        "ID": row["qid"],
        "image_name": image_name,
        "world knowledge": world,
        "remote sensing expert knowledge": expert,
    }


def export_rswk_v1(release: Path, out: Path) -> dict[str, int]:
    """Write `out/rswk_v1.json` (all splits, QID order) and `out/images/`."""
    records = []
    for row in _rows(release, "landmarks"):
        relative = _save_image(out, row.get("image"))
        name = Path(relative).name if relative else None
        records.append(rswk_v1_record(row, name))
    records.sort(key=lambda r: int(r["ID"][1:]))
    text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
    (out / RSWK_V1_FILE).write_text(text + "\n")
    return {"records": len(records)}


def _swift_line(task: str, question: str, answer: str, image: str) -> str:
    line = {
        "messages": [
            {"role": "user", "content": f"<image>{question}"},
            {"role": "assistant", "content": answer},
        ],
        "images": [image],
        "task": task,
    }
    return json.dumps(line, ensure_ascii=False)


def _swift_lines(task: str, row: dict[str, Any], image: str) -> list[str]:
    if task == "classification":
        question = CLASSIFY_PROMPT + ", ".join(CLASS_NAMES) + "."
        return [_swift_line(task, question, CLASS_NAMES[row["label"]], image)]
    if task == "captioning":
        return [_swift_line(task, CAPTION_PROMPT, row["caption"], image)]
    return [
        _swift_line(f"vqa:{qa['question_type']}", qa["question"], qa["answer"], image)
        for qa in row["questions"]
    ]


def export_ms_swift(release: Path, out: Path) -> dict[str, int]:
    """Write `out/<task>/<split>.jsonl` for each task view, images under `out/images/`."""
    counts = {}
    for task in ("classification", "captioning", "vqa"):
        for split in SPLITS:
            lines = []
            for row in _rows(release, task, split):
                image = _save_image(out, row.get("image"))
                if image is not None:
                    lines.extend(_swift_lines(task, row, image))
            target = out / task / f"{split}.jsonl"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(line + "\n" for line in lines))
            counts[f"{task}/{split}"] = len(lines)
    return counts


def export_release(release: Path, out: Path, fmt: str) -> dict[str, int]:
    """Export a verified release folder to `out` in format `fmt`."""
    if fmt not in FORMATS:
        raise RSWKError(f"--format {fmt!r}: formats are {', '.join(FORMATS)}")
    problems = verify_release(release)
    if problems:
        raise RSWKError(f"{release}: does not verify ({problems[0]}); run `rswk verify` on it")
    out.mkdir(parents=True, exist_ok=True)
    return export_rswk_v1(release, out) if fmt == "rswk-v1" else export_ms_swift(release, out)
