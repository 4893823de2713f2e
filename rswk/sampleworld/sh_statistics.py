"""The Statistical API's answer: per aggregation interval, per output, per band statistics.

    {"data": [{"interval": {"from": ..., "to": ...},
               "outputs": {"<output id>": {"bands": {"<band>": {"stats": {
                   "min", "max", "mean", "stDev", "sampleCount", "noDataCount"
                   [, "percentiles": {"50.0": ...}]}}}}}}, ...],
     "status": "OK" | "PARTIAL" | "FAILED"}

like the recorded answers in ../shared/reference/sentinelhub/. The `dataMask` output masks the
others and is not reported. A band with no valid pixel reports "NaN" statistics (as the live
service does). Intervals come from `aggregationInterval.of` (P1D, P5D, P1W, P1M, P1Y ...) stepped
from `timeRange.from`; an interval that would run past `timeRange.to` (plus one day, since
clients send `to` as 23:59:59 of the last day) is skipped unless `lastIntervalBehavior` is
SHORTEN or EXTEND.

Partial results: for Sentinel-2 requests, a deterministic share of intervals (by place and
interval start, `ERROR_SHARE`) fails with `{"error": {"type": "EXECUTION_ERROR", ...}}` — the
object form the live service and sentinelhub-py's client use (the reference file abbreviates it
to a string). Asking for that interval again fails again, as a persistent data error would
(sentinelhub-py retries EXECUTION_ERROR intervals once, one request each).

The statistics are computed on a grid of at most 32 x 32 points over the request's raster;
`sampleCount` and `noDataCount` are scaled to the raster's full pixel count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from rswk.sampleworld.landscape import Landscape, stable_unit
from rswk.sampleworld.sh_bands import S2, Scene, output_quantities
from rswk.sampleworld.sh_evalscript import Evalscript
from rswk.sampleworld.sh_geometry import Bounds, pixel_grid

STAT_GRID = 32
MAX_INTERVALS = 1000
ERROR_SHARE = 1.0 / 12.0
# Sentinel-2 passes over a place every 5 days; each scene's cloud cover scatters by up to
# ±SCENE_SPREAD / 2 around the month's climatological cover.
REVISIT_DAYS = 5
SCENE_SPREAD = 0.6
_DURATION = re.compile(r"^P(\d+)([DWMY])$")


class StatisticsError(ValueError):
    """An aggregation the sample world refuses (answered 400 with the message)."""


@dataclass(frozen=True)
class Interval:
    """One aggregation interval [start, end)."""

    start: datetime
    end: datetime

    def as_json(self) -> dict[str, str]:
        return {"from": _iso(self.start), "to": _iso(self.end)}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(raw: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise StatisticsError(f"aggregation.timeRange.{name} is not ISO-8601 ({raw!r})") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    return moment.replace(year=moment.year + index // 12, month=index % 12 + 1, day=1)


def _step(moment: datetime, count: int, unit: str) -> datetime:
    if unit == "D":
        return moment + timedelta(days=count)
    if unit == "W":
        return moment + timedelta(weeks=count)
    if unit == "M":
        return _add_months(moment, count)
    return _add_months(moment, 12 * count)


def intervals(aggregation: Mapping[str, Any]) -> list[Interval]:
    """The aggregation intervals of a Statistical API `aggregation` object."""
    time_range = aggregation.get("timeRange") or {}
    start = _parse_time(time_range.get("from"), "from")
    end = _parse_time(time_range.get("to"), "to")
    spec = aggregation.get("aggregationInterval") or {}
    found = _DURATION.match(str(spec.get("of", "")))
    if not found or int(found.group(1)) < 1:
        raise StatisticsError(
            f"aggregationInterval.of must be an ISO-8601 duration like P1D or P1M "
            f"(got {spec.get('of')!r})"
        )
    count, unit = int(found.group(1)), found.group(2)
    behaviour = str(spec.get("lastIntervalBehavior", "SKIP")).upper()
    result: list[Interval] = []
    cursor = start
    while cursor < end and len(result) <= MAX_INTERVALS:
        following = _step(cursor, count, unit)
        if following > end + timedelta(days=1):
            if behaviour == "SHORTEN":
                result.append(Interval(cursor, end))
            elif behaviour == "EXTEND":
                result.append(Interval(cursor, following))
            break
        result.append(Interval(cursor, following))
        cursor = following
    if len(result) > MAX_INTERVALS:
        raise StatisticsError(f"more than {MAX_INTERVALS} aggregation intervals requested")
    return result


def band_stats(
    values: np.ndarray, valid: np.ndarray, scale: float, percentiles: list[float]
) -> dict[str, Any]:
    """One band's `stats` object; `scale` is raster pixels per sampled point."""
    picked = values[valid & np.isfinite(values)]
    samples = round(values.size * scale)
    no_data = round((values.size - picked.size) * scale)
    if picked.size == 0:
        stats: dict[str, Any] = dict.fromkeys(("min", "max", "mean", "stDev"), "NaN")
    else:
        spread = float(picked.std(ddof=1)) if picked.size > 1 else 0.0
        stats = {
            "min": float(picked.min()),
            "max": float(picked.max()),
            "mean": float(picked.mean()),
            "stDev": spread,
        }
    stats |= {"sampleCount": samples, "noDataCount": no_data}
    if percentiles:
        stats["percentiles"] = {
            f"{float(k):.1f}": (float(np.percentile(picked, k)) if picked.size else "NaN")
            for k in percentiles
        }
    return stats


@dataclass(frozen=True)
class StatisticsJob:
    """Everything one Statistical API request asks for, parsed."""

    landscape: Landscape
    bounds: Bounds
    raster: tuple[int, int]  # the request's width, height
    kinds: set[str]
    script: Evalscript
    percentiles: list[float]
    max_cloud_coverage: float = 100.0  # percent, `dataFilter.maxCloudCoverage`


@dataclass(frozen=True)
class Acquisition:
    """One Sentinel-2 scene over the request's place: its day and cloud cover (0-1)."""

    day: date
    cloud_cover: float


def acquisitions(job: StatisticsJob, interval: Interval) -> list[Acquisition]:
    """The Sentinel-2 scenes in `interval` whose cloud cover passes `maxCloudCoverage`, oldest
    first: one every `REVISIT_DAYS` days (the orbit's phase depends on the place)."""
    lon, lat = job.bounds.centre_lonlat
    place = (job.landscape.seed, round(lon, 1), round(lat, 1))
    phase = int(stable_unit("orbit", *place) * REVISIT_DAYS)
    first = interval.start.date().toordinal()
    last = (interval.end - timedelta(microseconds=1)).date().toordinal()
    found = []
    for ordinal in range(first, last + 1):
        if (ordinal - phase) % REVISIT_DAYS:
            continue
        day = date.fromordinal(ordinal)
        cover = job.landscape.cloud_cover(lon, lat, day.year, day.month)
        if not job.landscape.persistently_cloudy(lon, lat):
            jitter = stable_unit("scene", *place, ordinal)
            cover = min(1.0, max(0.0, cover + SCENE_SPREAD * (jitter - 0.5)))
        if cover * 100.0 <= job.max_cloud_coverage:
            found.append(Acquisition(day, cover))
    return found


def _interval_failed(job: StatisticsJob, interval: Interval) -> bool:
    if S2 not in job.kinds:
        return False
    chance = stable_unit("stat-error", job.landscape.seed, job.bounds.key(), _iso(interval.start))
    return chance < ERROR_SHARE


def _scene(
    job: StatisticsJob, interval: Interval, scene: Acquisition | None
) -> tuple[Scene, np.ndarray]:
    """The interval's mosaic: for Sentinel-2 its most recent scene (SIMPLE mosaicking,
    mostRecent first, as the service's default), cloud pixels masked."""
    width, height = job.raster
    grid = pixel_grid(job.bounds, min(width, STAT_GRID), min(height, STAT_GRID))
    middle = interval.start + (interval.end - interval.start) / 2
    yearly = interval.end - interval.start > timedelta(days=62)
    month = None if yearly else middle.month
    cloudy = np.zeros(grid.shape, dtype=bool)
    when = middle.date()
    if scene is not None:
        when = scene.day
        mask = job.landscape.cloud_mask(grid.lon, grid.lat, scene.cloud_cover, when.toordinal())
        cloudy = np.broadcast_to(mask, grid.shape)
    return Scene(job.landscape, grid.lon, grid.lat, when, month, cloudy, True), grid.inside


def interval_entry(job: StatisticsJob, interval: Interval) -> dict[str, Any] | None:
    """One element of `data`: the interval's outputs, its (deterministic) error, or None when
    no Sentinel-2 scene passes the cloud filter (the service leaves such intervals out)."""
    scene: Acquisition | None = None
    if S2 in job.kinds:
        passing = acquisitions(job, interval)
        if not passing:
            return None
        scene = passing[-1]
    if _interval_failed(job, interval):
        message = "Failed to evaluate script for this interval (sample world: persistent error)"
        return {
            "interval": interval.as_json(),
            "error": {"type": "EXECUTION_ERROR", "message": message},
        }
    mosaic, inside = _scene(job, interval, scene)
    valid = inside
    for spec in job.script.outputs:
        if spec.id == "dataMask":
            valid = valid & (mosaic.band("dataMask") > 0)
    width, height = job.raster
    scale = (width * height) / float(inside.size)
    outputs: dict[str, Any] = {}
    for spec in job.script.outputs:
        if spec.id == "dataMask":
            continue
        quantities = output_quantities(spec, job.script.input_bands)
        bands = {
            name: {"stats": band_stats(mosaic.band(q), valid, scale, job.percentiles)}
            for name, q in zip(spec.bands, quantities, strict=True)
        }
        outputs[spec.id] = {"bands": bands}
    return {"interval": interval.as_json(), "outputs": outputs}


def statistics(job: StatisticsJob, aggregation: Mapping[str, Any]) -> dict[str, Any]:
    """The whole Statistical API answer for one request."""
    entries = (interval_entry(job, interval) for interval in intervals(aggregation))
    data = [entry for entry in entries if entry is not None]
    failed = sum("error" in entry for entry in data)
    status = "OK" if failed == 0 else ("FAILED" if failed == len(data) else "PARTIAL")
    return {"data": data, "status": status}


def requested_percentiles(calculations: Mapping[str, Any] | None) -> list[float]:
    """Percentiles asked for in `calculations.<output>.statistics.<band>.percentiles.k`."""
    found: set[float] = set()
    for output in (calculations or {}).values():
        for band in ((output or {}).get("statistics") or {}).values():
            for k in ((band or {}).get("percentiles") or {}).get("k", []):
                if isinstance(k, int | float) and not math.isnan(k) and 0 <= k <= 100:
                    found.add(float(k))
    return sorted(found)
