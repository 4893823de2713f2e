"""What the pipeline measures matches the sample world's ground truth, for every landmark.

`rswk run --profile sample --until attributes` builds the stages that measure on the bundled
world; each attribute of each landmark that reached the attributes stage is compared with the
truth the world exposes
(`rswk.sampleworld.truth`, the same as `GET /_truth/<qid>`) within the tolerances stated in
`truth_check.py`. The truth is what lies on the ground; the pipeline only sees it through the
services (a box, bands, clouds, daily series, JPEG tiles), so a swapped lat/lon, a wrong box, a
wrong band or a unit slip shows up here. The last test proves it: a run whose locate records
have latitude and longitude swapped fails the same check for every landmark, a run whose boxes
sit half a box off (anchored at a corner) fails it for most landmarks in mixed places, and so
does a record with a unit slip or a wrong band.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.attributes.stage import AttributesStage
from rswk.cli import main
from rswk.core.config import load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records import LocatedLandmark
from rswk.core.records.attributes import AttributesRecord
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import run_stage
from rswk.harness.locate_records import located_record
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.running import ENV_VAR
from rswk.sampleworld.server import SampleWorld
from rswk.sampleworld.truth import WorldTruth, world_truth
from tests.attributes.truth_check import image_mismatches, site_mismatches


@dataclass
class Measured:
    """Every attributes and imagery record of one finished run, by QID."""

    attributes: dict[str, AttributesRecord]
    images: dict[str, ImageRecord]


def read_run(workdir: Path) -> Measured:
    store = RunStore(workdir)
    attributes, images = store.stage("attributes"), store.stage("imagery")
    return Measured(
        {
            r.qid: r
            for shard in attributes.done_shards()
            for r in attributes.read_shard(shard, AttributesRecord)
        },
        {r.qid: r for shard in images.done_shards() for r in images.read_shard(shard, ImageRecord)},
    )


@pytest.fixture(scope="module")
def truth() -> WorldTruth:
    return world_truth(load_world("bundled"), seed=0)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Measured]:
    workdir = tmp_path_factory.mktemp("sample-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(ENV_VAR, raising=False)  # an in-process world with seed 0, like `truth`
        args = ["run", "--profile", "sample", "--workdir", str(workdir), "--until", "attributes"]
        assert main(args) == 0
    yield read_run(workdir)


def test_nearly_every_located_landmark_is_measured(measured: Measured, truth: WorldTruth) -> None:
    located = {q for q, lm in truth.landmarks.items() if lm.lat is not None}
    assert set(measured.attributes) <= located
    # Traps (a point at sea, a missing page) may be rejected upstream; nothing else.
    assert len(measured.attributes) >= len(located) - 3
    assert len(measured.images) >= len(measured.attributes) - 1


def test_every_attribute_of_every_landmark_matches_the_truth(
    measured: Measured, truth: WorldTruth
) -> None:
    problems = {
        qid: found
        for qid, record in sorted(measured.attributes.items())
        if (found := site_mismatches(record, truth.of(qid)))
    }
    assert not problems, "\n".join(f"{q}: {'; '.join(p)}" for q, p in problems.items())


def test_image_cover_fractions_match_the_ground_the_image_shows(
    measured: Measured, truth: WorldTruth
) -> None:
    problems = {}
    for qid, image in sorted(measured.images.items()):
        found = image_mismatches(measured.attributes[qid], truth.ground(image.bbox_4326))
        if found:
            problems[qid] = found
    assert not problems, "\n".join(f"{q}: {'; '.join(p)}" for q, p in problems.items())


def test_the_places_are_where_they_really_are(measured: Measured) -> None:
    """Independent of the world's own numbers: real heights and covers of famous places."""
    records = measured.attributes
    assert 8_600 < (records["Q513"].elevation_m or 0) < 8_900  # Mount Everest
    assert records["Q513"].land_cover_class == "snow_and_ice"
    assert 800 < (records["Q33910"].elevation_m or 0) < 900  # Uluru
    assert records["Q33910"].land_cover_class == "bare_sparse_vegetation"
    assert records["Q9202"].land_cover_class == "permanent_water"  # Liberty Island
    assert (records["Q9202"].ndwi_mean_annual or -1) > 0
    assert records["Q4152"].land_cover_class == "tree_cover"  # Neuschwanstein's forest
    assert (records["Q4152"].ndvi_mean_annual or 0) > 0.5
    assert records["Q9188"].land_cover_class == "built_up"  # Manhattan
    assert (records["Q9188"].builtup_fraction or 0) > 0.8
    assert (records["Q513"].surface_pressure_mean_hpa or 1000) < 400
    assert (records["Q12495"].temperature_2m_mean_c or 0) > 25  # Dubai


def test_indices_differ_between_landmarks(measured: Measured) -> None:
    """No longer one NDVI for every landmark: almost all triples are distinct."""
    triples = {
        (r.ndvi_mean_annual, r.ndwi_mean_annual, r.ndbi_mean_annual)
        for r in measured.attributes.values()
    }
    classes = {r.land_cover_class for r in measured.attributes.values()}
    assert len(triples) >= len(measured.attributes) - 2
    assert len(classes) >= 5


# -- a deliberate mistake must fail the check -----------------------------------------------------

SLIPS: dict[str, Callable[[AttributesRecord], dict[str, Any]]] = {
    "wind in km/h": lambda r: {"wind_speed_10m_mean_m_s": _num(r.wind_speed_10m_mean_m_s) * 3.6},
    "temperature in °F": lambda r: {
        "temperature_2m_mean_c": _num(r.temperature_2m_mean_c) * 1.8 + 32
    },
    "precipitation per day": lambda r: {"precip_mm_per_year": _num(r.precip_mm_per_year) / 365},
    "pressure in kPa": lambda r: {
        "surface_pressure_mean_hpa": _num(r.surface_pressure_mean_hpa) / 10
    },
    "elevation in feet": lambda r: {"elevation_m": _num(r.elevation_m) * 3.28084},
    "LST in kelvin": lambda r: {"lst_day_c": _num(r.lst_day_c) + 273.15},
    "NDVI and NDWI swapped": lambda r: {
        "ndvi_mean_annual": r.ndwi_mean_annual,
        "ndwi_mean_annual": r.ndvi_mean_annual,
    },
    "red band for NIR": lambda r: {"reflectance_b08_mean": r.reflectance_b04_mean},
}


def _num(value: float | None) -> float:
    assert value is not None
    return value


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_unit_slip_or_wrong_band_fails_the_check(
    slip: str, measured: Measured, truth: WorldTruth
) -> None:
    record = measured.attributes["Q4152"]  # Neuschwanstein: forest, 900 m, a real winter
    assert not site_mismatches(record, truth.of(record.qid))
    wrong = record.model_copy(update=SLIPS[slip](record))
    assert site_mismatches(wrong, truth.of(record.qid)), slip


SWAP_COUNTRIES = ("FR", "IT")
# Countries whose landmarks stand in mixed places (coast, forest, mountain, park): a box in the
# wrong place sees another mix there. (Over a uniform city any box looks alike.)
MIXED_COUNTRIES = ("AU", "BR", "CA", "DE", "KR", "NP", "US", "ZA")
Move = Callable[[float, float], tuple[float, float]]
METRES_PER_DEGREE = 111_320.0


def swapped(lat: float, lon: float) -> tuple[float, float]:
    return lon, lat


def corner_anchored(lat: float, lon: float) -> tuple[float, float]:
    """Where a box anchored at its south-west corner on the landmark would be centred: half a
    box (500 m) north and east of it."""
    dlat = 500.0 / METRES_PER_DEGREE
    return lat + dlat, lon + dlat / math.cos(math.radians(lat))


def mistaken_run(
    tmp_path: Path, truth: WorldTruth, countries: tuple[str, ...], move: Move
) -> list[AttributesRecord]:
    """The attributes stage on locate records whose coordinates went through `move`."""
    store = RunStore(tmp_path)
    by_country: dict[str, list[LocatedLandmark]] = {c: [] for c in countries}
    for landmark in truth.world.landmarks:
        if landmark.country in by_country and landmark.lat is not None:
            assert landmark.lon is not None
            lat, lon = move(landmark.lat, landmark.lon)
            label = landmark.labels.get("en", landmark.qid)
            by_country[landmark.country].append(
                located_record(landmark.qid, landmark.country, lat, lon, label)
            )
    for shard, located in by_country.items():
        store.stage("locate").write_shard(
            shard, LocatedLandmark, ShardResult(records=located, rejections=[], stats={})
        )
    with SampleWorld(truth.world, seed=truth.seed) as server:
        config = load_config("sample", workdir=tmp_path).with_sources(server.urls())
        stage = AttributesStage(config, CountryRegistry(config.workdir, {}), store)
        try:
            run_stage(stage, store, list(countries), workers=1)
        finally:
            stage.close()
    attributes = store.stage("attributes")
    records = [r for c in countries for r in attributes.read_shard(c, AttributesRecord)]
    assert len(records) == sum(len(v) for v in by_country.values())
    return records


def test_a_swapped_lat_lon_fails_the_truth_check(tmp_path: Path, truth: WorldTruth) -> None:
    records = mistaken_run(tmp_path, truth, SWAP_COUNTRIES, swapped)
    assert len(records) >= 7
    for record in records:
        problems = site_mismatches(record, truth.of(record.qid))
        # The wrong place differs in its climate cell and its ground: several attributes fail.
        assert len(problems) >= 3, (record.qid, problems)
        assert any(p.startswith("temperature_2m_mean_c") for p in problems), problems


def test_a_box_in_the_wrong_place_fails_the_truth_check(tmp_path: Path, truth: WorldTruth) -> None:
    records = mistaken_run(tmp_path, truth, MIXED_COUNTRIES, corner_anchored)
    failing = [r.qid for r in records if site_mismatches(r, truth.of(r.qid))]
    # Half a box off, most mixed places show another mix; a few are alike in every direction.
    assert len(records) >= 12 and len(failing) >= 0.7 * len(records), failing
