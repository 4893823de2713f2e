"""Is the work directory usable? Checked before a run starts anything (even the sample world).

A workdir that is a file, that cannot be created or written, or whose disk has less free space
than `min_free_disk_mb` would otherwise fail midway, with a traceback, after minutes of work.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from rswk.core.errors import RSWKError

_PROBE = ".rswk-write-probe"


class WorkdirError(RSWKError):
    """The work directory cannot hold a run."""


def check_workdir(workdir: Path, min_free_mb: float) -> None:
    """Prove `workdir` usable, with room to spare, without leaving anything behind.

    An existing workdir must take a probe file; a missing one is not created here (a later
    error, such as an unknown --country, must leave no folder): its nearest existing parent must
    take a probe folder, which is what creating the workdir needs. WorkdirError if not.
    """
    workdir = Path(workdir)
    hint = "pass another --workdir"
    existing = next((p for p in (workdir, *workdir.parents) if p.exists()), Path("/"))
    if not existing.is_dir():
        raise WorkdirError(f"--workdir {workdir}: {existing} is a file, not a directory ({hint})")
    try:
        if existing == workdir:
            before = workdir.stat()
            probe = workdir / _PROBE
            probe.write_bytes(b"")
            probe.unlink()
            # The probe came and went: the folder keeps its times, so an unchanged rerun leaves
            # every time stamp of the run store as it was.
            os.utime(workdir, ns=(before.st_atime_ns, before.st_mtime_ns))
        else:
            Path(tempfile.mkdtemp(prefix=_PROBE, dir=existing)).rmdir()
    except OSError as exc:
        why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise WorkdirError(
            f"--workdir {workdir}: cannot write in {existing} ({why}); "
            f"fix its permissions or {hint}"
        ) from None
    free_mb = shutil.disk_usage(existing).free / 1_000_000
    if free_mb < min_free_mb:
        raise WorkdirError(
            f"--workdir {workdir}: {free_mb:,.0f} MB free, fewer than the {min_free_mb:,.0f} MB "
            f"a run needs (free some space, {hint}, or lower min_free_disk_mb in --config)"
        )


def check_run_store_url(url: str) -> None:
    """Prove the run store URL reachable and writable: a probe object put and removed.

    fsspec finds the file system by the URL's scheme (s3fs, gcsfs, ...) and its credentials and
    endpoint in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    `AWS_ENDPOINT_URL`, `GOOGLE_APPLICATION_CREDENTIALS`, ...). A wrong scheme, a missing
    package, missing credentials, a missing bucket or an unreachable endpoint is one
    WorkdirError naming the URL and what to do, before anything starts.
    """
    from rswk.core.store_files import ObjectFiles

    scheme = url.split("://", 1)[0]
    hint = "check the URL, the credentials and endpoint in the environment (AWS_* for s3://)"
    try:
        files = ObjectFiles(url, **_probe_options(scheme))
        files.write(_PROBE, b"")
        files.remove(_PROBE)
    except ImportError as exc:
        raise WorkdirError(
            f"--workdir {url}: no file system for {scheme}:// ({exc}); install the fsspec "
            "package for it (s3fs, gcsfs) or pass a local --workdir"
        ) from None
    except ValueError as exc:
        raise WorkdirError(f"--workdir {url}: {exc} (use s3://, gs:// or file://)") from None
    except Exception as exc:  # noqa: BLE001 - any client error is one line, not a traceback
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise WorkdirError(f"--workdir {url}: cannot write there ({why}); {hint}") from None


def _probe_options(scheme: str) -> dict[str, object]:
    """Client settings for the probe: fail in seconds, not after minutes of retries."""
    if scheme in ("s3", "s3a"):
        config = {"connect_timeout": 5, "read_timeout": 10, "retries": {"max_attempts": 1}}
        return {"config_kwargs": config, "skip_instance_cache": True}
    return {}
