"""A Scrapy HTTP cache storage that a kill cannot leave half-written.

Scrapy's `FilesystemCacheStorage` writes an entry's files one after the other, metadata first,
so a SIGKILL between them leaves an entry that reads back with an empty or cut-short body. This
storage writes the same files into a temporary folder and renames it into place: an entry is
either absent or whole, which is what makes "kill, rerun, identical output" hold.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from time import time

from scrapy import Request, Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.utils.python import to_bytes
from w3lib.http import headers_dict_to_raw


def _raw_headers(headers: Headers) -> bytes:
    return headers_dict_to_raw(headers) or b""


class AtomicFilesystemCacheStorage(FilesystemCacheStorage):
    """`FilesystemCacheStorage` (same layout, same reader) with atomic, whole-entry writes."""

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Write the entry to a temp folder beside its final path, then rename it into place."""
        final = Path(self._get_request_path(spider, request))
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        metadata = {
            "url": request.url,
            "method": request.method,
            "status": response.status,
            "response_url": response.url,
            "timestamp": time(),
        }
        extra = {
            key: value
            for key, value in response.to_dict().items()
            if key not in {"url", "status", "headers", "body"}
        }
        files = {
            "meta": to_bytes(repr(metadata)),
            "pickled_meta": pickle.dumps(metadata, protocol=4),
            "response_headers": _raw_headers(response.headers),
            "response_body": response.body,
            "response_data": pickle.dumps(extra, protocol=4),
            "request_headers": _raw_headers(request.headers),
            "request_body": request.body,
        }
        for name, data in files.items():
            with self._open(tmp / name, "wb") as handle:
                handle.write(data)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
