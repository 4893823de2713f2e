"""Running the imagery stage against a sample world in tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from crawlers.imagery.stage import ImageryStage
from rswk.core.config import ProjectConfig, load_config
from rswk.core.countries import CountryRegistry
from rswk.core.records.base import Rejection
from rswk.core.records.imagery import ImageRecord
from rswk.core.runstore import RunStore
from rswk.core.stage import StageReport, run_stage


def sample_config(workdir: Path, urls: dict[str, str], **imagery: Any) -> ProjectConfig:
    """The sample profile pointed at `urls`, with `imagery` settings changed."""
    config = load_config("sample", workdir=workdir).with_sources(urls)
    if not imagery:
        return config
    return config.model_copy(update={"imagery": config.imagery.model_copy(update=imagery)})


def run(config: ProjectConfig, shards: list[str], *, force: bool = False) -> StageReport:
    store = RunStore(config.workdir)
    stage = ImageryStage(config, CountryRegistry.from_dir(), store)
    try:
        return run_stage(stage, store, shards, workers=config.workers, force=force)
    finally:
        stage.close()


def outputs(workdir: Path, shards: list[str]) -> tuple[list[ImageRecord], list[Rejection]]:
    stage = RunStore(workdir).stage("imagery")
    records = [r for s in shards for r in stage.read_shard(s, ImageRecord)]
    rejections = [r for s in shards for r in stage.read_rejections(s)]
    return records, rejections


def pixels(record: ImageRecord) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(record.image)).convert("RGB"))


def pixel_centres(record: ImageRecord) -> tuple[np.ndarray, np.ndarray]:
    """Longitude (1 x W) and latitude (H x 1) of every pixel centre, from the record's
    EPSG:3857 bbox alone (an open mesh)."""
    west, south, east, north = record.bbox_3857
    radius = 6378137.0
    xs = west + (np.arange(record.width) + 0.5) * (east - west) / record.width
    ys = north - (np.arange(record.height) + 0.5) * (north - south) / record.height
    lon = np.degrees(xs / radius)[None, :]
    lat = np.degrees(np.arctan(np.sinh(ys / radius)))[:, None]
    return lon, lat
