"""A workdir that cannot hold a run is one clear error before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rswk.core.workdir import WorkdirError, check_workdir

# As root, permission bits do not stop writes; sysfs refuses new entries even to root.
UNWRITABLE_AS_ROOT = Path("/sys/kernel")


def unwritable_dir(tmp_path: Path) -> Path:
    """An existing directory this process cannot write in."""
    if os.geteuid() == 0:
        if not UNWRITABLE_AS_ROOT.is_dir():
            pytest.skip("running as root without a read-only filesystem to test against")
        return UNWRITABLE_AS_ROOT
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_a_missing_workdir_is_fine_and_is_not_created(tmp_path: Path) -> None:
    check_workdir(tmp_path / "new" / "run", min_free_mb=0)
    assert not (tmp_path / "new").exists()
    assert list(tmp_path.iterdir()) == []


def test_an_existing_workdir_keeps_its_time_stamp(tmp_path: Path) -> None:
    before = tmp_path.stat().st_mtime_ns
    check_workdir(tmp_path, min_free_mb=0)
    assert tmp_path.stat().st_mtime_ns == before and list(tmp_path.iterdir()) == []


def test_a_file_as_workdir_or_parent_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "run.txt"
    file.write_text("not a folder")
    with pytest.raises(WorkdirError, match="is a file, not a directory"):
        check_workdir(file, min_free_mb=0)
    with pytest.raises(WorkdirError, match=r"run\.txt is a file"):
        check_workdir(file / "below", min_free_mb=0)


def test_an_unwritable_workdir_or_parent_is_refused(tmp_path: Path) -> None:
    folder = unwritable_dir(tmp_path)
    with pytest.raises(WorkdirError, match="cannot write in"):
        check_workdir(folder, min_free_mb=0)
    with pytest.raises(WorkdirError, match="cannot write in"):
        check_workdir(folder / "rswk-run", min_free_mb=0)


def test_too_little_free_space_is_refused_with_the_numbers(tmp_path: Path) -> None:
    with pytest.raises(WorkdirError, match=r"MB free, fewer than the 1,000,000,000,000 MB"):
        check_workdir(tmp_path, min_free_mb=1e12)
