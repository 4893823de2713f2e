"""The project config: profile, base URL of every source, politeness, work and cache dirs.

Defaults live here; a TOML file (`--config FILE`) overrides any of them, with unknown keys an
error that names the key and the file. The `sample` profile takes its base URLs from the sample
world server at run time (`with_sources`) and declares that world's terms, licence and transport
like any source's (`SAMPLE_PROFILE`); `world` uses the live services, with cached answers
expiring after 180 days (`WORLD_PROFILE`). The resolved copy is saved with every run
(`save_resolved`).
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rswk.core.cache_policy import CachePolicy
from rswk.core.errors import ConfigError, describe_validation_error
from rswk.core.index_config import SAMPLE_INDEX, IndexConfig
from rswk.core.scale_config import (
    RayConfig,
    RetryPolicy,
    ShardSizeField,
    SourceLimit,
    default_source_limits,
    merge_source_limits,
    retry_policy,
    sample_source_limits,
    world_source_limits,
)
from rswk.core.store_files import is_url

Profile = Literal["sample", "world"]
RESOLVED_CONFIG = "config.resolved.json"
DEFAULT_CONTACT = "https://github.com/rswk-project/rswk (set politeness.contact to your address)"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sources(_Config):
    """Base URLs of every service. `mediawiki` holds a literal `{lang}` for the edition."""

    mediawiki: str = "https://{lang}.wikipedia.org/w/api.php"
    wikidata: str = "https://www.wikidata.org/w/api.php"
    sparql: str = "https://query.wikidata.org/sparql"
    tiles: str = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
    sentinelhub: str = "https://sh.dataspace.copernicus.eu"
    sentinelhub_token: str = (
        "https://identity.dataspace.copernicus.eu/auth/realms/CDSE/protocol/openid-connect/token"
    )
    climate: str = "https://archive-api.open-meteo.com/v1/archive"
    # Plain http:// for the OAuth token exchange (oauthlib refuses it otherwise). Only for a
    # service without TLS that you trust, such as a local mirror or the sample world.
    allow_insecure_http: bool = False


class Politeness(_Config):
    """How RSWK treats the services it calls (the Wikimedia API etiquette, applied everywhere)."""

    user_agent: str = "RSWK/0.1 (Remote Sensing World Knowledge dataset builder)"
    contact: str = DEFAULT_CONTACT
    requests_per_host: int = Field(default=1, ge=1, le=16)
    maxlag_s: int = Field(default=5, ge=1)
    timeout_s: float = Field(default=30.0, gt=0)
    retries: int = Field(default=5, ge=0, le=20)
    backoff_s: float = Field(default=1.0, ge=0)
    max_backoff_s: float = Field(default=60.0, ge=0)
    batch_size: int = Field(default=50, ge=1, le=50, description="titles/ids per API request")
    # Per-source limits over every worker of a run (tiles, sentinelhub, climate); the Wikimedia
    # APIs keep `requests_per_host` and maxlag. Defaults and why: rswk/core/scale_config.py.
    sources: dict[str, SourceLimit] = Field(default_factory=default_source_limits)

    @field_validator("sources", mode="before")
    @classmethod
    def _sources_over_defaults(cls, value: Any) -> Any:
        # A config naming one source, or one setting of it, keeps the defaults of the rest.
        return merge_source_limits(value)

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} {self.contact}"

    def retry_for(self, source: str | None) -> RetryPolicy:
        """How requests to `source` are retried: its own settings, else these."""
        limit = self.sources.get(source) if source is not None else None
        return retry_policy(limit, self.retries, self.backoff_s, self.max_backoff_s)


class CacheConfig(_Config):
    """How long cached HTTP answers stay valid (every disk cache of a run follows it)."""

    max_age_days: float | None = Field(
        default=None, gt=0, description="re-fetch answers older than this; None: never expire"
    )
    # Tiles are dropped from the HTTP cache once the shard whose images were stitched from them
    # is written: a no-change rerun skips that shard and needs none of them; a `--force` rerun
    # fetches them again. (ESRI's terms restrict bulk storage of its tiles besides.)
    keep_tiles: bool = Field(default=False, description="keep fetched tiles in the HTTP cache")

    @property
    def policy(self) -> CachePolicy:
        return CachePolicy(self.max_age_days)


class AttributesConfig(_Config):
    """What the attributes stage measures around each landmark, and over which period."""

    year: int = Field(default=2024, ge=2017, le=2100, description="Sentinel-2 year (monthly)")
    buffer_m: float = Field(default=500.0, gt=0, le=10_000, description="radius around landmark")
    resolution_m: float = Field(default=20.0, gt=0, le=1_000, description="Statistical API pixel")
    max_cloud_coverage: float = Field(default=1.0, ge=0, le=1, description="scene filter (0-1)")
    climate_start_year: int = Field(default=2014, ge=1940, le=2100)
    climate_end_year: int = Field(default=2023, ge=1940, le=2100)
    # Statistical API data types of the optional collections; "" switches one off (recorded as
    # absent with that reason). Endpoints differ in what they offer, hence configurable.
    elevation_collection: str = "dem"
    land_cover_collection: str = "land-cover"
    lst_collection: str = "lst"
    image_derived: bool = Field(default=True, description="attributes computed from the image")
    # A profile of sentinelhub's own config.toml (kept outside the repo); None reads the
    # credentials from SH_CLIENT_ID / SH_CLIENT_SECRET only.
    sh_profile: str | None = None

    @model_validator(mode="after")
    def _climate_period_in_order(self) -> AttributesConfig:
        if self.climate_start_year > self.climate_end_year:
            raise ValueError(
                f"climate_start_year {self.climate_start_year} is after climate_end_year "
                f"{self.climate_end_year} (swap them)"
            )
        return self


class SentinelImageryConfig(_Config):
    """The Sentinel-2 L2A true-colour image: least cloudy mosaic over a period."""

    period_start: date = date(2024, 6, 1)
    period_end: date = date(2024, 8, 31)
    max_cloud_coverage: float = Field(default=0.3, ge=0, le=1, description="scene filter (0-1)")
    resolution_m: float = Field(default=10.0, gt=0, le=1_000, description="pixel size (metres)")
    # A profile of sentinelhub's own config.toml (kept outside the repo); None reads the
    # credentials from SH_CLIENT_ID / SH_CLIENT_SECRET only.
    sh_profile: str | None = None
    # The endpoint's terms; None: Copernicus Sentinel data terms and attribution.
    attribution: str | None = Field(default=None, description="overrides the attribution")
    licence: str | None = Field(default=None, description="overrides the licence")

    @model_validator(mode="after")
    def _period_in_order(self) -> SentinelImageryConfig:
        if self.period_start > self.period_end:
            raise ValueError(
                f"period_start {self.period_start} is after period_end {self.period_end} "
                "(swap them)"
            )
        return self


class ImageryConfig(_Config):
    """Which imagery provider runs, the image it produces, its terms and its quality checks."""

    provider: str = Field(default="xyz", description="a name in the imagery provider registry")
    size_px: int = Field(default=512, ge=64, le=4096, description="output width and height")
    image_format: Literal["jpeg", "png"] = "jpeg"
    jpeg_quality: int = Field(default=90, ge=1, le=100)
    default_zoom: int = Field(default=17, ge=0, le=23, description="zoom when no footprint")
    min_zoom: int = Field(default=12, ge=0, le=23)
    max_zoom: int = Field(default=19, ge=0, le=23)
    footprint_margin: float = Field(default=1.5, ge=1.0, le=20.0, description="frame / footprint")
    tile_size_px: int = Field(default=256, ge=64, le=1024)
    # Providers whose terms restrict bulk storage (ESRI World Imagery) run only once accepted.
    accept_terms: bool = False
    # Mark the tile source restrictive even when RSWK does not know it to be (a mirror, a proxy).
    restrictive: bool = False
    attribution: str | None = Field(default=None, description="overrides the known attribution")
    licence: str | None = Field(default=None, description="overrides the known licence")
    # The source's "no data" tile to refuse (ESRI's grey "Map data not yet available" image).
    placeholder: Literal["esri"] | None = Field(default=None, description="known no-data tile")
    max_image_pixels: int = Field(default=16_777_216, ge=1, description="decompression-bomb limit")
    blank_stddev: float = Field(default=2.0, ge=0, description="below this an image is blank")
    max_cloud_fraction: float = Field(default=0.9, gt=0, le=1, description="all-cloud threshold")
    workers: int | None = Field(default=None, ge=1, le=64, description="landmarks in flight")
    sentinelhub: SentinelImageryConfig = SentinelImageryConfig()

    @model_validator(mode="after")
    def _zooms_in_order(self) -> ImageryConfig:
        if not self.min_zoom <= self.default_zoom <= self.max_zoom:
            raise ValueError(
                f"zooms must satisfy min_zoom <= default_zoom <= max_zoom (got {self.min_zoom}, "
                f"{self.default_zoom}, {self.max_zoom})"
            )
        return self


class CurationConfig(_Config):
    """How curation joins, deduplicates, checks and splits the landmarks."""

    # train / validation / test shares (normalised to sum 1).
    split_ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)
    grid_cell_km: float = Field(default=10.0, gt=0, le=1_000, description="split block size")
    split_salt: str = Field(default="rswk", min_length=1, description="changing it reshuffles")
    duplicate_radius_m: float = Field(default=100.0, ge=0)
    name_similarity: float = Field(default=0.85, ge=0, le=1, description="near-duplicate names")
    part_of_radius_m: float = Field(default=2_000.0, ge=0)
    near_duplicate_image_bits: int = Field(default=4, ge=0, le=64, description="pHash distance")
    coastal_tolerance_m: float = Field(default=25_000.0, ge=0)
    marine_tolerance_m: float = Field(default=200_000.0, ge=0)
    # discover keeps this share beyond each country's quota (rounded up), so that once later
    # stages have rejected some, curation can still fill the quota (it keeps the best-ranked).
    quota_reserve_share: float = Field(default=0.05, ge=0, le=1, description="kept beyond quota")

    @model_validator(mode="after")
    def _ratios_positive(self) -> CurationConfig:
        if any(r < 0 for r in self.split_ratios) or sum(self.split_ratios) <= 0:
            raise ValueError(f"split_ratios must be >= 0 with a positive sum: {self.split_ratios}")
        return self


class ValidationConfig(_Config):
    """Thresholds of the validation suite that depend on the size of the release."""

    # A full release covers the paper's 175 countries; the sample world has ~30.
    min_countries: int = Field(default=175, ge=0)
    # Split proportions (KL divergence from the configured ratios) are only meaningful over
    # many landmarks; 0.01 allows e.g. 0.77/0.12/0.11 against 0.8/0.1/0.1.
    split_max_kl: float = Field(default=0.01, gt=0)
    min_rows_for_split_check: int = Field(default=1_000, ge=0)
    min_text_chars: int = Field(default=1, ge=0)
    max_text_chars: int = Field(default=200_000, ge=1)


RELEASES_ENV = "RSWK_RELEASES_DIR"
# A TOML file of settings every command applies under its own --config (a site's or a test
# suite's defaults: a cache folder, a smaller encoder), so they need not be repeated each time.
CONFIG_ENV = "RSWK_CONFIG"


def resolve_releases_dir(configured: Path | None, override: Path | None = None) -> Path:
    """Where releases live: `override` (--releases), else the config's `release.releases_dir`,
    else `$RSWK_RELEASES_DIR`, else `releases/` under the current directory."""
    chosen = override or configured or os.environ.get(RELEASES_ENV, "").strip()
    return Path(chosen) if chosen else Path("releases")


class ReleaseConfig(_Config):
    """Where releases are written and where `rswk release --push` publishes them."""

    # None: `releases/` under the current directory (the CLI's --releases overrides both).
    releases_dir: Path | None = None
    repo_id: str | None = Field(default=None, description="Hub dataset repo, e.g. org/rswk")
    # None: huggingface_hub's own default (https://huggingface.co, or $HF_ENDPOINT).
    hub_endpoint: str | None = None
    private: bool = False


class KnowledgeConfig(_Config):
    """Which Wikipedia edition a landmark's text comes from (docs/knowledge-fields.md)."""

    # Editions in order of preference; "local" stands for the country file's `languages`.
    languages: list[str] = Field(default_factory=lambda: ["en", "local"], min_length=1)
    # An edition whose known page size says fewer words than this goes behind the others.
    preferred_min_words: int = Field(default=150, ge=1)
    # Fewer words than this in every edition: the landmark is rejected (article_too_short).
    min_words: int = Field(default=40, ge=1)


def default_local_dir(url: str) -> Path:
    """The local directory of a run whose workdir is `url`: one per URL, in the user's cache."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rswk" / hashlib.sha256(url.encode()).hexdigest()[:16]


class ProjectConfig(_Config):
    """Everything a run needs to know besides the country registry.

    `workdir` may be an fsspec URL (`s3://bucket/run`): the run store then lives there
    (`store_url`), and `workdir` becomes the run's local directory (`cache_dir`, default
    `default_local_dir(url)`) for what must stay on this machine: the HTTP caches.
    """

    profile: Profile = "sample"
    workdir: Path = Path("work/sample")
    cache_dir: Path | None = Field(
        default=None,
        description="HTTP cache; default WORKDIR/http-cache. With a URL workdir: the local "
        "directory (HTTP cache in its http-cache/)",
    )
    # Set from a URL `workdir`; the run store's location (rswk.core.store_files).
    store_url: str | None = None
    sources: Sources = Sources()
    politeness: Politeness = Politeness()
    workers: int = Field(default=2, ge=1, le=64)
    cache: CacheConfig = CacheConfig()
    # Checked before a run starts, so a full disk is one clear line rather than a broken shard.
    min_free_disk_mb: float = Field(default=100.0, ge=0, description="free space the workdir needs")
    attributes: AttributesConfig = AttributesConfig()
    imagery: ImageryConfig = ImageryConfig()
    curation: CurationConfig = CurationConfig()
    validation: ValidationConfig = ValidationConfig()
    release: ReleaseConfig = ReleaseConfig()
    index: IndexConfig = IndexConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    # Where stages run: a name in rswk.core.stage_executors.EXECUTORS ("local", "ray").
    executor: str = "local"
    ray: RayConfig = RayConfig()
    shard_size: int = ShardSizeField
    stage_processes: bool = Field(
        default=True,
        description="run each stage of the local executor in a forked child process, so the "
        "memory a stage used is returned when it ends (Linux; elsewhere stages run in-process)",
    )

    @model_validator(mode="before")
    @classmethod
    def _url_workdir(cls, data: Any) -> Any:
        # A URL workdir holds the run store; local-only files go to a local directory.
        if not isinstance(data, dict) or not is_url(str(data.get("workdir", ""))):
            return data
        url = str(data["workdir"]).rstrip("/")
        local = data.get("cache_dir") or default_local_dir(url)
        return {**data, "store_url": url, "workdir": Path(local), "cache_dir": None}

    @property
    def run_store_location(self) -> str | Path:
        """Where the run store is: the URL of a URL workdir, else the workdir."""
        return self.store_url if self.store_url is not None else self.workdir

    @property
    def http_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.workdir / "http-cache"

    def with_sources(self, urls: dict[str, str]) -> ProjectConfig:
        """A copy pointing at the services in `urls` (keys as in `Sources`; others ignored)."""
        known = {k: v for k, v in urls.items() if k in Sources.model_fields}
        return self.model_copy(update={"sources": self.sources.model_copy(update=known)})

    def save_resolved(self, path: Path | None = None) -> Path | str:
        """Write the resolved config into the run store (JSON), returning where it went.

        Rewritten only when it changed, so an unchanged rerun leaves the run store untouched.
        Holds no secret: storage credentials come from the environment, never the config.
        """
        from rswk.core.runstore import RunStore, write_json_if_changed

        payload = self.model_dump(mode="json")
        if path is not None or self.store_url is None:
            target = path or self.workdir / RESOLVED_CONFIG
            write_json_if_changed(target, payload)
            return target
        store = RunStore(self.store_url)
        store.write_json_if_changed(RESOLVED_CONFIG, payload)
        return store.files.describe(RESOLVED_CONFIG)


# The sample world answers at once and injects slow responses of ~2 s: a short timeout and
# backoff keep runs and tests quick without changing any code path.
SAMPLE_POLITENESS = Politeness(
    timeout_s=1.0,
    backoff_s=0.05,
    max_backoff_s=1.0,
    retries=6,
    sources=sample_source_limits(),
)
SAMPLE_WORLD_ATTRIBUTION = "RSWK sample world (procedurally generated imagery)"
# The sample world's services declare their terms like any source would: public-domain imagery
# that imitates ESRI (its "no data" tile included), plain http on loopback, answers that never
# expire. Product code has no other notion of the sample world.
SAMPLE_PROFILE: dict[str, Any] = {
    "politeness": SAMPLE_POLITENESS.model_dump(),
    "sources": {"allow_insecure_http": True},
    # The sample world's tiles cost nothing to keep, and a forced rerun from the cache then
    # rewrites byte-identical shards (the tiles' Date is the images' retrieval time).
    "cache": {"max_age_days": None, "keep_tiles": True},
    "imagery": {
        "attribution": SAMPLE_WORLD_ATTRIBUTION,
        "licence": "CC0-1.0",
        "placeholder": "esri",
        "sentinelhub": {
            "attribution": f"{SAMPLE_WORLD_ATTRIBUTION}, Sentinel-2-like",
            "licence": "CC0-1.0",
        },
    },
}
# A world run re-fetches answers older than half a year, so a later release sees today's sources.
WORLD_PROFILE: dict[str, Any] = {
    "cache": {"max_age_days": 180.0},
    "politeness": {"sources": {k: v.model_dump() for k, v in world_source_limits().items()}},
}


# The sample world is a few dozen landmarks in ~30 countries: full-release thresholds do not apply.
SAMPLE_VALIDATION = ValidationConfig(min_countries=1)


def load_config(
    profile: Profile = "sample",
    path: Path | None = None,
    workdir: Path | str | None = None,
    cache_dir: Path | None = None,
) -> ProjectConfig:
    """Defaults for `profile`, overridden by the TOML file named by $RSWK_CONFIG (if set), then
    by the one at `path`, then by `workdir` (a folder or an fsspec URL) and `cache_dir`."""
    data: dict[str, Any] = {"profile": profile, "workdir": Path("work") / profile}
    data = _deep_merge(data, SAMPLE_PROFILE if profile == "sample" else WORLD_PROFILE)
    if profile == "sample":
        data["validation"] = SAMPLE_VALIDATION.model_dump()
        data["index"] = SAMPLE_INDEX.model_dump()
    site = os.environ.get(CONFIG_ENV, "").strip()
    if site:
        data = _deep_merge(data, _read_toml(Path(site), f"${CONFIG_ENV}"))
    if path is not None:
        data = _deep_merge(data, _read_toml(path, "--config"))
    if workdir is not None:
        data["workdir"] = workdir
    if cache_dir is not None:
        data["cache_dir"] = cache_dir
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path or site or "config", exc)) from None


def _read_toml(path: Path, named_by: str = "--config") -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (check the {named_by} path)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
