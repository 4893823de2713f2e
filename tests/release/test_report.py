"""report/: the coverage map colours the countries that have landmarks, the grid and the
class × continent table describe the released rows, and the HTML page needs no network."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from rswk.core.borders import CountryBorders
from rswk.core.runstore import RunStore
from rswk.release.assemble import ReleaseResult, read_curated
from rswk.release.report import MAP_WIDTH, NO_DATA, SEA, _xy, country_colour, coverage_map


@pytest.fixture(scope="module")
def report(sample_release: ReleaseResult) -> Path:
    assert sample_release.path is not None
    return sample_release.path / "report"


def _close(got: tuple[int, ...], want: tuple[int, int, int]) -> bool:
    return all(abs(g - w) <= 1 for g, w in zip(got[:3], want, strict=True))


def test_coverage_map_shades_each_country_by_its_landmarks(
    report: Path, sample_store: Path
) -> None:
    landmarks = read_curated(RunStore(sample_store))
    counts = dict(Counter(lm.country for lm in landmarks))
    png = Image.open(report / "coverage_map.png")
    assert png.format == "PNG" and png.size == (MAP_WIDTH, MAP_WIDTH // 2)
    image = png.convert("RGB")
    width, height = image.size

    def colour(lon: float, lat: float) -> tuple[int, int, int]:
        x, y = _xy(lon, lat, width, height)
        return image.getpixel((int(x), int(y)))  # type: ignore[return-value]

    # A point inside each country (its representative point, projected to the image): the
    # colour of its landmark count, unless a landmark's dot is drawn right there.
    frame = CountryBorders.load().frame()
    inside = frame.geometry.representative_point()
    checked = 0
    for iso2, count in counts.items():
        point = inside[iso2]
        if any(abs(lm.lon - point.x) + abs(lm.lat - point.y) < 1.5 for lm in landmarks):
            continue
        assert _close(colour(point.x, point.y), country_colour(count, counts)), iso2
        checked += 1
    assert checked >= len(counts) - 2
    # More landmarks, a different shade: France (4 in the sample) is not Portugal (1).
    assert counts["FR"] > counts["PT"]
    assert country_colour(counts["FR"], counts) != country_colour(counts["PT"], counts)
    # Countries without landmarks are the no-data grey; the open Pacific is sea.
    for iso2 in ("TD", "MN", "AU", "KZ"):
        assert iso2 not in counts
        assert colour(inside[iso2].x, inside[iso2].y) == NO_DATA, iso2
    assert colour(-150.0, 0.0) == SEA


def test_coverage_map_is_byte_identical_when_redrawn(
    report: Path, sample_store: Path, tmp_path: Path
) -> None:
    landmarks = read_curated(RunStore(sample_store))
    coverage_map(landmarks, tmp_path / "redrawn.png")
    assert (tmp_path / "redrawn.png").read_bytes() == (report / "coverage_map.png").read_bytes()
    info = Image.open(report / "coverage_map.png").info
    assert not {"Software", "Creation Time", "date:create"} & set(info)


def test_class_by_continent_counts_the_released_rows(report: Path, sample_store: Path) -> None:
    landmarks = read_curated(RunStore(sample_store))
    lines = (report / "class_by_continent.csv").read_text().splitlines()
    header = lines[0].split(",")
    table = {row.split(",")[0]: row.split(",")[1:] for row in lines[1:]}
    expected = Counter((lm.rswk_class, lm.continent) for lm in landmarks)
    for cls, cells in table.items():
        for continent, cell in zip(header[1:-1], cells[:-1], strict=True):
            assert int(cell) == expected[(cls, continent)], (cls, continent)
        assert int(cells[-1]) == sum(n for (c, _), n in expected.items() if c == cls)
    assert sum(int(cells[-1]) for cells in table.values()) == len(landmarks)


def test_html_page_is_offline_and_shows_everything(report: Path) -> None:
    page = (report / "index.html").read_text()
    assert not re.search(r"(src|href)=\"https?:", page)
    for name in ("coverage_map.png", "sample_grid.png"):
        assert f'src="{name}"' in page and (report / name).exists()
    assert "Class × continent" in page and "Q243" in page
    grid = Image.open(report / "sample_grid.png")
    assert grid.size[0] == 4 * 192
