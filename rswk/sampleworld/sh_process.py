"""The Process API's image: the landscape rendered as the evalscript asks, encoded as asked.

The mosaic is the least cloudy one (`mosaickingOrder` is accepted whatever it says): clear sky,
except in the landscape's persistently cloudy cells (`Landscape.persistently_cloudy`, by the
request's centre) where the whole scene is cloud — the imagery stage's all-cloud case. The
season of the vegetation follows the middle of `dataFilter.timeRange`.

Sample types: AUTO (0-1 scaled to 0-255, uint8), UINT8, UINT16, FLOAT32. Formats: image/png
(UINT8, or one UINT16 band), image/jpeg (UINT8, 1 or 3 bands), image/tiff (any). Pixels outside
a request geometry are 0.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import tifffile
from PIL import Image

from rswk.sampleworld.landscape import Landscape
from rswk.sampleworld.sh_bands import ALIASES, S2, Scene, output_quantities
from rswk.sampleworld.sh_evalscript import Evalscript, EvalscriptError, evaluate_expression
from rswk.sampleworld.sh_geometry import Bounds, pixel_grid

FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/tiff": "tiff"}


class ProcessError(ValueError):
    """A Process API request the sample world refuses (answered 400 with the message)."""


@dataclass(frozen=True)
class ProcessJob:
    """One Process API request, parsed."""

    landscape: Landscape
    bounds: Bounds
    size: tuple[int, int]  # width, height
    kinds: set[str]
    script: Evalscript
    image_format: str  # a key of FORMATS
    time_range: Mapping[str, Any]


def _middle(time_range: Mapping[str, Any]) -> date | None:
    try:
        start = datetime.fromisoformat(str(time_range["from"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(time_range["to"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (start + (end - start) / 2).date()


def _scene(job: ProcessJob) -> tuple[Scene, np.ndarray]:
    width, height = job.size
    grid = pixel_grid(job.bounds, width, height)
    overcast = S2 in job.kinds and job.landscape.persistently_cloudy(*job.bounds.centre_lonlat)
    cloudy = np.full(grid.shape, overcast)
    middle = _middle(job.time_range)
    month = middle.month if middle else None
    scene = Scene(
        job.landscape, grid.lon, grid.lat, middle or date(2000, 7, 1), month, cloudy, False
    )
    return scene, grid.inside


def _values(job: ProcessJob, scene: Scene) -> list[np.ndarray]:
    output = job.script.outputs[0]
    if job.script.pixel_return is not None:
        bands = {name: scene.band(ALIASES.get(name, name)) for name in job.script.input_bands}
        try:
            values = [evaluate_expression(e, bands) for e in job.script.pixel_return]
        except EvalscriptError as exc:
            raise ProcessError(str(exc)) from None
        if len(values) != len(output.bands):
            raise ProcessError(
                f"evaluatePixel returns {len(values)} values but output '{output.id}' declares "
                f"{len(output.bands)} bands"
            )
        return values
    return [scene.band(q) for q in output_quantities(output, job.script.input_bands)]


def _to_sample_type(stack: np.ndarray, sample_type: str) -> np.ndarray:
    clean = np.nan_to_num(stack, nan=0.0, posinf=0.0, neginf=0.0)
    if sample_type == "AUTO":
        return np.round(np.clip(clean, 0.0, 1.0) * 255.0).astype(np.uint8)
    if sample_type == "UINT8":
        return np.round(np.clip(clean, 0, 255)).astype(np.uint8)
    if sample_type == "UINT16":
        return np.round(np.clip(clean, 0, 65535)).astype(np.uint16)
    if sample_type == "FLOAT32":
        return stack.astype(np.float32)
    raise ProcessError(f"sampleType {sample_type} is not one of AUTO, UINT8, UINT16, FLOAT32")


def _encode(pixels: np.ndarray, image_format: str) -> bytes:
    bands = pixels.shape[-1]
    flat = pixels[..., 0] if bands == 1 else pixels
    buffer = io.BytesIO()
    if image_format == "tiff":
        photometric = "rgb" if bands in (3, 4) and pixels.dtype == np.uint8 else "minisblack"
        planar = "contig" if bands > 1 else None
        tifffile.imwrite(buffer, flat, photometric=photometric, planarconfig=planar)
        return buffer.getvalue()
    if pixels.dtype == np.uint16 and bands == 1 and image_format == "png":
        Image.fromarray(flat.astype(np.uint16)).save(buffer, "PNG")
        return buffer.getvalue()
    if pixels.dtype != np.uint8 or bands not in ((1, 3, 4) if image_format == "png" else (1, 3)):
        raise ProcessError(
            f"image/{image_format} cannot hold {bands} band(s) of {pixels.dtype}: use image/tiff"
        )
    Image.fromarray(flat).save(buffer, image_format.upper())
    return buffer.getvalue()


def render(job: ProcessJob) -> bytes:
    """The encoded image for one Process API request."""
    scene, inside = _scene(job)
    stack = np.stack(
        [np.broadcast_to(v, inside.shape) for v in _values(job, scene)], axis=-1
    ).astype(np.float64)
    stack[~inside] = 0.0
    pixels = _to_sample_type(stack, job.script.outputs[0].sample_type)
    return _encode(pixels, job.image_format)
