"""Load a sample world: the bundled one (data files inside the package) or a generated one."""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import ValidationError

from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.world import World

if TYPE_CHECKING:
    from rswk.sampleworld.quota_placement import CountryDemand

BUNDLED_RESOURCE = "data/bundled_world.yaml"
# The bundled landmarks' ground-truth corrections (site_design.py), kept apart from the articles.
BUNDLED_TRUTH_RESOURCE = "data/bundled_truth.yaml"
WorldKind = Literal["bundled", "generated"]


def load_world(
    kind: WorldKind,
    landmarks: int = 2000,
    seed: int = 0,
    quotas: Mapping[str, CountryDemand] | None = None,
) -> World:
    """The bundled world (`landmarks`, `seed` and `quotas` ignored) or a generated one of that
    size, spread by area or, with `quotas`, shaped by them (generated.py).

    Both are cached per process: a World is immutable, so callers may share it.
    """
    if kind == "bundled":
        return _bundled()
    if kind == "generated":
        return _generated(landmarks, seed, tuple(sorted(quotas.items())) if quotas else None)
    raise SampleWorldError(f"unknown sample world '{kind}': use 'bundled' or 'generated'")


def _read_yaml(resource_name: str) -> Any:
    resource = importlib.resources.files("rswk.sampleworld").joinpath(resource_name)
    where = f"rswk/sampleworld/{resource_name}"
    if not resource.is_file():
        raise SampleWorldError(
            f"{where} is missing: the bundled sample world ships with the package; reinstall "
            f"rswk, or use the generated world (--world generated)"
        )
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SampleWorldError(f"{where}: not valid YAML ({exc})") from None


@lru_cache(maxsize=1)
def _bundled() -> World:
    data = _read_yaml(BUNDLED_RESOURCE)
    truth = _read_yaml(BUNDLED_TRUTH_RESOURCE)
    if isinstance(data, dict) and isinstance(truth, dict):
        data = {**data, "truth_overrides": truth.get("landmarks") or {}}
    try:
        world = World.model_validate(data)
    except ValidationError as exc:
        raise SampleWorldError(_describe(exc)) from None
    unknown = sorted(set(world.truth_overrides) - {lm.qid for lm in world.landmarks})
    if unknown:
        raise SampleWorldError(
            f"rswk/sampleworld/{BUNDLED_TRUTH_RESOURCE}: no landmark {', '.join(unknown)} in "
            f"{BUNDLED_RESOURCE}; remove the entry or fix its QID"
        )
    return world


def _describe(exc: ValidationError) -> str:
    """`file: where: message (got value)` lines, naming the file each part of the world is in."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        source = BUNDLED_TRUTH_RESOURCE if where.startswith("truth_overrides") else BUNDLED_RESOURCE
        got = err.get("input")
        got_text = "" if isinstance(got, dict | list) else f" (got {got!r})"
        lines.append(f"rswk/sampleworld/{source}: {where}: {err['msg']}{got_text}")
    return "\n".join(lines)


@lru_cache(maxsize=4)
def _generated(
    landmarks: int, seed: int, quotas: tuple[tuple[str, CountryDemand], ...] | None
) -> World:
    # Imported here: generation pulls in geopandas, which the bundled world does not need.
    from rswk.sampleworld.generated import generate_world

    return generate_world(landmarks, seed, quotas=dict(quotas) if quotas is not None else None)
