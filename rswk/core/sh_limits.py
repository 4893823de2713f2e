"""Sentinel Hub's download client, asking the `sentinelhub` source's slot before each request.

sentinelhub sends each attempt with `requests` inside `SentinelHubDownloadClient._do_download`;
overriding that one method limits every attempt (its own 429 retries included) and leaves answers
read from its data folder unlimited and uncounted. The OAuth token request is not limited.
"""

from __future__ import annotations

from requests import Response
from sentinelhub import SentinelHubDownloadClient
from sentinelhub.download.models import DownloadRequest

from rswk.core.source_limits import configured_limits, source_slot

SOURCE = "sentinelhub"


class LimitedSentinelHubClient(SentinelHubDownloadClient):
    """A `SentinelHubDownloadClient` within the run's `sentinelhub` politeness setting."""

    def _do_download(self, request: DownloadRequest) -> Response:
        with source_slot(SOURCE, configured_limits()):
            return super()._do_download(request)
