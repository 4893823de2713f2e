"""The `xyz` provider: any `{z}/{x}/{y}` tile service (ESRI World Imagery, the sample world).

Per landmark: zoom from the footprint (else the default), the whole-pixel window centred on it,
its tiles fetched once (memo + disk cache), each tile checked (decodable, no bomb, not the
provider's "no data" placeholder), stitched, checked for blankness, encoded, and recorded with
the window's exact bboxes and the provider's attribution and licence.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import httpx
from PIL import Image

from crawlers.imagery.providers import ImageryProvider, ImageTarget, register_provider
from crawlers.imagery.quality import (
    ImageRejected,
    check_not_blank,
    check_not_placeholder,
    decode_image,
)
from crawlers.imagery.stitch import encode, stitch
from crawlers.imagery.terms import require_accepted, resolve_terms
from crawlers.imagery.tile_fetch import TileFetcher, TileSource, TileTemplate, tile_client
from crawlers.imagery.tilemath import (
    OutsideMercator,
    PixelWindow,
    TileRef,
    ground_sample_distance,
    window_centred_on,
    zoom_for_footprint,
)
from rswk.core.config import ProjectConfig
from rswk.core.http import PoliteTransport
from rswk.core.records.base import Provenance, RejectReason
from rswk.core.records.imagery import ImageRecord

logger = logging.getLogger(__name__)


@register_provider("xyz")
class XyzProvider(ImageryProvider):
    """Tiles from `config.sources.tiles`, stitched and cropped around each landmark."""

    def __init__(self, config: ProjectConfig) -> None:
        super().__init__(config)
        self.imagery = config.imagery
        self.template = TileTemplate(config.sources.tiles)
        self.terms = resolve_terms(config.sources.tiles, config.imagery)
        self._client: httpx.Client | None = None
        self._transport: PoliteTransport | None = None
        # Where tile bytes come from: the cached HTTP fetcher once open (a benchmark may set a
        # memory-backed source instead).
        self.tiles: TileSource | None = None
        self._stats_at_close: dict[str, int] = {}

    def check_terms(self) -> None:
        require_accepted(self.terms, self.template.template, self.imagery)

    def open(self) -> None:
        self._client, self._transport = tile_client(
            self.config.politeness,
            self.config.http_cache_dir,
            self.config.sources.tiles,
            self.config.cache.policy,
        )
        self.tiles = TileFetcher(self._client, self.template)

    def close(self) -> None:
        # The counters outlive the clients: the stage runner closes before reports are read.
        self._stats_at_close = self.stats()
        if self._client is not None:
            self._client.close()
        self._client = self._transport = self.tiles = None

    def stats(self) -> dict[str, int]:
        counts: dict[str, int] = dict(self._stats_at_close)
        if isinstance(self.tiles, TileFetcher):
            counts |= {f"tile_{k}": v for k, v in self.tiles.counts.items()}
        if self._transport is not None:
            counts |= {f"http_{k}": v for k, v in self._transport.counts.items()}
        return counts

    def fetch(self, target: ImageTarget) -> ImageRecord:
        window = self.window_for(target)
        tiles = {ref: self._tile(ref) for ref in window.tiles()}
        picture = stitch(window, tiles)
        check_not_blank(picture, min_stddev=self.imagery.blank_stddev, what="stitched image")
        data = encode(picture, self.imagery.image_format, self.imagery.jpeg_quality)
        return self._record(target, window, data)

    def forget_sources(self, targets: Sequence[ImageTarget]) -> int:
        """Drop the tiles of `targets`' windows from the HTTP cache (see `cache.keep_tiles`)."""
        cache = self._transport.cache if self._transport is not None else None
        if cache is None:
            return 0
        urls = {
            self.template.url(ref.zoom, ref.x, ref.y)
            for target in targets
            for ref in self._window_or_none(target)
        }
        return sum(cache.forget(url) for url in sorted(urls))

    def _window_or_none(self, target: ImageTarget) -> list[TileRef]:
        try:
            return list(self.window_for(target).tiles())
        except ImageRejected:
            return []

    def window_for(self, target: ImageTarget) -> PixelWindow:
        """The pixel window of `target`'s image (zoom from its footprint when known)."""
        imagery = self.imagery
        zoom = zoom_for_footprint(
            target.area_m2,
            target.lat,
            imagery.size_px,
            min_zoom=imagery.min_zoom,
            max_zoom=imagery.max_zoom,
            default_zoom=imagery.default_zoom,
            margin=imagery.footprint_margin,
            tile_size=imagery.tile_size_px,
        )
        try:
            return window_centred_on(
                target.lat, target.lon, zoom, imagery.size_px, imagery.size_px,
                imagery.tile_size_px,
            )  # fmt: skip
        except OutsideMercator as exc:
            raise ImageRejected(RejectReason.NO_DATA, str(exc)) from None

    def _tile(self, ref: TileRef) -> Image.Image:
        assert self.tiles is not None, "open() the provider before fetching"
        what = f"tile {ref.zoom}/{ref.x}/{ref.y}"
        data = self.tiles.get(ref.zoom, ref.x, ref.y)
        if data is None:
            raise ImageRejected(RejectReason.NO_DATA, f"{what}: the server has no imagery (404)")
        tile = decode_image(data, max_pixels=self.imagery.max_image_pixels, what=what)
        size = self.imagery.tile_size_px
        if tile.size != (size, size):
            raise ImageRejected(
                RejectReason.UNDECODABLE_IMAGE,
                f"{what}: {tile.width}x{tile.height} px, expected {size}x{size} "
                "(set imagery.tile_size_px to the service's tile size)",
            )
        if self.terms.placeholder is not None:
            check_not_placeholder(tile, self.terms.placeholder, what=what)
        return tile

    def _record(self, target: ImageTarget, window: PixelWindow, data: bytes) -> ImageRecord:
        refs = window.tiles()
        columns = sorted({r.x for r in refs})
        rows = sorted({r.y for r in refs})
        assert self.tiles is not None, "open() the provider before fetching"
        # The newest tile's Date: a rerun answered from the cache stamps the same time.
        produced = self.tiles.produced_at((r.zoom, r.x, r.y) for r in refs)
        if produced is None:
            raise ImageRejected(
                RejectReason.NO_DATA, "the tile source gave no time for the window's tiles"
            )
        provenance = Provenance(
            source_url=self.template.template.replace("{z}", str(window.zoom)),
            retrieved_at=produced,
            licence=self.terms.licence,
            attribution=self.terms.attribution,
            detail=f"{self.terms.name} z{window.zoom} x {columns} y {rows}",
        )
        return ImageRecord(
            qid=target.qid,
            country=target.country,
            image=data,
            format=self.imagery.image_format,
            width=window.width,
            height=window.height,
            provider=self.name,
            zoom=window.zoom,
            gsd_m=ground_sample_distance(target.lat, window.zoom, window.tile_size),
            bbox_4326=window.bbox_4326(),
            bbox_3857=window.bbox_3857(),
            attribution=self.terms.attribution,
            licence=self.terms.licence,
            sha256=hashlib.sha256(data).hexdigest(),
            provenance=provenance,
        )
