"""report/: a coverage map, a grid of sample images, a class × continent table, one HTML page.

The map is a choropleth of landmarks per country drawn with geopandas (`GeoDataFrame.plot`,
matplotlib's Agg renderer) over the Natural Earth polygons of `rswk.core.borders`, with a point
per landmark. The axes fill the figure exactly, so the image is an equirectangular grid: pixel
(x, y) is lon = x / width * 360 - 180, lat = 90 - y / height * 180 (`_xy`). The PNG carries no
software or time stamp, so a rebuilt release is byte-identical. The HTML page references its
images by relative path and loads nothing from the network.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from rswk.core.records.landmark import CuratedLandmark

MAP_WIDTH = 1440
MAP_DPI = 100
SEA = (214, 230, 240)
NO_DATA = (235, 235, 230)
BORDER = (150, 150, 150)
POINT = (200, 30, 30)
COLOURMAP = "YlGn"
# The colour bar sits in the South Pacific (axes fraction: left, bottom, width, height).
COLOURBAR_BOX = (0.03, 0.2, 0.2, 0.025)


def _xy(lon: float, lat: float, width: int, height: int) -> tuple[float, float]:
    return (lon + 180.0) / 360.0 * width, (90.0 - lat) / 180.0 * height


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def count_norm(counts: dict[str, int]) -> Any:
    """Counts -> colour-map position: 0 would be the map's palest colour, so 1 landmark is
    already visibly shaded and distinct from the no-data grey."""
    from matplotlib.colors import Normalize

    return Normalize(vmin=0, vmax=max(max(counts.values(), default=1), 1))


def country_colour(count: int, counts: dict[str, int]) -> tuple[int, int, int]:
    """The fill (8-bit RGB) of a country with `count` landmarks on the map of `counts`."""
    from matplotlib import colormaps

    if not count:
        return NO_DATA
    r, g, b, _ = colormaps[COLOURMAP](count_norm(counts)(count))
    return round(r * 255), round(g * 255), round(b * 255)


def coverage_map(landmarks: Sequence[CuratedLandmark], path: Path) -> dict[str, int]:
    """Draw landmarks per country (choropleth + points) to `path`; returns counts per country."""
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from rswk.core.borders import CountryBorders

    counts = dict(Counter(lm.country for lm in landmarks))
    width, height = MAP_WIDTH, MAP_WIDTH // 2
    frame = CountryBorders.load().frame()
    # A quarter of a pixel at this width; topology need not survive, the polygons are only drawn.
    countries = gpd.GeoDataFrame(
        {"landmarks": [counts.get(str(iso2)) for iso2 in frame.index]},
        geometry=frame.geometry.simplify(360.0 / width / 4, preserve_topology=False).values,
        crs=frame.crs,
    )
    figure = Figure(figsize=(width / MAP_DPI, height / MAP_DPI), dpi=MAP_DPI)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor(_hex(SEA))
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    countries.plot(
        ax=ax,
        column="landmarks",
        cmap=COLOURMAP,
        norm=count_norm(counts),
        edgecolor=_hex(BORDER),
        linewidth=0.3,
        missing_kwds={"color": _hex(NO_DATA), "edgecolor": _hex(BORDER), "linewidth": 0.3},
        legend=True,
        cax=ax.inset_axes(COLOURBAR_BOX),
        legend_kwds={"orientation": "horizontal", "label": "landmarks per country"},
    )
    if landmarks:
        points = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy([lm.lon for lm in landmarks], [lm.lat for lm in landmarks]),
            crs=frame.crs,
        )
        points.plot(ax=ax, color=_hex(POINT), markersize=12, linewidth=0)
    # After plotting: geopandas sets an aspect of its own; the map must fill the axes exactly.
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-90.0, 90.0)
    ax.set_aspect("auto")
    ax.text(
        0.01,
        0.02,
        f"{len(landmarks)} landmarks, {len(counts)} countries",
        transform=ax.transAxes,
        fontsize=10,
    )
    figure.savefig(path, format="png", dpi=MAP_DPI, metadata={"Software": None})
    return counts


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
