"""Shared fixtures: one tiny-world server per module, and the recorded reference responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rswk.sampleworld.server import SampleWorld
from tests.sampleworld.tiny_world import tiny_world

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"


@pytest.fixture(scope="module")
def server() -> Iterator[SampleWorld]:
    """A tiny world with 60 filler landmarks, no faults."""
    with SampleWorld(tiny_world(filler=60)) as world:
        yield world


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as http:
        yield http


def reference(name: str) -> Any:
    """A recorded live response from ../shared/reference (skips the test when absent)."""
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference responses not available ({path})")
    return json.loads(path.read_text(encoding="utf-8"))


def shape(obj: Any, wild: frozenset[str] = frozenset(), path: str = "") -> set[str]:
    """The recursive key structure of a JSON value: 'a.b[].c:number' paths.

    Dict keys under a path listed in `wild` (page ids, QIDs, language codes) become '*'.
    """
    if isinstance(obj, dict):
        found: set[str] = set()
        for key, value in obj.items():
            child = f"{path}.{'*' if path in wild else key}"
            found.add(child)
            found |= shape(value, wild, child)
        return found
    if isinstance(obj, list):
        return set().union(*(shape(item, wild, f"{path}[]") for item in obj)) if obj else set()
    kind = {bool: "bool", int: "number", float: "number", str: "str"}.get(type(obj), "null")
    return {f"{path}:{kind}"}
