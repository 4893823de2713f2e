"""Sentinel Hub access for the imagery stage: the shared credentials and collection helpers.

See `rswk.core.sentinelhub_access`: credentials only from the environment or a sentinelhub
profile, never in the config, the workdir or a log line; collections bound to the configured
endpoint.
"""

from __future__ import annotations

from sentinelhub import DataCollection, SHConfig

from rswk.core.config import ProjectConfig
from rswk.core.sentinelhub_access import bound_collection
from rswk.core.sentinelhub_access import sh_config as shared_sh_config


def sh_config(config: ProjectConfig) -> SHConfig:
    """The sentinelhub config for imagery (profile from `imagery.sentinelhub.sh_profile`)."""
    profile = config.imagery.sentinelhub.sh_profile
    return shared_sh_config(config, profile, "imagery.sentinelhub.sh_profile")


def sentinel2_l2a(service_url: str) -> DataCollection:
    """Sentinel-2 L2A bound to `service_url` (the same definition the attributes stage uses)."""
    return bound_collection(DataCollection.SENTINEL2_L2A.api_id, service_url)
