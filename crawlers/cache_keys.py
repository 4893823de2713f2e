"""HTTP cache keys that name the source, not the host it was served from.

Scrapy keys its cache by URL. The sample world runs on a new port each time it starts in-process,
so keying by URL would make every rerun a full re-fetch. This fingerprinter replaces the
configured base URL of each source (sparql, wikidata, mediawiki with its `{lang}`) by the
source's name before hashing, so `http://127.0.0.1:41231/wikidata/sparql?query=…` and the same
query on port 38817 share one cache entry. Different worlds therefore need different workdirs
(each workdir has its own cache), which is the default.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from w3lib.url import canonicalize_url

SETTING = "RSWK_SOURCES"


def source_patterns(sources: Mapping[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    """(name, pattern) per source; a `{lang}` in a template matches an edition code."""
    patterns = []
    for name, template in sources.items():
        escaped = re.escape(template).replace(re.escape("{lang}"), "(?P<lang>[a-z][a-z0-9-]*)")
        patterns.append((name, re.compile(f"^{escaped}(?=$|\\?)")))
    return patterns


def logical_url(url: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str:
    """`url` with a configured source base replaced by `<name>` (or `<name:lang>`)."""
    for name, pattern in patterns:
        match = pattern.match(url)
        if match:
            lang = match.groupdict().get("lang")
            label = f"<{name}:{lang}>" if lang else f"<{name}>"
            return label + url[match.end() :]
    return url


class SourceFingerprinter:
    """Scrapy request fingerprinter keyed by (method, source-relative canonical URL, body)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.patterns = source_patterns(sources)
        self._memo: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceFingerprinter:
        return cls(crawler.settings.getdict(SETTING))

    def fingerprint(self, request: Request) -> bytes:
        if request not in self._memo:
            key = {
                "method": request.method,
                "url": logical_url(canonicalize_url(request.url), self.patterns),
                "body": request.body.hex(),
            }
            text = json.dumps(key, sort_keys=True).encode()
            self._memo[request] = hashlib.sha1(text, usedforsecurity=False).digest()
        return self._memo[request]
