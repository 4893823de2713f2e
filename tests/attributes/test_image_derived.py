"""Image-derived attributes on seeded synthetic images: each land cover lands in its class."""

from __future__ import annotations

import numpy as np
import pytest

from crawlers.attributes.image_derived import MAX_PIXELS, ImageUnreadable, image_attributes
from tests.attributes.factories import encode, noisy_image


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ((60, 140, 50), "vegetation_fraction"),
        ((30, 60, 120), "water_fraction"),
        ((150, 150, 150), "builtup_fraction"),
    ],
)
def test_uniform_cover_falls_in_its_class(colour: tuple[int, int, int], expected: str) -> None:
    attributes = image_attributes(noisy_image(colour, seed=1))
    fractions = {
        name: getattr(attributes, name)
        for name in ("vegetation_fraction", "water_fraction", "builtup_fraction")
    }
    assert fractions[expected] > 0.95
    assert sum(fractions.values()) <= 1.0
    assert all(v < 0.05 for k, v in fractions.items() if k != expected)


def test_sand_and_soil_are_not_vegetation() -> None:
    attributes = image_attributes(noisy_image((200, 180, 140), seed=2))
    assert attributes.vegetation_fraction < 0.05


def test_half_green_half_water_image_splits_the_fractions() -> None:
    pixels = np.zeros((200, 200, 3), dtype=np.uint8)
    pixels[:, :100] = (60, 140, 50)
    pixels[:, 100:] = (30, 60, 120)
    attributes = image_attributes(encode(pixels))
    assert attributes.vegetation_fraction == pytest.approx(0.5, abs=0.02)
    assert attributes.water_fraction == pytest.approx(0.5, abs=0.02)
    assert set(attributes.dominant_colours[:2]) == {"#3c8c32", "#1e3c78"}


def test_brightness_and_edge_density_follow_the_image() -> None:
    dark = image_attributes(noisy_image((20, 20, 20), seed=3, fmt="PNG"))
    bright = image_attributes(noisy_image((230, 230, 230), seed=3, fmt="PNG"))
    assert dark.brightness_mean < 0.15 < 0.85 < bright.brightness_mean
    stripes = np.zeros((256, 256, 3), dtype=np.uint8)
    stripes[:, (np.arange(256) // 4) % 2 == 1] = 255
    assert image_attributes(encode(stripes)).edge_density > 0.3
    assert dark.edge_density < 0.01


def test_same_bytes_give_same_attributes() -> None:
    data = noisy_image((120, 130, 90), seed=4)
    assert image_attributes(data) == image_attributes(data)


def test_undecodable_and_oversized_images_are_refused() -> None:
    with pytest.raises(ImageUnreadable, match="could not be decoded"):
        image_attributes(b"\x89PNG\r\n\x1a\nnot really a png")
    side = int(MAX_PIXELS**0.5) + 1
    huge = encode(np.zeros((side, side, 3), dtype=np.uint8))
    with pytest.raises(ImageUnreadable, match="exceeds"):
        image_attributes(huge)
