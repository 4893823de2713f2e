"""A small world for the remote-sensing endpoint tests, and helpers that find places in it.

Places with a given property (a no-data tile, a persistently cloudy cell, open water) are found
by scanning the landscape's own deterministic functions, so the tests do not hard-code
coordinates that a change of the landscape would silently invalidate.
"""

from __future__ import annotations

import numpy as np

from rswk.sampleworld.landscape import Landscape
from rswk.sampleworld.world import World, WorldLandmark
from tests.sampleworld.tiny_world import tiny_world

COLOSSEUM_LON, COLOSSEUM_LAT = 12.492222, 41.890278
COLOSSEUM = WorldLandmark(
    qid="Q10285",
    country="IT",
    lat=COLOSSEUM_LAT,
    lon=COLOSSEUM_LON,
    classes=["Q54050"],
    sitelinks=150,
    labels={"en": "Colosseum"},
    area_m2=24_000.0,
)
HIGH_NORTH_LON, HIGH_NORTH_LAT = 10.75, 59.9
HIGH_SOUTH_LON, HIGH_SOUTH_LAT = -60.0, -59.5
HIGH_NORTH = WorldLandmark(
    qid="Q95999",
    country="NO",
    lat=HIGH_NORTH_LAT,
    lon=HIGH_NORTH_LON,
    classes=["Q16970"],
    sitelinks=3,
    labels={"en": "Northern church"},
)
HIGH_SOUTH = WorldLandmark(
    qid="Q95998",
    country="AR",
    lat=HIGH_SOUTH_LAT,
    lon=HIGH_SOUTH_LON,
    classes=["Q16970"],
    sitelinks=3,
    labels={"en": "Southern station"},
)


# (lon, lat) of landmarks at several latitudes, for georeferencing checks.
LANDMARK_SITES = [
    (COLOSSEUM_LON, COLOSSEUM_LAT),
    (HIGH_NORTH_LON, HIGH_NORTH_LAT),
    (HIGH_SOUTH_LON, HIGH_SOUTH_LAT),
]


def rs_world() -> World:
    """The tiny world plus a landmark with a known area and two near ±60°."""
    base = tiny_world()
    landmarks = [*base.landmarks, COLOSSEUM, HIGH_NORTH, HIGH_SOUTH]
    return World(name="rs-tiny", landmarks=landmarks, class_labels=base.class_labels)


def cloudy_point(landscape: Landscape, lat: float = 45.0) -> tuple[float, float]:
    """(lon, lat) at the centre of a persistently cloudy 0.1° cell on the parallel `lat`."""
    for step in range(2000):
        lon = 0.05 + step * 0.1
        if landscape.persistently_cloudy(lon, lat):
            return lon, lat
    raise AssertionError("no persistently cloudy cell found")


def clear_point(landscape: Landscape, lat: float = 45.0) -> tuple[float, float]:
    """(lon, lat) at the centre of a 0.1° cell that is not persistently cloudy."""
    for step in range(2000):
        lon = 0.05 + step * 0.1
        if not landscape.persistently_cloudy(lon, lat):
            return lon, lat
    raise AssertionError("no clear cell found")


def class_patch(landscape: Landscape, cover: int, half_deg: float = 0.002) -> tuple[float, float]:
    """(lon, lat) of a box of ±`half_deg` that is entirely of land-cover class `cover`."""
    rng = np.random.default_rng(7)
    offsets = np.linspace(-half_deg, half_deg, 9)
    for lon, lat in zip(rng.uniform(-10, 30, 4000), rng.uniform(40, 55, 4000), strict=True):
        grid = landscape.surface(lon + offsets[None, :], lat + offsets[:, None])
        if (grid.cover == cover).all():
            return float(lon), float(lat)
    raise AssertionError(f"no patch of class {cover} found")
