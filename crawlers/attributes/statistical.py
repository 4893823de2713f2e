"""Sentinel-2 statistics over a landmark's buffer: one Statistical API request for the whole year.

The request asks for monthly aggregation (`P1M`) over the configured year, so one answer holds up
to twelve months. The answer may be partial: a month whose entry carries an `error` is recorded as
absent with that error, a month with no acquisition at all as absent for that reason, and every
good month is kept. Annual values are means of the good months weighted by their clear-sky share,
so a mostly cloudy month counts for little.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sentinelhub import CRS, BBox, DataCollection, SentinelHubStatistical, SHConfig
from sentinelhub.download.models import DownloadRequest

from crawlers.attributes.evalscripts import (
    S2_INDEX_BANDS,
    S2_INDEX_OUTPUT,
    S2_REFLECTANCE_BANDS,
    S2_REFLECTANCE_OUTPUT,
    S2_SCENE_OUTPUT,
    SENTINEL2_MONTHLY,
)
from crawlers.attributes.source_cache import sentinelhub_filename
from rswk.core.records.attributes import REFLECTANCE_FIELDS, MonthlyIndex, monthly_absent_key

REFLECTANCE = S2_REFLECTANCE_BANDS
S2_INTERVAL = "P1M"
METRES_PER_DEGREE = 111_320.0
MAX_SIZE_PX = 2_500  # the Statistical API's largest width/height


@dataclass(frozen=True)
class Area:
    """The square around a landmark that statistics are computed over."""

    lat: float
    lon: float
    buffer_m: float
    resolution_m: float

    def bbox(self) -> BBox:
        """WGS84 box reaching `buffer_m` from the landmark in each direction."""
        dlat = self.buffer_m / METRES_PER_DEGREE
        dlon = self.buffer_m / (METRES_PER_DEGREE * max(math.cos(math.radians(self.lat)), 1e-6))
        south, north = max(self.lat - dlat, -90.0), min(self.lat + dlat, 90.0)
        return BBox((self.lon - dlon, south, self.lon + dlon, north), crs=CRS.WGS84)

    def size(self) -> tuple[int, int]:
        """Pixels across the box at `resolution_m` (at least 1, at most the API's limit)."""
        side = math.ceil(2 * self.buffer_m / self.resolution_m)
        side = min(max(side, 1), MAX_SIZE_PX)
        return side, side


def statistical_request(
    evalscript: str,
    collection: DataCollection,
    area: Area,
    time_range: tuple[str, str],
    interval: str,
    sh_config: SHConfig,
    data_folder: str,
    maxcc: float | None = None,
) -> list[DownloadRequest]:
    """The prepared download of one Statistical API request (built by sentinelhub-py)."""
    request = SentinelHubStatistical(
        aggregation=SentinelHubStatistical.aggregation(
            evalscript=evalscript,
            time_interval=time_range,
            aggregation_interval=interval,
            size=area.size(),
        ),
        input_data=[
            SentinelHubStatistical.input_data(collection, time_interval=time_range, maxcc=maxcc)
        ],
        bbox=area.bbox(),
        config=sh_config,
        data_folder=data_folder,
    )
    downloads = list(request.download_list)
    for download in downloads:
        # Keyed by the source, not its host:port, so a rerun on a restarted sample world hits.
        download.filename = sentinelhub_filename(
            download.url or "", download.post_values, {"sentinelhub": sh_config.sh_base_url}
        )
    return downloads


def sentinel2_request(
    collection: DataCollection,
    area: Area,
    year: int,
    sh_config: SHConfig,
    data_folder: str,
    maxcc: float,
) -> list[DownloadRequest]:
    """The year's monthly Sentinel-2 statistics over `area`, as one request."""
    return statistical_request(
        SENTINEL2_MONTHLY,
        collection,
        area,
        year_range(year),
        S2_INTERVAL,
        sh_config,
        data_folder,
        maxcc=maxcc,
    )


def year_range(year: int) -> tuple[str, str]:
    """The first and last day of `year`, as the request's time range."""
    return f"{year}-01-01", f"{year}-12-31"


@dataclass
class Sentinel2Stats:
    """Monthly and annual Sentinel-2 values by column name, and reasons for the missing ones."""

    monthly: list[MonthlyIndex]
    values: dict[str, Any]
    absent: dict[str, str] = field(default_factory=dict)


def parse_sentinel2(answer: Mapping[str, Any], year: int) -> Sentinel2Stats:
    """Monthly indices and annual aggregates from one `P1M` answer covering `year`.

    A month may come as several intervals (the service splits an interval at the period's
    edges): the valid one with the largest clear-sky share is used; a month whose intervals all
    carry an `error` is absent with the first error; a month with no interval had no acquisition.
    """
    monthly: list[MonthlyIndex] = []
    reflectance: dict[str, list[float | None]] = {}
    absent: dict[str, str] = {}
    by_month: dict[str, list[Mapping[str, Any]]] = {}
    for entry in answer.get("data") or []:
        if not isinstance(entry, Mapping):
            continue
        interval = entry.get("interval")
        month = str(interval.get("from", ""))[:7] if isinstance(interval, Mapping) else ""
        if _is_month_of(month, year):
            by_month.setdefault(month, []).append(entry)
    for month, entries in sorted(by_month.items()):
        valid = [e for e in entries if "error" not in e and isinstance(e.get("outputs"), Mapping)]
        if not valid:
            failed = next((e for e in entries if "error" in e), None)
            absent[monthly_absent_key(month)] = (
                f"Statistical API error: {_error_text(failed)}"
                if failed is not None
                else "Statistical API interval without outputs"
            )
            continue
        candidates = [_month(month, e["outputs"]) for e in valid]
        best = max(range(len(valid)), key=lambda i: (candidates[i].valid_fraction or 0.0, -i))
        outputs = valid[best]["outputs"]
        monthly.append(candidates[best])
        reflectance[month] = [
            band_mean(outputs, S2_REFLECTANCE_OUTPUT, b) for b in S2_REFLECTANCE_BANDS
        ]
    seen = set(by_month)
    for number in range(1, 13):
        month = f"{year}-{number:02d}"
        if month not in seen:
            absent[monthly_absent_key(month)] = "no Sentinel-2 acquisition in this month"
    monthly.sort(key=lambda m: m.month)
    values = _annual(monthly, reflectance, year)
    for name, value in values.items():
        if value is None:
            absent[name] = _why_no_annual(monthly, year)
    return Sentinel2Stats(monthly=monthly, values=values, absent=absent)


def _month(month: str, outputs: Mapping[str, Any]) -> MonthlyIndex:
    ndvi, ndwi, ndbi = (_index(band_mean(outputs, S2_INDEX_OUTPUT, b)) for b in S2_INDEX_BANDS)
    clear = _fraction(band_mean(outputs, S2_SCENE_OUTPUT, "CLEAR"))
    cloud = _fraction(band_mean(outputs, S2_SCENE_OUTPUT, "CLOUD"))
    observed = _observed_share(outputs, S2_SCENE_OUTPUT, "CLEAR")
    valid = None if clear is None or observed is None else round(clear * observed, 4)
    return MonthlyIndex(
        month=month,
        ndvi_mean=ndvi,
        ndwi_mean=ndwi,
        ndbi_mean=ndbi,
        valid_fraction=valid,
        cloud_fraction=cloud,
    )


def _annual(
    monthly: list[MonthlyIndex], reflectance: dict[str, list[float | None]], year: int
) -> dict[str, Any]:
    """Clear-share-weighted annual means, the NDVI peak month, and mean clear/cloud shares.

    Values are rounded but not range-checked here: the stage checks every value against the
    record's ranges and records an out-of-range one as absent with the value it had.
    """
    weights = {m.month: m.valid_fraction or 0.0 for m in monthly}

    def weighted(key: str) -> float | None:
        return _round(_weighted([(getattr(m, key), weights[m.month]) for m in monthly]))

    values: dict[str, Any] = {
        "ndvi_mean_annual": weighted("ndvi_mean"),
        "ndwi_mean_annual": weighted("ndwi_mean"),
        "ndbi_mean_annual": weighted("ndbi_mean"),
        "valid_fraction_annual": _round(_plain_mean([m.valid_fraction for m in monthly])),
        "cloud_fraction_annual": _round(_plain_mean([m.cloud_fraction for m in monthly])),
    }
    for position, name in enumerate(REFLECTANCE_FIELDS):
        pairs = [(bands[position], weights[month]) for month, bands in reflectance.items()]
        values[name] = _round(_weighted(pairs), digits=5)
    peaks = [(m.ndvi_mean, m.month) for m in monthly if m.ndvi_mean is not None]
    # Ties go to the earlier month, so the peak is stable.
    peak = max(peaks, key=lambda p: (p[0], -int(p[1][5:])), default=None)
    values["ndvi_peak_month"] = peak[1] if peak is not None else None
    return values


def _why_no_annual(monthly: list[MonthlyIndex], year: int) -> str:
    if not monthly:
        return f"no usable Sentinel-2 month in {year}"
    return f"no cloud-free Sentinel-2 pixel in {year}"


def _is_month_of(month: str, year: int) -> bool:
    return len(month) == 7 and month.startswith(f"{year}-") and "01" <= month[5:] <= "12"


def _stats(outputs: Mapping[str, Any], output: str, band: str) -> Mapping[str, Any]:
    try:
        stats = outputs[output]["bands"][band]["stats"]
    except (KeyError, TypeError):
        return {}
    return stats if isinstance(stats, Mapping) else {}


def band_mean(outputs: Mapping[str, Any], output: str, band: str) -> float | None:
    """A band's mean, or None when missing or not finite (the API writes "NaN" for no data)."""
    value = _stats(outputs, output, band).get("mean")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _observed_share(outputs: Mapping[str, Any], output: str, band: str) -> float | None:
    stats = _stats(outputs, output, band)
    samples, no_data = stats.get("sampleCount"), stats.get("noDataCount", 0)
    if not isinstance(samples, int | float) or samples <= 0:
        return None
    return max(0.0, min(1.0, 1.0 - float(no_data or 0) / float(samples)))


def _weighted(pairs: list[tuple[float | None, float]]) -> float | None:
    usable = [(v, w) for v, w in pairs if v is not None and w > 0]
    total = sum(w for _, w in usable)
    return sum(v * w for v, w in usable) / total if total > 0 else None


def _plain_mean(values: list[float | None]) -> float | None:
    usable = [v for v in values if v is not None]
    return sum(usable) / len(usable) if usable else None


def _index(value: float | None) -> float | None:
    """A normalised-difference index, rounded; values outside [-1, 1] are not indices."""
    if value is None or not -1.0 <= value <= 1.0:
        return None
    return round(value, 4)


def _fraction(value: float | None) -> float | None:
    if value is None or not 0.0 <= value <= 1.0:
        return None
    return round(value, 4)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _error_text(entry: Mapping[str, Any]) -> str:
    error = entry.get("error")
    if isinstance(error, Mapping):
        kind = error.get("type") or error.get("code") or "error"
        message = error.get("message") or error.get("info")
        return f"{kind}: {message}" if message else str(kind)
    return str(error)
