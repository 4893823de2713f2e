"""Project config: defaults per profile, TOML overrides, and errors that name the key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rswk.core.config import CONFIG_ENV, load_config
from rswk.core.errors import ConfigError


def test_profiles_have_live_or_sample_defaults(tmp_path: Path) -> None:
    world = load_config("world")
    assert world.sources.mediawiki == "https://{lang}.wikipedia.org/w/api.php"
    assert world.workdir == Path("work/world")
    sample = load_config("sample", workdir=tmp_path)
    assert sample.politeness.timeout_s < world.politeness.timeout_s
    assert sample.http_cache_dir == tmp_path / "http-cache"


def test_toml_overrides_and_resolved_copy(tmp_path: Path) -> None:
    path = tmp_path / "rswk.toml"
    path.write_text('[politeness]\ncontact = "data@example.org"\n')
    config = load_config("world", path=path, workdir=tmp_path / "w")
    assert config.politeness.contact == "data@example.org"
    assert "data@example.org" in config.politeness.full_user_agent
    saved = Path(config.save_resolved())
    assert saved.exists() and "data@example.org" in saved.read_text()


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "rswk.toml"
    path.write_text("[politeness]\nretrys = 3\n")
    with pytest.raises(ConfigError, match=r"rswk.toml: unknown key 'politeness.retrys'"):
        load_config("world", path=path)


def test_bad_value_and_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "rswk.toml"
    path.write_text("[politeness]\nretries = -1\n")
    with pytest.raises(ConfigError, match=r"politeness.retries: .*greater than or equal to 0"):
        load_config("world", path=path)
    path.write_text("[politeness\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config("world", path=path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config("world", path=tmp_path / "missing.toml")


def test_the_file_in_rswk_config_sits_under_the_command_s_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[politeness]\ncontact = "site@example.org"\ntimeout_s = 7\n')
    monkeypatch.setenv(CONFIG_ENV, str(site))
    assert load_config("world").politeness.contact == "site@example.org"
    own = tmp_path / "own.toml"
    own.write_text('[politeness]\ncontact = "me@example.org"\n')
    config = load_config("world", path=own)
    assert (config.politeness.contact, config.politeness.timeout_s) == ("me@example.org", 7)
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"gone.toml: config file not found \(check the \$RSWK"):
        load_config("world")
    site.write_text("[politeness]\nretrys = 3\n")
    monkeypatch.setenv(CONFIG_ENV, str(site))
    with pytest.raises(ConfigError, match=r"site.toml: unknown key 'politeness.retrys'"):
        load_config("world")


def test_with_sources_points_at_a_sample_world() -> None:
    urls = {
        "base": "http://127.0.0.1:1",
        "mediawiki": "http://127.0.0.1:1/wikipedia/{lang}/w/api.php",
    }
    config = load_config("sample").with_sources(urls)
    assert config.sources.mediawiki.startswith("http://127.0.0.1:1/")
    assert config.sources.wikidata == "https://www.wikidata.org/w/api.php"


def test_releases_dir_comes_from_the_option_then_the_config_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rswk.core.config import RELEASES_ENV, resolve_releases_dir

    monkeypatch.delenv(RELEASES_ENV)
    assert resolve_releases_dir(None) == Path("releases")
    monkeypatch.setenv(RELEASES_ENV, str(tmp_path / "env"))
    assert resolve_releases_dir(None) == tmp_path / "env"
    assert resolve_releases_dir(tmp_path / "config") == tmp_path / "config"
    assert resolve_releases_dir(tmp_path / "config", tmp_path / "option") == tmp_path / "option"
