"""report/: the coverage map colours the countries that have landmarks, the grid and the
class × continent table describe the released rows, and the HTML page needs no network."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from rswk.core.runstore import RunStore
from rswk.release.assemble import ReleaseResult, read_curated
from rswk.release.report import NO_DATA, SEA, _xy


@pytest.fixture(scope="module")
def report(sample_release: ReleaseResult) -> Path:
    assert sample_release.path is not None
    return sample_release.path / "report"


def test_coverage_map_colours_countries_with_landmarks(report: Path) -> None:
    image = Image.open(report / "coverage_map.png").convert("RGB")
    width, height = image.size
    assert width == 2 * height

    def colour(lon: float, lat: float) -> tuple[int, int, int]:
        x, y = _xy(lon, lat, width, height)
        return image.getpixel((int(x), int(y)))  # type: ignore[return-value]

    # Inland points: central France and Brazil have landmarks; Chad and Mongolia have none;
    # the middle of the Pacific is sea.
    assert colour(2.5, 46.5) not in (NO_DATA, SEA)
    assert colour(-50.0, -10.0) not in (NO_DATA, SEA)
    assert colour(18.7, 15.5) == NO_DATA
    assert colour(103.0, 46.8) == NO_DATA
    assert colour(-150.0, 0.0) == SEA


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
