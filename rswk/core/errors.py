"""Errors a user can act on: each says what was wrong, where, and what to do."""

from __future__ import annotations

import errno
from pathlib import Path

from pydantic import ValidationError


class RSWKError(Exception):
    """An error caused by input or environment, reported to the user without a traceback."""


class ConfigError(RSWKError):
    """A config or country file is missing, unreadable or invalid."""


class DiskFull(RSWKError):
    """The run store (or the HTTP cache) could not be written: no space left, or over quota."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc` says the device is full or the user's quota is spent."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def describe_validation_error(source: str | Path, exc: ValidationError) -> str:
    """Turn a pydantic error into lines like `countries/FR.yaml: quota: must be > 0 (got -3)`."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{where}' (remove it or check its spelling)")
            continue
        if err["type"] == "value_error":
            # Our own validators write the whole message, offending value included.
            lines.append(f"{source}: {where}: {err.get('ctx', {}).get('error', err['msg'])}")
            continue
        message = err["msg"]
        if err["type"] == "greater_than":
            message = f"must be > {err.get('ctx', {}).get('gt')}"
        got = err.get("input")
        got_text = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{source}: {where}: {message}{got_text}")
    return "\n".join(lines)
