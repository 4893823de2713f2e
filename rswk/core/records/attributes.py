"""The attributes stage's output: remote-sensing expert knowledge as typed numbers with units.

Every measured value is a number whose column name carries its unit (`elevation_m`, `lst_day_c`,
`precip_mm_per_year`) and whose physical range is enforced when the record is built. A value a
source could not give is None *and* named in `absent` with the reason; the record refuses one
without the other, so a missing number is always explained. Monthly Sentinel-2 indices are a list
(`monthly`) because the year is configurable; `flat_columns()` spells them out as
`ndvi_mean_2024_07`-style columns for exports.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from rswk.core.records.base import Frozen, KeyedRecord, Provenance

Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
SpectralIndex = Annotated[float, Field(ge=-1.0, le=1.0)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
HexColour = Annotated[str, Field(pattern=r"^#[0-9a-f]{6}$")]

# The numeric attributes that must be either present or explained in `absent`.
S2_ANNUAL_FIELDS = (
    "ndvi_mean_annual",
    "ndwi_mean_annual",
    "ndbi_mean_annual",
    "valid_fraction_annual",
    "cloud_fraction_annual",
)
REFLECTANCE_BANDS = ("b02", "b03", "b04", "b08", "b11", "b12")
REFLECTANCE_FIELDS = tuple(f"reflectance_{band}_mean" for band in REFLECTANCE_BANDS)
OPTIONAL_COLLECTION_FIELDS = ("elevation_m", "land_cover_class", "lst_day_c")
CLIMATE_FIELDS = (
    "temperature_2m_mean_c",
    "precip_mm_per_year",
    "wind_speed_10m_mean_m_s",
    "surface_pressure_mean_hpa",
)
IMAGE_FIELDS = (
    "vegetation_fraction",
    "water_fraction",
    "builtup_fraction",
    "brightness_mean",
    "edge_density",
    "dominant_colours",
)
MONTHLY_KEYS = ("ndvi_mean", "ndwi_mean", "ndbi_mean", "valid_fraction", "cloud_fraction")
ATTRIBUTE_FIELDS = (
    *S2_ANNUAL_FIELDS,
    "ndvi_peak_month",
    *REFLECTANCE_FIELDS,
    *OPTIONAL_COLLECTION_FIELDS,
    *CLIMATE_FIELDS,
    *IMAGE_FIELDS,
)


class MonthlyIndex(Frozen):
    """One month of Sentinel-2 L2A statistics over the buffer (clear pixels only)."""

    month: Month
    ndvi_mean: SpectralIndex | None = None
    ndwi_mean: SpectralIndex | None = None
    ndbi_mean: SpectralIndex | None = None
    # Share of the buffer's pixels that were observed and cloud-free / cloudy that month.
    valid_fraction: Fraction | None = None
    cloud_fraction: Fraction | None = None


class SourceProvenance(Provenance):
    """Provenance of a measured group: which collection, over which period, at what pixel size."""

    collection: str
    time_range: str | None = Field(default=None, description="ISO interval start/end")
    resolution_m: float | None = Field(default=None, gt=0)


class AttributesRecord(KeyedRecord):
    """Remote-sensing attributes of one landmark, with the two templated description texts."""

    label: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    buffer_m: float = Field(gt=0, description="radius of the measured area around the landmark")
    year: int = Field(ge=2015, le=2100, description="year of the Sentinel-2 statistics")

    # Sentinel-2 L2A through the Statistical API: good months only; bad months are in `absent`.
    monthly: list[MonthlyIndex] = Field(default_factory=list)
    ndvi_mean_annual: SpectralIndex | None = None
    ndwi_mean_annual: SpectralIndex | None = None
    ndbi_mean_annual: SpectralIndex | None = None
    ndvi_peak_month: Month | None = None
    valid_fraction_annual: Fraction | None = None
    cloud_fraction_annual: Fraction | None = None
    # Bottom-of-atmosphere reflectance, scaled 0-1 (not digital numbers), annual mean.
    reflectance_b02_mean: Fraction | None = None
    reflectance_b03_mean: Fraction | None = None
    reflectance_b04_mean: Fraction | None = None
    reflectance_b08_mean: Fraction | None = None
    reflectance_b11_mean: Fraction | None = None
    reflectance_b12_mean: Fraction | None = None

    # Optional collections: each may be missing on an endpoint.
    elevation_m: float | None = Field(default=None, ge=-500, le=9_000)
    land_cover_class: str | None = None
    lst_day_c: float | None = Field(default=None, ge=-90, le=80)

    # Climate normals from an ERA5-backed archive.
    temperature_2m_mean_c: float | None = Field(default=None, ge=-90, le=60)
    precip_mm_per_year: float | None = Field(default=None, ge=0, le=15_000)
    wind_speed_10m_mean_m_s: float | None = Field(default=None, ge=0, le=100)
    surface_pressure_mean_hpa: float | None = Field(default=None, ge=300, le=1_100)

    # Computed from the imagery stage's image, no network.
    vegetation_fraction: Fraction | None = None
    water_fraction: Fraction | None = None
    builtup_fraction: Fraction | None = None
    brightness_mean: Fraction | None = None
    edge_density: Fraction | None = None
    dominant_colours: list[HexColour] | None = None
    image_sha256: str | None = None

    rs_description: str = ""
    image_description: str = ""
    # attribute name (or `monthly_YYYY_MM`) -> why it has no value
    absent: dict[str, str] = Field(default_factory=dict)

    sentinel2_provenance: SourceProvenance | None = None
    elevation_provenance: SourceProvenance | None = None
    land_cover_provenance: SourceProvenance | None = None
    lst_provenance: SourceProvenance | None = None
    climate_provenance: SourceProvenance | None = None
    image_provenance: Provenance | None = None

    @model_validator(mode="after")
    def _every_missing_value_is_explained(self) -> AttributesRecord:
        for name in ATTRIBUTE_FIELDS:
            missing = getattr(self, name) is None
            if missing and name not in self.absent:
                raise ValueError(f"{self.qid}: {name} is None but `absent` gives no reason")
            if not missing and name in self.absent:
                raise ValueError(f"{self.qid}: {name} has a value but is also listed as absent")
        return self

    def flat_columns(self) -> dict[str, Any]:
        """Every attribute as one flat column, monthly values as `ndvi_mean_2024_07` etc."""
        flat: dict[str, Any] = {name: getattr(self, name) for name in ATTRIBUTE_FIELDS}
        for suffix in ("ndvi", "ndwi", "ndbi"):
            flat[f"{suffix}_mean_{self.year}"] = flat.pop(f"{suffix}_mean_annual")
        by_month = {m.month: m for m in self.monthly}
        for month_number in range(1, 13):
            month = f"{self.year}-{month_number:02d}"
            entry = by_month.get(month)
            tag = month.replace("-", "_")
            for key in MONTHLY_KEYS:
                flat[f"{key}_{tag}"] = getattr(entry, key) if entry is not None else None
        return flat


def monthly_absent_key(month: str) -> str:
    """The `absent` key for a month the Statistical API could not give (`monthly_2024_03`)."""
    return f"monthly_{month.replace('-', '_')}"
