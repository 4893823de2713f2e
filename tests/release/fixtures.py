"""Run stores the release reads.

`sample_run_store` runs the real stages, discover through index, on the bundled sample world.
The other builders write variations through the same paths and record models (`CuratedLandmark`
shards under `curate/shards/`, `Chunk` shards under `index/shards/`, index files under
`index/files/`, a `ValidationPass` at `validate/pass.json`): curated rows edited for the
changelog and gate tests, and seeded generated rows for the benchmark.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from rswk.core.records.base import Provenance
from rswk.core.records.chunk import Chunk, ChunkKind
from rswk.core.records.imagery import ImageRecord
from rswk.core.records.knowledge import KnowledgeField, KnowledgeRecord
from rswk.core.records.landmark import SPLITS, CuratedLandmark
from rswk.core.records.location import LocatedLandmark
from rswk.core.runstore import RunStore, ShardResult, atomic_write_json
from rswk.core.validation_pass import ValidationPass, curated_fingerprint

SAMPLE_COUNTRIES = ("FR", "PT", "EG", "US", "JP", "IT", "BR", "IN")
CONTINENTS = {
    "FR": "Europe",
    "PT": "Europe",
    "IT": "Europe",
    "GB": "Europe",
    "DE": "Europe",
    "EG": "Africa",
    "US": "North America",
    "BR": "South America",
    "JP": "Asia",
    "IN": "Asia",
}
RETRIEVED = datetime(2026, 1, 15, tzinfo=UTC)
SUITE_VERSION = "test-suite-1"

# Knowledge fields that become chunks, and the chunk kind each one feeds.
CHUNK_SOURCES: tuple[tuple[str, ChunkKind], ...] = (
    ("historical_background", "basic_info_and_history"),
    ("architectural_characteristics", "architecture_and_function"),
    ("cultural_significance", "culture_and_visitor"),
)


def sample_run_store(workdir: Path, countries: Sequence[str] = SAMPLE_COUNTRIES) -> RunStore:
    """A run store built by the real stages on the bundled sample world, discover through index:
    curated, validated and indexed exactly as `rswk run` leaves it before the release."""
    from rswk.core.config import load_config
    from rswk.core.countries import CountryRegistry
    from rswk.pipeline import run_pipeline, stages_until
    from rswk.sampleworld.loader import load_world
    from rswk.sampleworld.server import SampleWorld

    with SampleWorld(load_world("bundled")) as server:
        config = load_config("sample", workdir=workdir).with_sources(server.urls())
        # Its own (empty) releases folder: curation reads split ledgers from there.
        settings = config.release.model_copy(update={"releases_dir": workdir.parent / "releases"})
        config = config.model_copy(update={"release": settings})
        stages = stages_until("index")
        run_pipeline(config, CountryRegistry.from_dir(), list(countries), stages=stages)
    return RunStore(workdir)


def write_curated(store: RunStore, landmarks: Sequence[CuratedLandmark]) -> None:
    """Write curated rows as `curate/shards/<ISO2>.parquet`, one shard per country."""
    by_country: dict[str, list[CuratedLandmark]] = {}
    for landmark in landmarks:
        by_country.setdefault(landmark.country, []).append(landmark)
    stage = store.stage("curate")
    for existing in stage.done_shards():
        if existing not in by_country:
            stage.shard_path(existing).unlink()
            (stage.done_dir / f"{existing}.json").unlink()
    for country, rows in sorted(by_country.items()):
        stage.write_shard(country, CuratedLandmark, ShardResult(rows, [], {"records": len(rows)}))


def chunks_of(landmark: CuratedLandmark) -> list[Chunk]:
    """The knowledge chunks of a landmark: its long text fields and its RS description."""
    chunks = []
    k = landmark.knowledge
    for field_name, kind in CHUNK_SOURCES:
        field = getattr(k, field_name) if k is not None else None
        if isinstance(field, KnowledgeField) and field.value:
            chunks.append(_chunk(landmark, kind, field.value, field.language, [field.provenance]))
    a = landmark.attributes
    if a is not None and a.rs_description:
        provenance: list[Provenance] = [
            p for p in (a.sentinel2_provenance, a.climate_provenance) if p is not None
        ]
        chunks.append(_chunk(landmark, "expert_knowledge", a.rs_description, "en", provenance))
    return chunks


def _chunk(
    lm: CuratedLandmark, kind: ChunkKind, text: str, language: str, prov: Sequence[Provenance]
) -> Chunk:
    return Chunk(
        qid=lm.qid,
        country=lm.country,
        kind=kind,
        number=0,
        text=text,
        language=language,
        name=lm.name,
        rswk_class=lm.rswk_class,
        provenance=list(prov),
    )


def write_chunks(store: RunStore, landmarks: Sequence[CuratedLandmark]) -> None:
    """Write `index/shards/<ISO2>.parquet` with each country's chunks."""
    by_country: dict[str, list[Chunk]] = {}
    for landmark in landmarks:
        by_country.setdefault(landmark.country, []).extend(chunks_of(landmark))
    for country, rows in sorted(by_country.items()):
        store.stage("index").write_shard(country, Chunk, ShardResult(rows, [], {}))


def write_index_files(workdir: Path, landmarks: Sequence[CuratedLandmark], dim: int = 16) -> None:
    """Small real USearch indexes (seeded random vectors), `ids.parquet` and `index.json`."""
    from usearch.index import Index

    folder = workdir / "index" / "files"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    keys = np.arange(len(landmarks), dtype=np.uint64)
    meta: dict[str, object] = {"dim": dim, "metric": "cos", "key_scheme": "row number"}
    for name in ("image", "text"):
        index = Index(ndim=dim, metric="cos", dtype="f16")
        index.add(keys, rng.normal(size=(len(landmarks), dim)).astype(np.float32))
        index.save(str(folder / f"{name}.usearch"))
        meta[name] = {"file": f"{name}.usearch", "count": len(landmarks), "model": "test-random"}
    ids = pa.table({"key": keys, "qid": [lm.qid for lm in landmarks]})
    pq.write_table(ids, folder / "ids.parquet")
    (folder / "index.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def write_validation(workdir: Path, *, success: bool = True) -> ValidationPass:
    """A validation pass over the curated shards as they are now, with results and Data Docs."""
    passed = ValidationPass(
        success=success,
        suite_version=SUITE_VERSION,
        curated=curated_fingerprint(workdir),
        blocking_failed=[] if success else ["coordinates_in_country"],
    )
    atomic_write_json(workdir / "validate" / "pass.json", passed.model_dump(mode="json"))
    atomic_write_json(workdir / "validate" / "results.json", {"success": success, "results": []})
    docs = workdir / "validate" / "data_docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.html").write_text("<html><body><h1>Validation results</h1></body></html>\n")
    return passed


# --- generated rows (bench and scale tests) -------------------------------------------------


def _jpeg(rng: np.random.Generator, size: int) -> bytes:
    pixels = rng.integers(0, 255, size=(size // 8, size // 8, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).resize((size, size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def generated_landmarks(
    count: int, seed: int = 0, image_px: int = 128, countries: Sequence[str] = tuple(CONTINENTS)
) -> list[CuratedLandmark]:
    """`count` curated rows with seeded names, classes, places, knowledge and small JPEGs."""
    from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES

    rng = np.random.default_rng(seed)
    classes = (*RSWK_CLASSES, OTHER_CLASS)
    wiki = Provenance(
        source_url="http://127.0.0.1/wikipedia/en/wiki/X",
        revision="1",
        retrieved_at=RETRIEVED,
        licence="CC-BY-SA-4.0",
        attribution="Wikipedia contributors",
    )
    images = [_jpeg(rng, image_px) for _ in range(min(count, 64))]
    rows = []
    for i in range(count):
        qid = f"Q{1_000_000 + i}"
        country = countries[i % len(countries)]
        lat, lon = float(rng.uniform(-60, 70)), float(rng.uniform(-170, 170))
        text = KnowledgeField(value=f"Landmark {i} has a history.", language="en", provenance=wiki)
        data = images[i % len(images)]
        image = ImageRecord(
            qid=qid,
            country=country,
            image=data,
            format="jpeg",
            width=image_px,
            height=image_px,
            provider="xyz",
            zoom=17,
            gsd_m=1.0,
            bbox_4326=(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001),
            bbox_3857=(0.0, 0.0, 100.0, 100.0),
            attribution="test tiles",
            licence="test",
            sha256=hashlib.sha256(data).hexdigest(),
            provenance=wiki,
        )
        location = LocatedLandmark(
            qid=qid,
            country=country,
            label=f"Landmark {i}",
            lat=lat,
            lon=lon,
            coordinate_source="wikidata:P625",
            distance_to_country_m=0.0,
            entity_revision=1,
            provenance=wiki,
        )
        knowledge = KnowledgeRecord(
            qid=qid,
            country=country,
            name=KnowledgeField(value=f"Landmark {i}", language="en", provenance=wiki),
            category=KnowledgeField(value="tower", language="en", provenance=wiki),
            country_name=KnowledgeField(value=country, language="en", provenance=wiki),
            lat=lat,
            lon=lon,
            historical_background=text,
        )
        rows.append(
            CuratedLandmark(
                qid=qid,
                country=country,
                name=f"Landmark {i}",
                language="en",
                rswk_class=classes[i % len(classes)],
                continent=CONTINENTS[country],
                lat=lat,
                lon=lon,
                split=SPLITS[0] if i % 10 < 8 else SPLITS[1 + i % 2],
                grid_cell=f"{i}",
                location=location,
                knowledge=knowledge,
                image=image,
            )
        )
    return rows


def generated_run_store(workdir: Path, count: int, seed: int = 0) -> RunStore:
    """A validated run store of `count` generated rows, with chunks and index files."""
    store = RunStore(workdir)
    landmarks = generated_landmarks(count, seed)
    write_curated(store, landmarks)
    write_chunks(store, landmarks)
    write_index_files(workdir, landmarks)
    write_validation(workdir)
    return store
