"""Every rejection reason of the quality checks, on seeded generated images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from crawlers.imagery.quality import (
    ESRI_PLACEHOLDER,
    ImageRejected,
    check_not_all_cloud,
    check_not_blank,
    check_not_placeholder,
    cloud_fraction,
    decode_image,
    placeholder_fraction,
)
from rswk.core.records.base import RejectReason
from tests.imagery import images

LIMIT = 16_777_216


def reason_of(call: object, *args: object, **kwargs: object) -> RejectReason:
    with pytest.raises(ImageRejected) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.reason


def test_a_good_image_decodes_and_passes_every_check() -> None:
    pixels = images.textured(1)
    image = decode_image(images.encode(pixels), max_pixels=LIMIT, what="t")
    assert np.array_equal(np.asarray(image), pixels)
    check_not_blank(image, min_stddev=2.0, what="t")
    check_not_placeholder(image, ESRI_PLACEHOLDER, what="t")
    check_not_all_cloud(pixels, max_fraction=0.9, what="t")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_corrupt_and_foreign_bytes_are_undecodable(seed: int) -> None:
    for data in (
        images.corrupt(seed),
        images.not_an_image(seed),
        images.encode(images.textured(seed))[:300],
    ):
        assert (
            reason_of(decode_image, data, max_pixels=LIMIT, what="t")
            is RejectReason.UNDECODABLE_IMAGE
        )


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = images.png_bomb()
    assert len(bomb) < 2_000
    assert (
        reason_of(decode_image, bomb, max_pixels=LIMIT, what="t") is RejectReason.DECOMPRESSION_BOMB
    )
    # The limit is configurable: an ordinary image over a low limit is refused the same way.
    small = images.encode(images.textured(4, 200))
    with pytest.raises(ImageRejected, match="40000 pixels exceeds the limit of 10000"):
        decode_image(small, max_pixels=10_000, what="t")


def test_uniform_image_is_blank() -> None:
    with pytest.raises(ImageRejected, match=r"uniform colour RGB \(10, 200, 30\)") as caught:
        check_not_blank(Image.fromarray(images.uniform((10, 200, 30))), min_stddev=2.0, what="t")
    assert caught.value.reason is RejectReason.BLANK_IMAGE


@pytest.mark.parametrize("seed", [5, 6])
def test_esri_placeholder_is_no_data_even_with_its_text(seed: int) -> None:
    pixels = Image.fromarray(images.esri_placeholder(seed))
    assert (
        reason_of(check_not_placeholder, pixels, ESRI_PLACEHOLDER, what="t") is RejectReason.NO_DATA
    )
    # Being not uniform (it carries text), it would pass the blank check on its own.
    check_not_blank(pixels, min_stddev=2.0, what="t")


def test_all_cloud_scene_is_rejected_and_partly_cloudy_kept() -> None:
    overcast = images.cloudy(7, cloud_fraction=0.97)
    assert cloud_fraction(overcast) > 0.9
    assert (
        reason_of(check_not_all_cloud, overcast, max_fraction=0.9, what="t")
        is RejectReason.ALL_CLOUD
    )
    partly = images.cloudy(8, cloud_fraction=0.5)
    assert 0.4 < cloud_fraction(partly) < 0.6
    check_not_all_cloud(partly, max_fraction=0.9, what="t")


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_placeholder_share_matches_a_pixel_by_pixel_count(seed: int) -> None:
    gen = images.rng(seed)
    grey = images.esri_placeholder(seed)
    # Channels that are each mostly grey but not together: the histogram bound must not decide.
    shifted = grey.copy()
    shifted[: 20 + seed, :, 0] = 120
    shifted[-(20 + seed) :, :, 1] = 60
    for pixels in (
        grey,
        shifted,
        images.textured(seed),
        np.where(gen.random((256, 256, 1)) < 0.5, grey, 0),
    ):
        close = (np.abs(pixels.astype(int) - 204) <= 2).all(axis=-1).mean()
        share = placeholder_fraction(Image.fromarray(pixels.astype(np.uint8)), ESRI_PLACEHOLDER)
        assert share == pytest.approx(close) if close >= 0.9 else share < 0.9
