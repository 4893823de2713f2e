"""Sentinel Hub's download client, asking the `sentinelhub` source's slot before each request.

sentinelhub sends each attempt with `requests` inside `SentinelHubDownloadClient._do_download`;
overriding that one method limits every attempt (its own 429 waits included) and leaves answers
read from its data folder unlimited and uncounted. The OAuth token request is not limited.
The one request loop (rswk.core.sentinelhub_requests) builds its client on this class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from requests import Response
from sentinelhub import SentinelHubDownloadClient
from sentinelhub.download.models import DownloadRequest

from rswk.core.scale_config import SourceLimit
from rswk.core.source_limits import configured_limits, source_slot

SOURCE = "sentinelhub"


class LimitedSentinelHubClient(SentinelHubDownloadClient):
    """A `SentinelHubDownloadClient` within the run's `sentinelhub` politeness setting.

    `limits` are the run's per-source settings (`politeness.sources`); None falls back to what
    the executor configured for this process.
    """

    def __init__(self, *, limits: Mapping[str, SourceLimit] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = dict(limits) if limits is not None else configured_limits()

    def _do_download(self, request: DownloadRequest) -> Response:
        with source_slot(SOURCE, self.limits):
            return super()._do_download(request)
