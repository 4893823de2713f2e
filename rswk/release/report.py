"""report/: a coverage map, a grid of sample images, a class × continent table, one HTML page.

The map is a choropleth of landmarks per country over the Natural Earth polygons of
`rswk.core.borders` (a GeoDataFrame). matplotlib is not among the dependencies, so the polygons
are rasterised with Pillow in an equirectangular projection instead of `GeoDataFrame.plot`.
The HTML page references its images by relative path and loads nothing from the network.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from rswk.core.records.landmark import CuratedLandmark

MAP_WIDTH = 1440
SEA = (214, 230, 240)
NO_DATA = (235, 235, 230)
BORDER = (150, 150, 150)
POINT = (200, 30, 30)


def _xy(lon: float, lat: float, width: int, height: int) -> tuple[float, float]:
    return (lon + 180.0) / 360.0 * width, (90.0 - lat) / 180.0 * height


def _shade(count: int, most: int) -> tuple[int, int, int]:
    """Light to dark green by share of the busiest country."""
    share = count / most if most else 0.0
    return (int(199 - 170 * share), int(233 - 120 * share), int(192 - 140 * share))


def coverage_map(landmarks: Sequence[CuratedLandmark], path: Path) -> dict[str, int]:
    """Draw landmarks per country (choropleth + points) to `path`; returns counts per country."""
    from rswk.core.borders import CountryBorders

    counts = Counter(lm.country for lm in landmarks)
    frame = CountryBorders.load()._frame
    width, height = MAP_WIDTH, MAP_WIDTH // 2
    canvas = Image.new("RGB", (width, height), SEA)
    draw = ImageDraw.Draw(canvas)
    most = max(counts.values(), default=0)
    # A quarter of a pixel at this width; topology need not survive, the polygons are only drawn.
    simplified = frame.geometry.simplify(360.0 / width / 4, preserve_topology=False)
    for iso2, geometry in zip(frame.index, simplified, strict=True):
        fill = _shade(counts[str(iso2)], most) if counts.get(str(iso2)) else NO_DATA
        for polygon in getattr(geometry, "geoms", [geometry]):
            if polygon.is_empty or polygon.geom_type != "Polygon":
                continue
            ring = [_xy(x, y, width, height) for x, y in polygon.exterior.coords]
            if len(ring) >= 3:
                draw.polygon(ring, fill=fill, outline=BORDER)
    for lm in landmarks:
        x, y = _xy(lm.lon, lm.lat, width, height)
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=POINT)
    draw.text((10, height - 20), f"{len(landmarks)} landmarks, {len(counts)} countries", fill=0)
    canvas.save(path, format="PNG", optimize=True)
    return dict(counts)


def sample_grid(
    landmarks: Sequence[CuratedLandmark], path: Path, columns: int = 4, tile: int = 192
) -> list[str]:
    """A grid of up to 4 × `columns` images with their names under them; returns the QIDs."""
    with_images = [lm for lm in landmarks if lm.image is not None]
    # Spread the picks over the QID-sorted rows so the grid does not show one country only.
    step = max(1, len(with_images) // (columns * 4))
    chosen = with_images[::step][: columns * 4]
    rows = max(1, -(-len(chosen) // columns))
    label_h = 18
    canvas = Image.new("RGB", (columns * tile, rows * (tile + label_h)), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    for i, lm in enumerate(chosen):
        assert lm.image is not None
        picture = Image.open(io.BytesIO(lm.image.image)).convert("RGB")
        picture.thumbnail((tile, tile))
        x, y = (i % columns) * tile, (i // columns) * (tile + label_h)
        canvas.paste(picture, (x, y))
        # The English label where Wikidata has one: the bundled font has no non-Latin glyphs.
        label = lm.location.entity_labels.get("en", lm.name)
        draw.text((x + 4, y + tile + 3), f"{label[:28]} ({lm.qid})", fill=0, font=font)
    canvas.save(path, format="PNG", optimize=True)
    return [lm.qid for lm in chosen]


def class_by_continent(landmarks: Sequence[CuratedLandmark]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the class × continent count table (with totals)."""
    continents = sorted({lm.continent for lm in landmarks})
    counts = Counter((lm.rswk_class, lm.continent) for lm in landmarks)
    header = ["class", *continents, "total"]
    rows = []
    for cls in sorted({lm.rswk_class for lm in landmarks}):
        cells = [counts[(cls, c)] for c in continents]
        rows.append([cls, *map(str, cells), str(sum(cells))])
    return header, rows


def write_report(landmarks: Sequence[CuratedLandmark], folder: Path, version: str) -> None:
    """Write the map, the grid, the table (CSV) and index.html into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = coverage_map(landmarks, folder / "coverage_map.png")
    shown = sample_grid(landmarks, folder / "sample_grid.png")
    header, rows = class_by_continent(landmarks)
    csv = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    (folder / "class_by_continent.csv").write_text(csv)

    def table(head: list[str], body: list[list[str]]) -> str:
        th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        trs = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
        )
        return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"

    countries = [[c, str(n)] for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RSWK {html.escape(version)} report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1500px}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:2px 8px}}
img{{max-width:100%}}</style></head><body>
<h1>RSWK {html.escape(version)}</h1>
<p>{len(landmarks)} landmarks in {len(counts)} countries.</p>
<h2>Coverage</h2><img src="coverage_map.png" alt="landmarks per country">
<h2>Sample images</h2><p>{len(shown)} landmarks: {html.escape(", ".join(shown))}</p>
<img src="sample_grid.png" alt="sample images with their names">
<h2>Class × continent</h2>{table(header, rows)}
<h2>Landmarks per country</h2>{table(["country", "landmarks"], countries)}
</body></html>
"""
    (folder / "index.html").write_text(page)
