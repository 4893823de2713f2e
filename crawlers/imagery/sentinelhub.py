"""The `sentinelhub` provider: a Sentinel-2 L2A true-colour image from the Process API.

One request per landmark: the least cloudy mosaic (`MosaickingOrder.LEAST_CC`) over the
configured period, scenes above the configured cloud cover left out, over a box centred on the
landmark sized so that the output has the configured resolution (10 m: 512 px = 5.12 km). The
answer (PNG) is saved by sentinelhub itself under the HTTP cache (`data_folder`, keyed by a hash
of the request), so a rerun reads it and sends nothing, not even a token request. A body cut
short is refused before it is saved, and retried.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import mercantile
import numpy as np
import requests
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from sentinelhub import (
    CRS,
    BBox,
    DataCollection,
    MimeType,
    MosaickingOrder,
    SentinelHubRequest,
    SHConfig,
)
from sentinelhub.download.models import DownloadRequest, DownloadResponse
from sentinelhub.exceptions import DownloadFailedException

from crawlers.imagery.providers import ImageryProvider, ImageTarget, register_provider
from crawlers.imagery.quality import check_not_all_cloud, check_not_blank, decode_image
from crawlers.imagery.sentinel_access import sentinel2_l2a, sh_config
from crawlers.imagery.stitch import encode
from crawlers.imagery.terms import SAMPLE_WORLD_ATTRIBUTION
from crawlers.imagery.tile_fetch import looks_truncated
from rswk.core.config import ProjectConfig
from rswk.core.http import FetchFailed, is_loopback
from rswk.core.records.base import Provenance, utc_now
from rswk.core.records.imagery import ImageRecord
from rswk.core.sentinelhub_access import first_line
from rswk.core.sh_limits import LimitedSentinelHubClient

logger = logging.getLogger(__name__)

# Reflectance x 2.5, as in Sentinel Hub's own true-colour script; AUTO maps 0-1 to 0-255.
TRUE_COLOUR_EVALSCRIPT = """//VERSION=3
function setup() {
  return {input: [{bands: ["B02", "B03", "B04"]}], output: {bands: 3, sampleType: "AUTO"}};
}
function evaluatePixel(sample) {
  return [2.5 * sample.B04, 2.5 * sample.B03, 2.5 * sample.B02];
}
"""
COPERNICUS_LICENCE = "Copernicus Sentinel data terms (free, full and open; EU Regulation 1159/2013)"
WGS84_A = 6378137.0
WGS84_E2 = 6.69437999014e-3
BBox4 = tuple[float, float, float, float]


def geographic_box(lat: float, lon: float, width_m: float, height_m: float) -> BBox4:
    """(west, south, east, north) in degrees of a box `width_m` x `height_m` centred on the
    point, using the WGS84 radii of curvature at its latitude."""
    sin2 = math.sin(math.radians(lat)) ** 2
    prime_vertical = WGS84_A / math.sqrt(1 - WGS84_E2 * sin2)
    meridional = WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * sin2) ** 1.5
    half_lon = math.degrees(width_m / 2 / (prime_vertical * math.cos(math.radians(lat))))
    half_lat = math.degrees(height_m / 2 / meridional)
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


def to_3857(bbox: BBox4) -> BBox4:
    """A degree bbox's corners in EPSG:3857 metres."""
    west, south = mercantile.xy(bbox[0], bbox[1])
    east, north = mercantile.xy(bbox[2], bbox[3])
    return west, south, east, north


class _Truncated(ValueError):
    """A 200 answer whose image body was cut short."""


class _CheckedClient(LimitedSentinelHubClient):
    """The download client, refusing to save an answer whose image is cut short."""

    def _process_response(self, request: DownloadRequest, response: DownloadResponse) -> Any:
        if looks_truncated(response.content):
            # Raised before sentinelhub saves the response, so a broken body is never cached.
            raise _Truncated(f"{request.url}: image body cut short")
        return response


@register_provider("sentinelhub")
class SentinelHubProvider(ImageryProvider):
    """Sentinel-2 L2A true colour over `config.sources.sentinelhub`."""

    def __init__(self, config: ProjectConfig) -> None:
        super().__init__(config)
        self.imagery = config.imagery
        self.settings = config.imagery.sentinelhub
        self.cache_folder: Path = config.http_cache_dir / "sentinelhub"
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._request_locks: dict[str, threading.Lock] = {}
        self._sh: SHConfig | None = None
        self._collection: DataCollection | None = None
        loopback = is_loopback(config.sources.sentinelhub)
        start, end = self.settings.period_start, self.settings.period_end
        self.attribution = (
            f"{SAMPLE_WORLD_ATTRIBUTION}, Sentinel-2-like"
            if loopback
            else f"Contains modified Copernicus Sentinel data {start.year}"
            + (f"-{end.year}" if end.year != start.year else "")
            + ", processed by Sentinel Hub"
        )
        self.licence = "CC0-1.0" if loopback else COPERNICUS_LICENCE

    def check_terms(self) -> None:
        # Copernicus data is free and open: nothing to accept, but credentials must exist.
        sh_config(self.config)

    def open(self) -> None:
        self._sh = sh_config(self.config)
        self._collection = sentinel2_l2a(self.config.sources.sentinelhub)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {f"scene_{k}": v for k, v in self.counts.items()}

    def fetch(self, target: ImageTarget) -> ImageRecord:
        size, resolution = self.imagery.size_px, self.settings.resolution_m
        bbox = geographic_box(target.lat, target.lon, size * resolution, size * resolution)
        request = self._request(bbox)
        # Landmarks at the same place ask the same request: one fetches and saves it, the other
        # then reads sentinelhub's cache (it writes files in place, not atomically).
        with self._request_lock(request.download_list[0].get_hashed_name()):
            body = self._download(request.download_list)
        image = decode_image(
            body, max_pixels=self.imagery.max_image_pixels, what="Sentinel-2 scene"
        )
        pixels = np.asarray(image)
        what = f"Sentinel-2 scene {self.settings.period_start}/{self.settings.period_end}"
        check_not_all_cloud(pixels, max_fraction=self.imagery.max_cloud_fraction, what=what)
        check_not_blank(image, min_stddev=self.imagery.blank_stddev, what=what)
        data = encode(image, self.imagery.image_format, self.imagery.jpeg_quality)
        return self._record(target, bbox, image.size, data)

    def _request(self, bbox: BBox4) -> SentinelHubRequest:
        assert self._sh is not None and self._collection is not None, "open() the provider first"
        input_data = SentinelHubRequest.input_data(
            data_collection=self._collection,
            time_interval=(self.settings.period_start, self.settings.period_end),
            maxcc=self.settings.max_cloud_coverage,
            mosaicking_order=MosaickingOrder.LEAST_CC,
        )
        return SentinelHubRequest(
            evalscript=TRUE_COLOUR_EVALSCRIPT,
            input_data=[input_data],
            responses=[SentinelHubRequest.output_response("default", MimeType.PNG)],
            bbox=BBox(bbox, crs=CRS.WGS84),
            size=(self.imagery.size_px, self.imagery.size_px),
            config=self._sh,
            data_folder=str(self.cache_folder),
        )

    def _request_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._request_locks.setdefault(key, threading.Lock())

    def _download(self, download_list: list[DownloadRequest]) -> bytes:
        """The answer's bytes: from sentinelhub's cache, else fetched with retries."""
        _, response_path = download_list[0].get_storage_paths()
        cached = response_path is not None and Path(response_path).exists()
        attempts = self.config.politeness.retries + 1
        last = "no attempt made"
        for attempt in range(attempts):
            with self._lock:
                self.counts["cache_hits" if cached else "requests"] += 1
            try:
                client = _CheckedClient(config=self._sh, redownload=not cached)
                answer = client.download(download_list, max_threads=1, decode_data=False)[0]
                return bytes(answer.content)
            except DownloadFailedException as exc:
                last = first_line(exc)
                if _is_final(exc):
                    break
            except _Truncated as exc:
                # A cut-short answer, fresh or left in the cache by a killed run: fetch anew.
                last, cached = str(exc), False
            except (requests.RequestException, OAuth2Error, ValueError) as exc:
                last = f"{type(exc).__name__}: {first_line(exc)}"
            logger.debug("process request attempt %d failed: %s", attempt + 1, last)
            time.sleep(min(self.config.politeness.backoff_s * 2**attempt, 5.0))
        raise FetchFailed(str(download_list[0].url), last)

    def _record(
        self, target: ImageTarget, bbox: BBox4, size: tuple[int, int], data: bytes
    ) -> ImageRecord:
        start, end = self.settings.period_start, self.settings.period_end
        provenance = Provenance(
            source_url=f"{self.config.sources.sentinelhub.rstrip('/')}/api/v1/process",
            revision=f"{start.isoformat()}/{end.isoformat()}",
            retrieved_at=utc_now(),
            licence=self.licence,
            attribution=self.attribution,
            detail=(
                f"sentinel-2-l2a true colour, least cloudy mosaic, max cloud cover "
                f"{self.settings.max_cloud_coverage:.0%}, {self.settings.resolution_m} m"
            ),
        )
        return ImageRecord(
            qid=target.qid,
            country=target.country,
            image=data,
            format=self.imagery.image_format,
            width=size[0],
            height=size[1],
            provider=self.name,
            zoom=None,
            gsd_m=self.settings.resolution_m,
            bbox_4326=bbox,
            bbox_3857=to_3857(bbox),
            acquired=start,
            acquired_end=end,
            attribution=self.attribution,
            licence=self.licence,
            sha256=hashlib.sha256(data).hexdigest(),
            provenance=provenance,
        )


def _is_final(exc: DownloadFailedException) -> bool:
    """A client error other than 429: retrying will not help."""
    response = getattr(exc.request_exception, "response", None)
    status = getattr(response, "status_code", None)
    return status is not None and 400 <= status < 500 and status != 429
