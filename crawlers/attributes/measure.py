"""One landmark's attributes: each source group fetched, checked and merged into one record.

Groups are independent: Sentinel-2 statistics, each optional collection, climate normals and the
image. A group that fails leaves its columns None with the reason in `absent`; it never fails the
landmark. Texts are rendered last, from the finished record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from crawlers.attributes.climate import fetch_climate
from crawlers.attributes.describe import image_description, rs_description
from crawlers.attributes.image_derived import ImageUnreadable, image_attributes
from crawlers.attributes.optional_collections import (
    OPTIONAL_COLLECTIONS,
    YEAR_INTERVAL,
    OptionalCollection,
    first_interval_outputs,
)
from crawlers.attributes.ranges import check_values
from crawlers.attributes.sh_access import (
    Refused,
    StatisticalFetcher,
    Unreachable,
    cache_folder,
)
from crawlers.attributes.statistical import (
    Area,
    parse_sentinel2,
    sentinel2_request,
    statistical_request,
    year_range,
)
from rswk.core.config import ProjectConfig
from rswk.core.http import FetchFailed
from rswk.core.records import LocatedLandmark
from rswk.core.records.attributes import (
    IMAGE_FIELDS,
    REFLECTANCE_FIELDS,
    S2_ANNUAL_FIELDS,
    AttributesRecord,
    SourceProvenance,
)
from rswk.core.records.base import Provenance
from rswk.core.records.imagery import ImageRecord
from rswk.core.sentinelhub_access import bound_collection

S2_COLUMNS = (*S2_ANNUAL_FIELDS, "ndvi_peak_month", *REFLECTANCE_FIELDS)
S2_API_ID = "sentinel-2-l2a"
S2_LICENCE = "Copernicus Sentinel data terms (free, full and open)"
S2_ATTRIBUTION = "Contains modified Copernicus Sentinel data {year}"


@dataclass
class Measurements:
    """Columns gathered so far for one landmark, with reasons and provenance per group."""

    values: dict[str, Any] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    monthly: list[Any] = field(default_factory=list)

    def missing(self, columns: tuple[str, ...], reason: str) -> None:
        for column in columns:
            self.values[column] = None
            self.absent[column] = reason


class TransientFailure(Exception):
    """A source stayed unreachable after every retry: the landmark is rejected `fetch_failed`
    (and retried by the next run) rather than recorded with values a later run could give."""

    def __init__(self, group: str, url: str, why: str) -> None:
        super().__init__(f"{group}: {why}")
        self.url = url


class Measurer:
    """Measures landmarks with one HTTP client and one Sentinel Hub fetcher (thread-safe)."""

    def __init__(
        self, config: ProjectConfig, http: httpx.Client, fetcher: StatisticalFetcher
    ) -> None:
        self.config = config
        self.settings = config.attributes
        self.http = http
        self.fetcher = fetcher
        self.statistics_url = f"{config.sources.sentinelhub.rstrip('/')}/api/v1/statistics"
        self.data_folder = str(cache_folder(config))

    def measure(
        self, landmark: LocatedLandmark, image: ImageRecord | None, no_image_reason: str
    ) -> AttributesRecord:
        """The landmark's record; `no_image_reason` explains a missing image."""
        found = Measurements()
        area = Area(landmark.lat, landmark.lon, self.settings.buffer_m, self.settings.resolution_m)
        self._sentinel2(area, found)
        for collection in OPTIONAL_COLLECTIONS:
            self._optional(collection, area, found)
        self._climate(landmark, found)
        self._image(image, no_image_reason, found)
        check_values(found.values, found.absent)
        record = AttributesRecord(
            qid=landmark.qid,
            country=landmark.country,
            label=landmark.label,
            lat=landmark.lat,
            lon=landmark.lon,
            buffer_m=self.settings.buffer_m,
            year=self.settings.year,
            monthly=found.monthly,
            absent=found.absent,
            **found.values,
            **found.provenance,
        )
        return record.model_copy(
            update={
                "rs_description": rs_description(record),
                "image_description": image_description(record),
            }
        )

    def _sentinel2(self, area: Area, found: Measurements) -> None:
        year = self.settings.year
        download = sentinel2_request(
            bound_collection(S2_API_ID, self.config.sources.sentinelhub),
            area,
            year,
            self.fetcher.config,
            self.data_folder,
            maxcc=self.settings.max_cloud_coverage,
        )
        try:
            answer = self.fetcher.fetch(download)
        except Refused as exc:
            found.missing(S2_COLUMNS, f"Sentinel-2 statistics refused: {exc}")
            return
        except Unreachable as exc:
            raise TransientFailure("Sentinel-2 statistics", exc.url, exc.why) from None
        stats = parse_sentinel2(answer.json, year)
        found.monthly = stats.monthly
        found.values.update(stats.values)
        found.absent.update(stats.absent)
        found.provenance["sentinel2_provenance"] = self._provenance(
            S2_API_ID, S2_LICENCE, S2_ATTRIBUTION.format(year=year), answer.retrieved_at
        )

    def _optional(self, collection: OptionalCollection, area: Area, found: Measurements) -> None:
        column = collection.column
        api_id = str(getattr(self.settings, collection.config_key))
        if not api_id:
            found.missing((column,), f"switched off (attributes.{collection.config_key} = '')")
            return
        download = statistical_request(
            collection.evalscript,
            bound_collection(api_id, self.config.sources.sentinelhub),
            area,
            year_range(self.settings.year),
            YEAR_INTERVAL,
            self.fetcher.config,
            self.data_folder,
        )
        try:
            answer = self.fetcher.fetch(download)
        except Refused as exc:
            found.missing((column,), f"endpoint refused collection '{api_id}': {exc}")
            return
        except Unreachable as exc:
            raise TransientFailure(f"collection '{api_id}'", exc.url, exc.why) from None
        outputs, why = first_interval_outputs(answer.json)
        value = collection.read(outputs) if outputs is not None else None
        if value is None:
            found.missing((column,), why or f"collection '{api_id}' gave no value")
            return
        found.values[column] = value
        found.provenance[collection.provenance_field] = self._provenance(
            api_id, collection.licence, collection.attribution, answer.retrieved_at
        )

    def _climate(self, landmark: LocatedLandmark, found: Measurements) -> None:
        try:
            result = fetch_climate(
                self.http, self.config.sources.climate, landmark.lat, landmark.lon, self.settings
            )
        except FetchFailed as exc:
            raise TransientFailure("climate normals", exc.url, exc.why) from None
        found.values.update(result.values)
        found.absent.update(result.absent)
        if result.provenance is not None:
            found.provenance["climate_provenance"] = result.provenance

    def _image(self, image: ImageRecord | None, no_image_reason: str, found: Measurements) -> None:
        if not self.settings.image_derived:
            found.missing(IMAGE_FIELDS, "switched off (attributes.image_derived = false)")
            return
        if image is None:
            found.missing(IMAGE_FIELDS, no_image_reason)
            return
        try:
            derived = image_attributes(image.image)
        except ImageUnreadable as exc:
            found.missing(IMAGE_FIELDS, str(exc))
            return
        for column in IMAGE_FIELDS:
            found.values[column] = getattr(derived, column)
        found.values["image_sha256"] = image.sha256
        found.provenance["image_provenance"] = Provenance(
            source_url=image.provenance.source_url,
            revision=image.sha256,
            retrieved_at=image.provenance.retrieved_at,
            licence=image.licence,
            attribution=image.attribution,
            detail=f"computed from the {image.provider} image ({image.width}x{image.height} px)",
        )

    def _provenance(
        self, collection: str, licence: str, attribution: str, retrieved_at: datetime
    ) -> SourceProvenance:
        """Where a Statistical API group came from; resolution is the pixel size asked for."""
        start, end = year_range(self.settings.year)
        return SourceProvenance(
            source_url=self.statistics_url,
            retrieved_at=retrieved_at,
            licence=licence,
            attribution=attribution,
            detail=f"Statistical API over a {self.settings.buffer_m:g} m buffer",
            collection=collection,
            time_range=f"{start}/{end}",
            resolution_m=self.settings.resolution_m,
        )
