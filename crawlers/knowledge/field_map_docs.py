"""The heading map of sections.yaml as Markdown tables, as docs/knowledge-fields.md shows it.

python -m crawlers.knowledge.field_map_docs
"""

from __future__ import annotations

import sys

from crawlers.knowledge.sections import SECTION_FIELDS, heading_map


def render_markdown() -> str:
    """One table per edition, one row per field, its keywords in the second column."""
    lines: list[str] = []
    for language, fields in sorted(heading_map().items()):
        lines += [f"### {language}", "", "| field | headings (keywords) |", "| --- | --- |"]
        for field in SECTION_FIELDS:
            lines.append(f"| {field} | " + ", ".join(fields.get(field, ())) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
