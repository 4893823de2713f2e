"""Where sentinelhub saves an answer: a file name that names the source, not host:port.

The sample world starts on a new port each time it runs in-process, so a cache keyed by the full
URL would make every rerun a full re-fetch. `rswk.core.http.source_relative` replaces the
configured base URL by the source's name before hashing (the polite transport's disk cache does
the same for the climate API).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rswk.core.http import source_relative


def sentinelhub_filename(url: str, payload: Any, sources: Mapping[str, str]) -> str:
    """Where sentinelhub saves the answer to `payload` at `url`, relative to its data folder."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"POST {source_relative(url, sources)} {text}".encode()).hexdigest()
    return str(Path(digest[:2]) / digest / "response.json")
