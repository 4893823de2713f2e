"""Image quality checks: each rejects an image with a reason the run store keeps.

- undecodable: not an image, or a truncated/corrupt one (`UNDECODABLE_IMAGE`);
- decompression bomb: a header announcing more pixels than the configured limit, checked before
  any pixel is decoded (`DECOMPRESSION_BOMB`);
- a provider's "no data" placeholder, e.g. ESRI's light-grey "Map data not yet available" tile
  (`NO_DATA`);
- blank: one uniform colour (`BLANK_IMAGE`);
- all cloud: a Sentinel scene that is almost entirely bright and colourless (`ALL_CLOUD`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageStat, UnidentifiedImageError

from rswk.core.records.base import RejectReason

# ESRI World Imagery answers tiles it has no imagery for with a light-grey placeholder carrying
# the text "Map data not yet available"; the grey covers nearly the whole tile.
ESRI_PLACEHOLDER_RGB = (204, 204, 204)


class ImageRejected(Exception):
    """An image failed a quality check; the stage turns it into a `Rejection`."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Placeholder:
    """A provider's known "no data" image: most pixels within `tolerance` of one colour."""

    name: str
    rgb: tuple[int, int, int]
    tolerance: int = 2
    min_fraction: float = 0.9


ESRI_PLACEHOLDER = Placeholder("ESRI 'Map data not yet available'", ESRI_PLACEHOLDER_RGB)


def decode_image(data: bytes, *, max_pixels: int, what: str) -> Image.Image:
    """Decode `data` to an RGB image, rejecting bombs (by header, before decoding) and
    undecodable bytes. `what` names the image in the rejection detail."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageRejected(RejectReason.DECOMPRESSION_BOMB, f"{what}: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(
            RejectReason.UNDECODABLE_IMAGE, f"{what}: not a readable image ({exc})"
        ) from None
    pixels = image.width * image.height
    if pixels > max_pixels:
        raise ImageRejected(
            RejectReason.DECOMPRESSION_BOMB,
            f"{what}: {image.width}x{image.height} = {pixels} pixels exceeds the limit of "
            f"{max_pixels} (imagery.max_image_pixels)",
        )
    try:
        image.load()
        return image.convert("RGB")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            RejectReason.UNDECODABLE_IMAGE, f"{what}: corrupt or truncated image data ({exc})"
        ) from None


def placeholder_fraction(image: Image.Image, placeholder: Placeholder) -> float:
    """Share of pixels within the placeholder's tolerance of its colour (an RGB image).

    Per-channel histograms (computed in C) bound the share from above; only an image that could
    be the placeholder is compared pixel by pixel, so ordinary tiles cost next to nothing.
    """
    histogram = image.histogram()
    pixels = image.width * image.height
    bound = min(
        sum(
            histogram[
                256 * c + max(v - placeholder.tolerance, 0) : 256 * c
                + v
                + placeholder.tolerance
                + 1
            ]
        )
        for c, v in enumerate(placeholder.rgb)
    ) / max(pixels, 1)
    if bound < placeholder.min_fraction:
        return bound
    target = np.asarray(placeholder.rgb, dtype=np.int16)
    close = np.abs(np.asarray(image).astype(np.int16) - target) <= placeholder.tolerance
    return float(close.all(axis=-1).mean())


def check_not_placeholder(image: Image.Image, placeholder: Placeholder, *, what: str) -> None:
    """Reject the provider's known "no data" image."""
    fraction = placeholder_fraction(image, placeholder)
    if fraction >= placeholder.min_fraction:
        raise ImageRejected(
            RejectReason.NO_DATA,
            f"{what}: the provider's no-data placeholder ({placeholder.name}, "
            f"{fraction:.0%} of pixels at RGB {placeholder.rgb})",
        )


def check_not_blank(image: Image.Image, *, min_stddev: float, what: str) -> None:
    """Reject an image of one uniform colour: every channel's stddev below `min_stddev`
    (from the histogram, computed in C)."""
    stats = ImageStat.Stat(image)
    stddev = max(stats.stddev)
    if stddev < min_stddev:
        mean = tuple(round(v) for v in stats.mean)
        raise ImageRejected(
            RejectReason.BLANK_IMAGE,
            f"{what}: uniform colour RGB {mean} (stddev {stddev:.2f} < {min_stddev})",
        )


def cloud_fraction(
    pixels: np.ndarray, *, min_value: int = 200, max_saturation: float = 0.15
) -> float:
    """Share of cloud-like pixels in a true-colour image: bright (max channel >= `min_value`)
    and nearly colourless (HSV saturation <= `max_saturation`)."""
    channels = pixels.astype(np.float32)
    top = channels.max(axis=-1)
    saturation = (top - channels.min(axis=-1)) / np.maximum(top, 1.0)
    return float(((top >= min_value) & (saturation <= max_saturation)).mean())


def check_not_all_cloud(pixels: np.ndarray, *, max_fraction: float, what: str) -> None:
    """Reject a scene whose cloud-like share exceeds `max_fraction`."""
    fraction = cloud_fraction(pixels)
    if fraction > max_fraction:
        raise ImageRejected(
            RejectReason.ALL_CLOUD,
            f"{what}: {fraction:.0%} of pixels are cloud-like (limit {max_fraction:.0%}, "
            "imagery.max_cloud_fraction); try another imagery.sentinelhub period",
        )
