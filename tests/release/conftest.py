"""Shared fixtures: one sample-world run store and one release built from it per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.release.assemble import ReleaseResult, build_release
from tests.release.fixtures import sample_run_store


@pytest.fixture(scope="session", autouse=True)
def _datasets_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`load_dataset` caches what it reads: keep that out of the user's ~/.cache."""
    import datasets.config

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path_factory.mktemp("hf-cache"))
        yield


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validated sample-world run store (built once; copy it before changing it)."""
    workdir = tmp_path_factory.mktemp("release-store") / "work"
    sample_run_store(workdir)
    return workdir


@pytest.fixture(scope="session")
def sample_release(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    """rswk 1.0.0 built from the sample store (read-only for tests)."""
    releases = tmp_path_factory.mktemp("releases")
    return build_release(sample_store, releases)


@pytest.fixture
def workdir(sample_store: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store, free to change."""
    target = tmp_path / "work"
    shutil.copytree(sample_store, target, ignore=shutil.ignore_patterns("http-cache"))
    return target


@pytest.fixture
def release_copy(sample_release: ReleaseResult, tmp_path: Path) -> Path:
    """A private copy of the sample release, free to tamper with."""
    assert sample_release.path is not None
    target = tmp_path / sample_release.path.name
    shutil.copytree(sample_release.path, target)
    return target
