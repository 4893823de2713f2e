"""Attributes computed from the landmark's image alone, with no network: cover, texture, colour.

The cover classes use simple RGB rules, because an aerial RGB image has no infrared band:
vegetation by excess green on chromaticity coordinates, water by blue dominance, built-up by low
saturation at medium-to-high brightness. Each pixel falls in at most one class, so the fractions
sum to at most 1. Edge density is the share of pixels whose Sobel gradient of luma exceeds a fixed
threshold. Dominant colours come from Pillow's median-cut quantiser (deterministic).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

# Images larger than this are refused rather than decoded (decompression-bomb guard).
MAX_PIXELS = 4096 * 4096
# Analysis runs on a downsampled copy: the fractions barely move and it is ~10x faster.
ANALYSIS_SIZE = 256
EXCESS_GREEN_MIN = 0.04
BLUE_MARGIN = 0.06
DARK_MAX = 0.1
BUILTUP_MAX_SATURATION = 0.18
BUILTUP_MIN_VALUE = 0.35
# Sobel magnitude on 0-1 luma; 0.4 ~ a step of 0.1 in brightness across three pixels.
EDGE_THRESHOLD = 0.4
DOMINANT_COLOURS = 3

FloatImage = NDArray[np.float64]


class ImageUnreadable(ValueError):
    """The image bytes could not be decoded (or were too large to decode safely)."""


@dataclass(frozen=True)
class ImageAttributes:
    """What the image itself says about the landmark's surroundings (all in 0-1 except colours)."""

    width: int
    height: int
    vegetation_fraction: float
    water_fraction: float
    builtup_fraction: float
    brightness_mean: float
    edge_density: float
    dominant_colours: list[str]


def decode_rgb(data: bytes) -> Image.Image:
    """The image as RGB, refusing undecodable data and images over `MAX_PIXELS`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ImageUnreadable(
                    f"image of {image.width}x{image.height} px exceeds {MAX_PIXELS} px"
                )
            image.load()
    except (
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ImageUnreadable(f"image could not be decoded: {exc}") from exc
    return image.convert("RGB")


def image_attributes(data: bytes) -> ImageAttributes:
    """Cover fractions, brightness, edge density and dominant colours of an encoded image."""
    image = decode_rgb(data)
    small = image.resize(_analysis_size(image.size), Image.Resampling.BILINEAR)
    rgb = np.asarray(small, dtype=np.float64) / 255.0
    vegetation, water, builtup = cover_masks(rgb)
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    return ImageAttributes(
        width=image.width,
        height=image.height,
        vegetation_fraction=_round(vegetation.mean()),
        water_fraction=_round(water.mean()),
        builtup_fraction=_round(builtup.mean()),
        brightness_mean=_round(luma.mean()),
        edge_density=_round(edge_density(luma)),
        dominant_colours=dominant_colours(small),
    )


def cover_masks(
    rgb: FloatImage,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Disjoint vegetation, water and built-up masks of an RGB array scaled 0-1."""
    total = rgb.sum(axis=2) + 1e-9
    r, g, b = (rgb[..., i] / total for i in range(3))
    high, low = rgb.max(axis=2), rgb.min(axis=2)
    # Chromaticity is noise in near-black pixels; sand and soil have excess green but red > green.
    vegetation = ((2 * g - r - b) > EXCESS_GREEN_MIN) & (g > r) & (high >= DARK_MAX)
    red, blue = rgb[..., 0], rgb[..., 2]
    water = ~vegetation & (blue > red + BLUE_MARGIN) & (b >= g)
    saturation = (high - low) / (high + 1e-9)
    builtup = (
        ~vegetation & ~water & (saturation < BUILTUP_MAX_SATURATION) & (high >= BUILTUP_MIN_VALUE)
    )
    return vegetation, water, builtup


def edge_density(luma: FloatImage) -> float:
    """Share of interior pixels whose Sobel gradient magnitude exceeds `EDGE_THRESHOLD`."""
    if luma.shape[0] < 3 or luma.shape[1] < 3:
        return 0.0
    p = luma
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return float((np.hypot(gx, gy) > EDGE_THRESHOLD).mean())


def dominant_colours(image: Image.Image, count: int = DOMINANT_COLOURS) -> list[str]:
    """The `count` most common colours after median-cut quantisation, as `#rrggbb`, commonest
    first (ties broken by colour value so the order is stable)."""
    quantised = image.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts = quantised.getcolors() or []
    ranked = sorted(counts, key=lambda item: (-item[0], item[1]))
    colours = []
    for _, index in ranked[:count]:
        start = 3 * int(index)  # type: ignore[call-overload]  # palette images give int indexes
        red, green, blue = palette[start : start + 3]
        colours.append(f"#{red:02x}{green:02x}{blue:02x}")
    return colours


def _analysis_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, ANALYSIS_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _round(value: float) -> float:
    # Four decimals: stable across numpy versions and plenty for a fraction.
    return round(float(value), 4)
