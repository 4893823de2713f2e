from __future__ import annotations

from pathlib import Path

import pytest

from tests.curation.sample_run import sample_run


@pytest.fixture(scope="session")
def sample_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_run(tmp_path_factory.getbasetemp())
