"""Load a sample world: the bundled one (a data file inside the package) or a generated one."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from typing import Literal

import yaml
from pydantic import ValidationError

from rswk.core.errors import ConfigError, RSWKError, describe_validation_error
from rswk.sampleworld.world import World

BUNDLED_RESOURCE = "data/bundled_world.yaml"
WorldKind = Literal["bundled", "generated"]


def load_world(kind: WorldKind, landmarks: int = 2000, seed: int = 0) -> World:
    """The bundled world (`landmarks` and `seed` ignored) or a generated one of that size.

    Both are cached per process: a World is immutable, so callers may share it.
    """
    if kind == "bundled":
        return _bundled()
    if kind == "generated":
        return _generated(landmarks, seed)
    raise RSWKError(f"unknown sample world '{kind}': use 'bundled' or 'generated'")


@lru_cache(maxsize=1)
def _bundled() -> World:
    resource = importlib.resources.files("rswk.sampleworld").joinpath(BUNDLED_RESOURCE)
    where = f"rswk/sampleworld/{BUNDLED_RESOURCE}"
    if not resource.is_file():
        raise ConfigError(
            f"{where} is missing: the bundled sample world ships with the package; reinstall "
            f"rswk, or use the generated world (--world generated)"
        )
    try:
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc})") from None
    try:
        return World.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(where, exc)) from None


@lru_cache(maxsize=4)
def _generated(landmarks: int, seed: int) -> World:
    # Imported here: generation pulls in geopandas, which the bundled world does not need.
    from rswk.sampleworld.generated import generate_world

    return generate_world(landmarks, seed)
