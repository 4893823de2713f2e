"""The `sentinelhub` provider: a Sentinel-2 L2A true-colour image from the Process API.

One request per landmark: the least cloudy mosaic (`MosaickingOrder.LEAST_CC`) over the
configured period, scenes above the configured cloud cover left out, over a box centred on the
landmark sized so that the output has the configured resolution (10 m: 512 px = 5.12 km). The
answer (PNG) is saved by sentinelhub itself under the HTTP cache (`data_folder`, keyed by a hash
of the request), so a rerun reads it and sends nothing, not even a token request. Requests go
through the loop shared with the attributes stage (`rswk.core.sentinelhub_requests`): a body cut
short is refused before it is saved, and retried. The record's time is the answer's (`Date`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path

import mercantile
import numpy as np
from sentinelhub import (
    CRS,
    BBox,
    DataCollection,
    MimeType,
    MosaickingOrder,
    SentinelHubRequest,
    SHConfig,
)
from sentinelhub.download.models import DownloadRequest

from crawlers.imagery.providers import ImageryProvider, ImageTarget, register_provider
from crawlers.imagery.quality import check_not_all_cloud, check_not_blank, decode_image
from crawlers.imagery.sentinel_access import sentinel2_l2a, sh_config
from crawlers.imagery.stitch import encode
from crawlers.imagery.tile_fetch import looks_truncated
from rswk.core.config import ProjectConfig
from rswk.core.http import FetchFailed
from rswk.core.records.base import Provenance
from rswk.core.records.imagery import ImageRecord
from rswk.core.sentinelhub_requests import Refused, SentinelHubRequests, ShAnswer

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
        self._requests: SentinelHubRequests | None = None
        self._collection: DataCollection | None = None
        start, end = self.settings.period_start, self.settings.period_end
        self.attribution = self.settings.attribution or (
            f"Contains modified Copernicus Sentinel data {start.year}"
            + (f"-{end.year}" if end.year != start.year else "")
            + ", processed by Sentinel Hub"
        )
        self.licence = self.settings.licence or COPERNICUS_LICENCE

    def check_terms(self) -> None:
        # Copernicus data is free and open: nothing to accept, but credentials must exist.
        sh_config(self.config)

    def open(self) -> None:
        self._sh = sh_config(self.config)
        self._requests = SentinelHubRequests(
            config=self._sh,
            politeness=self.config.politeness,
            check_body=_image_cut_short,
            cache=self.config.cache.policy,
            credentials_setting="imagery.sentinelhub.sh_profile",
            counts=self.counts,
        )
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
            answer = self._download(request.download_list)
        image = decode_image(
            answer.content, max_pixels=self.imagery.max_image_pixels, what="Sentinel-2 scene"
        )
        pixels = np.asarray(image)
        what = f"Sentinel-2 scene {self.settings.period_start}/{self.settings.period_end}"
        check_not_all_cloud(pixels, max_fraction=self.imagery.max_cloud_fraction, what=what)
        check_not_blank(image, min_stddev=self.imagery.blank_stddev, what=what)
        data = encode(image, self.imagery.image_format, self.imagery.jpeg_quality)
        return self._record(target, bbox, image.size, data, answer.retrieved_at)

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

    def _download(self, download_list: list[DownloadRequest]) -> ShAnswer:
        """The answer: from sentinelhub's cache, else fetched through the shared loop."""
        assert self._requests is not None, "open() the provider first"
        try:
            return self._requests.fetch(download_list)
        except Refused as exc:
            raise FetchFailed(str(download_list[0].url), str(exc)) from None

    def _record(
        self,
        target: ImageTarget,
        bbox: BBox4,
        size: tuple[int, int],
        data: bytes,
        retrieved_at: datetime,
    ) -> ImageRecord:
        start, end = self.settings.period_start, self.settings.period_end
        provenance = Provenance(
            source_url=f"{self.config.sources.sentinelhub.rstrip('/')}/api/v1/process",
            revision=f"{start.isoformat()}/{end.isoformat()}",
            retrieved_at=retrieved_at,
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


def _image_cut_short(body: bytes) -> str | None:
    """Why a Process API image body is unusable (cut short), or None."""
    return "image body cut short" if looks_truncated(body) else None
