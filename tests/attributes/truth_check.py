"""Compare what the attributes stage measured with the sample world's ground truth.

Every attribute has a stated tolerance, sized for the measuring method's own error, not for a
mistake: the Statistical API samples at most 32 x 32 points per request and masks clouds (so
monthly means weigh months by their clear share and drop failed months), the climate API's
daily weather averages out only over the ten years asked for, and the image classifier sees a
JPEG. A swapped lat/lon, a wrong box, a wrong band or a unit slip is far outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rswk.core.records.attributes import AttributesRecord
from rswk.sampleworld.truth import Ground, SiteTruth


@dataclass(frozen=True)
class Tolerance:
    """|measured - truth| <= absolute + relative * |truth| + spread_share * spread, where
    spread is the value's standard deviation over the box (clouds hide part of the box, so a
    mix of very different surfaces is measured less exactly than a uniform one)."""

    absolute: float
    relative: float = 0.0
    spread_share: float = 0.0

    def allows(self, measured: float, truth: float, spread: float = 0.0) -> bool:
        allowed = self.absolute + self.relative * abs(truth) + self.spread_share * spread
        return abs(measured - truth) <= allowed


# Attribute -> tolerance. Indices are means over a year of clear-sky pixels (months weighted by
# their clear share, ~1 month in 12 missing, clouds hiding part of the box): 0.05 plus 0.15 times
# the spread. Reflectance: ±3 % haze per acquisition, the same weighting and masking.
# Precipitation: ten years of wet days drawn at random (~8 % spread where it rarely rains).
# Image fractions: JPEG blur at the edges between classes.
TOLERANCES: dict[str, Tolerance] = {
    "elevation_m": Tolerance(5.0, 0.01),
    "ndvi_mean_annual": Tolerance(0.05, spread_share=0.15),
    "ndwi_mean_annual": Tolerance(0.05, spread_share=0.15),
    "ndbi_mean_annual": Tolerance(0.05, spread_share=0.15),
    "reflectance": Tolerance(0.01, 0.05, spread_share=0.15),
    "lst_day_c": Tolerance(0.5),
    "temperature_2m_mean_c": Tolerance(0.3),
    "precip_mm_per_year": Tolerance(10.0, 0.20),
    "wind_speed_10m_mean_m_s": Tolerance(0.0, 0.03),
    "surface_pressure_mean_hpa": Tolerance(1.0),
    "image_fraction": Tolerance(0.04),
}
# A persistently cloudy place (1 cell in 12) is overcast in every scene: its Sentinel-2 values
# come from a few gaps in the clouds and are not held to the truth; its clouds are.
CLOUDY_MIN_CLOUD_FRACTION = 0.5
# Land cover: the dominant class must match unless the truth's top two shares are this close.
LAND_COVER_MARGIN = 0.05
REFLECTANCE_BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")


def _check(
    name: str, measured: float | None, truth: float, key: str, out: list[str], spread: float = 0.0
) -> None:
    if measured is None:
        out.append(f"{name}: measured nothing (truth {truth:.4g})")
    elif not TOLERANCES[key].allows(measured, truth, spread):
        out.append(f"{name}: measured {measured:.4g}, truth {truth:.4g}")


def site_mismatches(record: AttributesRecord, truth: SiteTruth) -> list[str]:
    """Every Statistical API and climate attribute of `record` outside its tolerance."""
    site, climate = truth.site, truth.climate
    if site is None or climate is None:
        return [f"{record.qid}: the world has no place for it"]
    out: list[str] = []
    _check("elevation_m", record.elevation_m, site.elevation_m, "elevation_m", out)
    if truth.persistently_cloudy:
        cloud = record.cloud_fraction_annual
        if cloud is not None and cloud < CLOUDY_MIN_CLOUD_FRACTION:
            out.append(f"cloud_fraction_annual: measured {cloud:.3g} in a persistently cloudy cell")
    else:
        _sentinel2(record, site, out)
    _check("lst_day_c", record.lst_day_c, site.lst_day_c, "lst_day_c", out)
    for name in (
        "temperature_2m_mean_c",
        "precip_mm_per_year",
        "wind_speed_10m_mean_m_s",
        "surface_pressure_mean_hpa",
    ):
        _check(name, getattr(record, name), getattr(climate, name), name, out)
    out.extend(_land_cover(record.land_cover_class, site))
    return out


def _sentinel2(record: AttributesRecord, site: Ground, out: list[str]) -> None:
    for index in ("ndvi", "ndwi", "ndbi"):
        name = f"{index}_mean_annual"
        spread = site.spread[index.upper()]
        _check(name, getattr(record, name), getattr(site, name), name, out, spread)
    for band in REFLECTANCE_BANDS:
        name = f"reflectance_{band.lower()}_mean"
        truth_value, spread = site.reflectance[band], site.spread[band]
        _check(name, getattr(record, name), truth_value, "reflectance", out, spread)


def _land_cover(measured: str | None, site: Ground) -> list[str]:
    if measured == site.land_cover_class:
        return []
    shares = sorted(site.worldcover_shares.values(), reverse=True)
    close = len(shares) > 1 and shares[0] - shares[1] < LAND_COVER_MARGIN
    if close and site.worldcover_shares.get(measured or "", 0.0) >= shares[0] - LAND_COVER_MARGIN:
        return []
    return [f"land_cover_class: measured {measured}, truth {site.land_cover_class}"]


def image_mismatches(record: AttributesRecord, ground: Ground) -> list[str]:
    """The image-derived cover fractions outside tolerance of what is on the ground in the
    image's box. An RGB image cannot tell snow from a grey roof, so bright snow counts as
    built-up there."""
    fractions = ground.cover_fractions
    out: list[str] = []
    expected = {
        "vegetation_fraction": fractions["vegetation"],
        "water_fraction": fractions["water"],
        "builtup_fraction": fractions["built_up"] + fractions["snow"],
    }
    for name, truth in expected.items():
        _check(name, getattr(record, name), truth, "image_fraction", out)
    return out
