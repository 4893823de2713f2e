"""The country registry: strict validation with clear errors, the shipped files, the generator."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rswk.core.countries import (
    CountryFile,
    CountryRegistry,
    default_country_file,
    load_country_file,
    shipped_countries_dir,
    write_country_file,
)
from rswk.core.country_defaults import (
    MAX_QUOTA,
    MIN_QUOTA,
    SKIPPED_TERRITORIES,
    TARGET_TOTAL,
    default_languages,
    default_quotas,
    folded_territories,
)
from rswk.core.errors import ConfigError
from rswk.core.wikipedia_editions import wikipedia_edition_for

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "generate_country_files.py"


def _write(folder: Path, name: str, lines: dict[str, str]) -> Path:
    """A country file whose keys are given as YAML text, valid apart from what the test breaks."""
    base = {"iso2": name, "languages": "[fr, en]", "quota": "10"}
    body = "".join(f"{key}: {value}\n" for key, value in {**base, **lines}.items())
    path = folder / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_valid_file_round_trips_through_write(tmp_path: Path) -> None:
    country = CountryFile(
        iso2="FR",
        name="France",
        languages=("fr", "en"),
        quota=150,
        pinned=("Q243",),
        excluded=("Q90",),
        extra_classes=("Q1081138",),
    )
    path = write_country_file(country, tmp_path / "FR.yaml")
    assert path.read_text(encoding="utf-8").startswith("# France: ")
    assert load_country_file(path) == country
    assert not list(tmp_path.glob(".*tmp")), "the temp file is renamed into place"


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("FR", {"quota": "-3"}, "FR.yaml: quota: must be > 0 (got -3)"),
        ("XX", {}, "XX.yaml: iso2: 'XX' is not an ISO 3166-1 alpha-2 code (see `rswk country"),
        ("UK", {}, "UK.yaml: iso2: 'UK' is not an ISO 3166-1 alpha-2 code (use 'GB')"),
        ("DE", {"quotas": "4"}, "DE.yaml: unknown key 'quotas' (remove it or check its spelling)"),
        (
            "NO",
            {"languages": "[nb]"},
            "languages: 'nb' is not a Wikipedia edition code; write 'no'",
        ),
        ("IT", {"languages": "[xq]"}, "languages: 'xq' is not a known Wikipedia edition code"),
        ("IT", {"pinned": "[q3]"}, "pinned.0: 'q3' is not a Wikidata item id"),
        ("IT", {"pinned": "[Q1]", "excluded": "[Q1]"}, "excluded: Q1 also pinned"),
        ("IT", {"quota": "1", "pinned": "[Q1, Q2]"}, "pinned: 2 QIDs pinned but quota is 1"),
        ("IT", {"quota": "ten"}, "IT.yaml: quota: "),
    ],
)
def test_bad_values_name_file_key_and_expectation(
    tmp_path: Path, name: str, lines: dict[str, str], expected: str
) -> None:
    path = _write(tmp_path, name, lines)
    with pytest.raises(ConfigError) as caught:
        load_country_file(path)
    assert expected in str(caught.value)


def test_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "IT.yaml"
    path.write_text("iso2: IT\nlanguages: [it\nquota: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"IT.yaml: not valid YAML: line 3, column \d+"):
        load_country_file(path)
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"IT\.yaml: expected a mapping of keys"):
        load_country_file(path)


def test_file_name_must_match_iso2(tmp_path: Path) -> None:
    path = _write(tmp_path, "ES", {"iso2": "PT"})
    with pytest.raises(ConfigError, match=r"ES.yaml: iso2 'PT' does not match the file name"):
        load_country_file(path)


def test_unquoted_no_is_norway_not_false(tmp_path: Path) -> None:
    path = _write(tmp_path, "NO", {"languages": "[no, nn, en]"})
    assert load_country_file(path).languages == ("no", "nn", "en")


def test_registry_reports_every_bad_file_and_unknown_code(tmp_path: Path) -> None:
    _write(tmp_path, "FR", {})
    registry = CountryRegistry.from_dir(tmp_path)
    assert [c.iso2 for c in registry.all()] == ["FR"] and registry.total_quota() == 10
    with pytest.raises(ConfigError, match=r"no country file for 'DE'.*rswk country add DE"):
        registry.get("DE")
    _write(tmp_path, "DE", {"quota": "0"})
    _write(tmp_path, "IT", {"colour": "red"})
    with pytest.raises(ConfigError) as caught:
        CountryRegistry.from_dir(tmp_path)
    assert "DE.yaml: quota" in str(caught.value) and "IT.yaml: unknown key" in str(caught.value)


def test_shipped_registry_is_valid_and_paper_sized() -> None:
    registry = CountryRegistry.from_dir()
    assert registry.directory == shipped_countries_dir()
    assert len(registry) >= 175
    assert registry.total_quota() >= 14_141
    assert not set(SKIPPED_TERRITORIES) & {c.iso2 for c in registry}
    assert not set(folded_territories()) & {c.iso2 for c in registry}
    assert registry.get("FR").languages[0] == "fr"
    assert all("en" in c.languages for c in registry)


def test_default_quotas_are_bounded_and_sum_to_target() -> None:
    quotas = default_quotas()
    assert sum(quotas.values()) == TARGET_TOTAL
    assert all(MIN_QUOTA <= q <= MAX_QUOTA for q in quotas.values())
    assert quotas["CN"] > quotas["FR"] > quotas["IS"]


def test_default_languages_map_cldr_to_wikipedia() -> None:
    assert default_languages("NO") == ("no", "nn", "en")
    assert default_languages("PH") == ("en", "tl")
    assert default_languages("TW")[0] == "zh"
    assert wikipedia_edition_for("gsw") == "als" and wikipedia_edition_for("sr_Latn") == "sr"
    assert wikipedia_edition_for("tvl") is None  # Tuvaluan has no Wikipedia
    assert default_country_file("JP").languages == ("ja", "en")
    with pytest.raises(ConfigError, match="'ZZ' is not an ISO 3166-1"):
        default_country_file("ZZ")


def _run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, check=False
    )


def test_generator_reproduces_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    result = _run_generator("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    shipped = sorted(p.name for p in shipped_countries_dir().glob("*.yaml"))
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == shipped
    _same, mismatch, errors = filecmp.cmpfiles(
        shipped_countries_dir(), tmp_path, shipped, shallow=False
    )
    assert (mismatch, errors) == ([], [])


def test_generator_keeps_curated_keys_and_check_mode(tmp_path: Path) -> None:
    shutil.copytree(shipped_countries_dir(), tmp_path, dirs_exist_ok=True)
    fr = load_country_file(tmp_path / "FR.yaml")
    curated = fr.model_copy(update={"pinned": ("Q243",), "quota": 1, "languages": ("de",)})
    write_country_file(curated, tmp_path / "FR.yaml")
    check = _run_generator("--out", str(tmp_path), "--check")
    assert check.returncode == 1 and "FR.yaml" in check.stdout
    assert _run_generator("--out", str(tmp_path)).returncode == 0
    regenerated = load_country_file(tmp_path / "FR.yaml")
    assert regenerated == fr.model_copy(update={"pinned": ("Q243",)})


def test_territories_natural_earth_folds_into_a_parent_get_no_file(tmp_path: Path) -> None:
    # Natural Earth counts their people and GDP in the parent, Wikidata files their landmarks
    # under it, and the borders model has no polygon for them: their quota is the parent's.
    folded = folded_territories()
    assert folded["RE"] == "FR" and folded["SJ"] == "NO" and folded["TK"] == "NZ"
    assert len(folded) == 10 and not folded.keys() & default_quotas().keys()
    write_country_file(default_country_file("RE"), tmp_path / "RE.yaml")
    check = _run_generator("--out", str(tmp_path), "--check")
    assert check.returncode == 1 and "RE.yaml" in check.stdout
    assert _run_generator("--out", str(tmp_path)).returncode == 0
    assert not (tmp_path / "RE.yaml").exists()
    # A folded file with curated QIDs is not deleted: the generator says where to move them.
    pinned = default_country_file("GP").model_copy(update={"pinned": ("Q17012",)})
    write_country_file(pinned, tmp_path / "GP.yaml")
    refused = _run_generator("--out", str(tmp_path))
    assert refused.returncode == 1 and "move its pinned to FR.yaml" in refused.stderr
    assert (tmp_path / "GP.yaml").exists()
