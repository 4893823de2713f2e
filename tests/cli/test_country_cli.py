"""`rswk country add | list | check` against a temporary registry directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rswk.cli.country import app
from rswk.core.borders import CACHE_NAME, CountryBorders
from rswk.core.countries import default_country_file, load_country_file, write_country_file
from rswk.core.country_defaults import default_quota

runner = CliRunner()


def test_add_writes_a_valid_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = runner.invoke(app, ["add", "fr", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    country = load_country_file(tmp_path / "FR.yaml")
    assert country.languages == ("fr", "en") and country.quota == default_quota("FR")

    again = runner.invoke(app, ["add", "FR", "--dir", str(tmp_path), "--quota", "7"])
    assert again.exit_code == 1
    assert "FR.yaml already exists" in again.output and "--force" in again.output
    assert "Traceback" not in again.output

    forced = runner.invoke(app, ["add", "FR", "--dir", str(tmp_path), "--quota", "7", "--force"])
    assert forced.exit_code == 0, forced.output
    assert load_country_file(tmp_path / "FR.yaml").quota == 7


def test_add_rejects_bad_code_and_quota(tmp_path: Path) -> None:
    bad_code = runner.invoke(app, ["add", "ZZ", "--dir", str(tmp_path)])
    assert bad_code.exit_code == 1
    assert "error: 'ZZ' is not an ISO 3166-1 alpha-2 code" in bad_code.output
    bad_quota = runner.invoke(app, ["add", "DE", "--dir", str(tmp_path), "--quota", "-3"])
    assert bad_quota.exit_code == 1 and "--quota: must be > 0 (got -3)" in bad_quota.output
    assert not list(tmp_path.iterdir())


def test_list_shows_table_and_total(tmp_path: Path) -> None:
    for code, quota in (("FR", "30"), ("JP", "12")):
        runner.invoke(app, ["add", code, "--dir", str(tmp_path), "--quota", quota])
    result = runner.invoke(app, ["list", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "France" in result.output and "ja, en" in result.output
    assert "total: 2 countries, quota 42" in result.output
    missing = runner.invoke(app, ["list", "--missing", "--dir", str(tmp_path)])
    assert "DE  Germany" in missing.output and "FR  " not in missing.output


def test_check_one_all_and_broken(tmp_path: Path) -> None:
    runner.invoke(app, ["add", "FR", "--dir", str(tmp_path)])
    ok = runner.invoke(app, ["check", "FR", "--dir", str(tmp_path)])
    assert ok.exit_code == 0 and ok.output.startswith("ok: ")

    (tmp_path / "DE.yaml").write_text("iso2: DE\nlanguages: [de]\nquota: -3\n", encoding="utf-8")
    bad = runner.invoke(app, ["check", "DE", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "DE.yaml: quota: must be > 0 (got -3)" in bad.output
    assert "Traceback" not in bad.output
    every = runner.invoke(app, ["check", "--all", "--dir", str(tmp_path)])
    assert every.exit_code == 1 and "DE.yaml: quota" in every.output

    absent = runner.invoke(app, ["check", "IT", "--dir", str(tmp_path)])
    assert absent.exit_code == 1 and "rswk country add IT" in absent.output
    neither = runner.invoke(app, ["check", "--dir", str(tmp_path)])
    assert neither.exit_code == 2


def test_check_all_on_the_shipped_registry() -> None:
    result = runner.invoke(app, ["check", "--all"])
    assert result.exit_code == 0, result.output
    assert "ok: 232 country files" in result.output and "total quota 14141" in result.output
    # Every shipped file has land of its own in the borders model, so its quota is reachable.
    assert "warning" not in result.output


def _borders_of_only(iso2: str, cache_dir: Path) -> None:
    """A borders model (the cache file rswk.core.borders reads) with `iso2`'s polygon only."""
    frame = CountryBorders.load()._frame
    cache_dir.mkdir()
    frame.loc[[iso2]].to_parquet(cache_dir / CACHE_NAME)


def test_check_all_warns_about_folded_and_landless_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Borders that know France only: Réunion (RE) is drawn inside FR, Germany has no land.
    _borders_of_only("FR", tmp_path / "cache")
    monkeypatch.setenv("RSWK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "countries"
    for iso2, quota in (("FR", 30), ("RE", 20), ("DE", 25)):
        write_country_file(default_country_file(iso2).model_copy(update={"quota": quota}),
                           folder / f"{iso2}.yaml")  # fmt: skip
    result = runner.invoke(app, ["check", "--all", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    landless, folded = warnings  # in ISO code order: DE, RE
    assert f"{folder / 'DE.yaml'}: DE has no land in the borders model" in landless
    assert "its 25 quota places" in landless and "delete DE.yaml" in landless
    assert f"{folder / 'RE.yaml'}: Natural Earth draws RE inside FR's polygon" in folded
    assert "its 20 quota places" in folded and "move the quota to FR.yaml" in folded
    assert "2 warnings, 45 quota places out of reach" in result.output

    # An error still fails the check, warnings or not.
    (folder / "IT.yaml").write_text("iso2: IT\nlanguages: [it]\nquota: 0\n", encoding="utf-8")
    broken = runner.invoke(app, ["check", "--all", "--dir", str(folder)])
    assert broken.exit_code == 1 and "IT.yaml: quota" in broken.output
