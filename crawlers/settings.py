"""Scrapy settings for RSWK's API crawlers, built from the project's `Politeness` config.

Every crawler (discover, locate) runs with these settings, so the Wikimedia API etiquette is
applied by construction: a descriptive User-Agent with a contact address, at most
`requests_per_host` requests in flight per host, `maxlag` on every `api.php` call, retries with
backoff that honour Retry-After, timeouts, and a disk cache that makes a rerun send nothing.
"""

from __future__ import annotations

from typing import Any

from crawlers.cache_keys import SETTING as SOURCES_SETTING
from rswk.core.config import ProjectConfig

# Statuses worth retrying; they are also never cached, so a rerun asks again.
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 408, 522, 524]
ETIQUETTE = "crawlers.api_etiquette"
URL_LENGTH_LIMIT = 8000


def scrapy_settings(config: ProjectConfig) -> dict[str, Any]:
    """The Scrapy settings dict for a reactorless crawl under `config`'s politeness and cache."""
    polite = config.politeness
    return {
        # Reactorless: Scrapy runs on the asyncio loop of `asyncio.run`, any number of times in
        # one process (a Twisted reactor cannot be restarted).
        "TWISTED_REACTOR_ENABLED": False,
        "USER_AGENT": polite.full_user_agent,
        # Wikimedia's robots.txt disallows /w/, which would drop every API request; the API
        # etiquette (User-Agent with contact, serial requests, batching, maxlag) applies instead.
        "ROBOTSTXT_OBEY": False,
        # Scrapy 2.19's reactorless downloader does not enforce the per-domain limit: its slot
        # hands every queued request to the aiohttp handler at once, whose per-host pool then
        # queues them with their timeout already running (spurious timeouts under latency).
        # The total limit is enforced, so it is the per-host limit here: requests to different
        # hosts are serial too, which the etiquette allows.
        "CONCURRENT_REQUESTS": polite.requests_per_host,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.requests_per_host,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": polite.timeout_s,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": polite.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str((config.http_cache_dir / "scrapy").resolve()),
        "HTTPCACHE_EXPIRATION_SECS": config.cache.policy.scrapy_expiration_secs,
        "HTTPCACHE_IGNORE_HTTP_CODES": [429, 500, 502, 503, 504],
        "HTTPCACHE_STORAGE": "crawlers.cache_storage.AtomicFilesystemCacheStorage",
        "DOWNLOADER_MIDDLEWARES": {
            # Before everything, so the cache key and the retries carry the parameter.
            f"{ETIQUETTE}.MaxlagParameterMiddleware": 40,
            # Between the cache (900) and the network: bad answers are retried before the
            # cache could store them, and host pauses delay only real requests.
            f"{ETIQUETTE}.ApiEtiquetteMiddleware": 950,
        },
        # Cache keys name the source, not its host: the sample world's port changes per run.
        "REQUEST_FINGERPRINTER_CLASS": "crawlers.cache_keys.SourceFingerprinter",
        SOURCES_SETTING: {
            "sparql": config.sources.sparql,
            "wikidata": config.sources.wikidata,
            "mediawiki": config.sources.mediawiki,
        },
        # Scrapy drops longer URLs silently (2083, an old browser limit); Wikimedia's servers
        # take ~8 KB, and a discovery query over every landmark class is longer than 2083.
        "URLLENGTH_LIMIT": URL_LENGTH_LIMIT,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's remote control opens a local HTTP port per crawl; nothing here uses it.
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "MAXLAG_S": polite.maxlag_s,
        "BACKOFF_S": polite.backoff_s,
        "MAX_BACKOFF_S": polite.max_backoff_s,
    }
