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
    if isinstance(field, list):  # people (notable visitors): the paper lists their names
        return ", ".join(person["name"] for person in field) or None
    return field["value"] if field else None


def rswk_v1_record(row: dict[str, Any], image_name: str | None) -> dict[str, Any]:
    """One landmark row in the paper's layout."""
    k = row.get("knowledge") or {}
    world: dict[str, Any] = {
        key: _text(k, field) for field, key in rswk_v1.WORLD_KNOWLEDGE_TEXT.items()
    }
    world["Name"] = world["Name"] or row["name"]
    world[rswk_v1.LOCATION_KEY] = {
        "City": _text(k, "city"),
        "Region": _text(k, "region"),
        "Country": _text(k, "country_name") or row["country"],
        "Latitude": row["lat"],
        "Longitude": row["lon"],
    }
    world[rswk_v1.MAJOR_EVENTS_KEY] = [
        {"Year": e["year"], "Event": e["event"], "Description": e["description"]}
        for e in k.get("major_events") or []
    ]
    a = row.get("attributes") or {}
    expert: dict[str, Any] = {key: a.get(field) for field, key in rswk_v1.REMOTE_SENSING.items()}
    expert[rswk_v1.MONTHLY_KEY] = [
        {
            "Month": m["month"],
            "NDVI": m["ndvi_mean"],
            "NDWI": m["ndwi_mean"],
            "NDBI": m["ndbi_mean"],
        }
        for m in a.get("monthly") or []
    ]
    expert[rswk_v1.RS_DESCRIPTION_KEY] = a.get("rs_description") or None
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
