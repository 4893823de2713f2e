"""Sentinel Hub access knows no sample world: plain http is allowed only where the config says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rswk.core.config import load_config
from rswk.core.sentinelhub_access import sh_config

LOCAL = {"sentinelhub": "http://127.0.0.1:9/sh", "sentinelhub_token": "http://127.0.0.1:9/token"}


def test_plain_http_tokens_need_the_config_not_a_loopback_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # setenv first, so the teardown also removes what sh_config sets below.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "0")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")
    monkeypatch.setenv("SH_CLIENT_ID", "id")
    monkeypatch.setenv("SH_CLIENT_SECRET", "secret")
    world = load_config("world", workdir=tmp_path).with_sources(LOCAL)
    assert world.sources.allow_insecure_http is False
    config = sh_config(world, None, "attributes.sh_profile")
    assert config.sh_base_url == "http://127.0.0.1:9/sh"
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ  # loopback is nothing special
    sample = load_config("sample", workdir=tmp_path).with_sources(LOCAL)
    assert sample.sources.allow_insecure_http is True  # declared by the sample profile
    sh_config(sample, None, "attributes.sh_profile")
    assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"


def test_one_retry_loop_sentinelhub_does_not_retry_on_its_own(tmp_path: Path) -> None:
    config = load_config("sample", workdir=tmp_path)
    sh = sh_config(config, None, "attributes.sh_profile")
    assert sh.max_download_attempts == 1
    assert sh.max_retries == config.politeness.retries + 1
