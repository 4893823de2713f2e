"""The country registry: one `crawlers/countries/<ISO2>.yaml` file per country.

A file says which Wikipedia editions to read (most preferred first), how many landmarks to list
(`quota`), which Wikidata items to always or never list, and extra Wikidata classes to query.
Every file is validated strictly; an error names the file, the key and what is expected.
The key reference is docs/countries.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from rswk.core.country_defaults import (
    DEFAULT_CLASS_MAX_SHARE,
    country_name,
    default_class_minimum,
    default_languages,
    default_quota,
)
from rswk.core.errors import ConfigError, describe_validation_error
from rswk.core.runstore import atomic_write_bytes
from rswk.core.wikipedia_editions import WIKIPEDIA_EDITIONS, describe_unknown_edition

QID_PATTERN = r"^Q[1-9][0-9]*$"


def _check_qid(value: str) -> str:
    if not re.fullmatch(QID_PATTERN, value):
        raise ValueError(f"'{value}' is not a Wikidata item id (expected Q and digits, e.g. Q243)")
    return value


Qid = Annotated[str, AfterValidator(_check_qid)]

# Key order of a written file; it is also the order of CountryFile's fields.
KEY_ORDER = (
    "iso2",
    "name",
    "languages",
    "quota",
    "pinned",
    "excluded",
    "extra_classes",
    "class_minimum",
    "class_max_share",
)
# Keys written only when they differ from their default (most files never set them).
OPTIONAL_KEYS = ("class_minimum", "class_max_share")

# Codes people often write for a country that ISO 3166-1 spells differently.
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR", "XK": None}


class CountryFile(BaseModel):
    """One validated country file. Lists are tuples so the model stays hashable and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iso2: str
    name: str = ""  # informational only; the crawler never reads it
    languages: tuple[str, ...] = Field(min_length=1)
    quota: int = Field(gt=0, strict=True)
    pinned: tuple[Qid, ...] = ()
    excluded: tuple[Qid, ...] = ()
    extra_classes: tuple[Qid, ...] = ()
    # How the quota is spread over RSWK's 16 classes, so a country's list is not all churches:
    # at least `class_minimum` landmarks of every class that has candidates, and no class more
    # than `class_max_share` of the quota while other classes still have candidates.
    class_minimum: int = Field(default=0, ge=0, strict=True)
    class_max_share: float = Field(default=1.0, gt=0.0, le=1.0)

    @field_validator("iso2")
    @classmethod
    def _iso2_is_iso_3166(cls, value: str) -> str:
        check_iso2(value)
        return value

    @field_validator("languages")
    @classmethod
    def _languages_are_editions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if code not in WIKIPEDIA_EDITIONS:
                raise ValueError(describe_unknown_edition(code))
        _reject_duplicates(value)
        return value

    @field_validator("pinned")
    @classmethod
    def _pinned_fit_quota(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        _reject_duplicates(value)
        quota = info.data.get("quota")
        if quota is not None and len(value) > quota:
            raise ValueError(f"{len(value)} QIDs pinned but quota is {quota}; raise the quota")
        return value

    @field_validator("excluded")
    @classmethod
    def _excluded_not_pinned(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        _reject_duplicates(value)
        both = sorted(set(value) & set(info.data.get("pinned", ())))
        if both:
            raise ValueError(
                f"{', '.join(both)} also pinned (a QID is pinned or excluded, not both)"
            )
        return value

    @field_validator("extra_classes")
    @classmethod
    def _classes_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _reject_duplicates(value)
        return value


def _reject_duplicates(values: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.add(value)


def check_iso2(code: str) -> str:
    """Return `code` if it is an ISO 3166-1 alpha-2 code; raise ValueError saying why not."""
    import pycountry

    if code in _COMMON_MISTAKES:
        instead = _COMMON_MISTAKES[code]
        hint = f"use '{instead}'" if instead else "ISO 3166-1 has no code for it yet"
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 code ({hint})")
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"'{code}' must be two upper-case letters, e.g. 'FR'")
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 code (see `rswk country list`)")
    return code


# libyaml's parser when PyYAML was built with it: loading ~240 files is 10x faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader reading only true/false as booleans (as YAML 1.2 does), so `NO` stays Norway."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it (shorter error messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_mapping(path: Path) -> dict[str, Any]:
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot be read ({exc})") from None
    try:
        data = yaml.load(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"{where}: not valid YAML: {at}{exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(
            f"{where}: expected a mapping of keys ({', '.join(KEY_ORDER)}), but the file is {kind}"
        )
    return data


def load_country_file(path: str | Path) -> CountryFile:
    """Read and validate one country file; raise ConfigError naming the file, key and problem."""
    path = Path(path)
    data = _read_mapping(path)
    try:
        country = CountryFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(display_path(path), exc)) from None
    if path.stem != country.iso2:
        raise ConfigError(
            f"{display_path(path)}: iso2 '{country.iso2}' does not match the file name "
            f"(rename the file to {country.iso2}.yaml or set iso2: {path.stem})"
        )
    return country


def shipped_countries_dir() -> Path:
    """The registry shipped with the project: the `countries` folder of the crawlers package."""
    return Path(str(files("crawlers").joinpath("countries")))


class CountryRegistry:
    """All country files of one directory, validated, by ISO2 code."""

    def __init__(self, directory: Path, countries: dict[str, CountryFile]) -> None:
        self.directory = directory
        self._countries = dict(sorted(countries.items()))

    @classmethod
    def from_dir(cls, path: str | Path | None = None) -> CountryRegistry:
        """Load every `*.yaml` of `path` (default: the shipped registry); report all bad files."""
        directory = Path(path) if path is not None else shipped_countries_dir()
        if not directory.is_dir():
            raise ConfigError(f"{display_path(directory)}: no such country directory")
        countries: dict[str, CountryFile] = {}
        problems: list[str] = []
        for file in sorted(directory.glob("*.yaml")):
            try:
                country = load_country_file(file)
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            countries[country.iso2] = country
        if problems:
            raise ConfigError("\n".join(problems))
        return cls(directory, countries)

    def get(self, iso2: str) -> CountryFile:
        """The country file for `iso2`; ConfigError naming the code and how to add it."""
        if iso2 in self._countries:
            return self._countries[iso2]
        where = display_path(self.directory)
        raise ConfigError(
            f"no country file for '{iso2}' in {where} (add one with `rswk country add {iso2}`)"
        )

    def all(self) -> list[CountryFile]:
        """Every country file, sorted by ISO2 code."""
        return list(self._countries.values())

    def total_quota(self) -> int:
        """The number of landmarks the registry asks for in all."""
        return sum(country.quota for country in self._countries.values())

    def __len__(self) -> int:
        return len(self._countries)

    def __iter__(self) -> Iterator[CountryFile]:
        return iter(self.all())

    def __contains__(self, iso2: object) -> bool:
        return iso2 in self._countries


def default_country_file(iso2: str) -> CountryFile:
    """A country file built from pycountry (name), CLDR via babel (languages), and the quota and
    class-spread defaults in rswk.core.country_defaults. ConfigError if `iso2` is not ISO 3166-1."""
    try:
        check_iso2(iso2)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    quota = default_quota(iso2)
    return CountryFile(
        iso2=iso2,
        name=country_name(iso2),
        languages=default_languages(iso2),
        quota=quota,
        class_minimum=default_class_minimum(quota),
        class_max_share=DEFAULT_CLASS_MAX_SHARE,
    )


def render_country_file(country: CountryFile) -> str:
    """The YAML text of a country file: a header comment, then keys in KEY_ORDER."""
    header = (
        f"# {country.name or country.iso2}: RSWK country registry entry (docs/countries.md).\n"
        "# languages: Wikipedia editions, most preferred first. quota: landmarks to list.\n"
        "# pinned / excluded: Wikidata QIDs always / never listed. extra_classes: more P31 QIDs.\n"
    )
    defaults = CountryFile.model_fields
    data = {
        key: _plain(getattr(country, key))
        for key in KEY_ORDER
        if key not in OPTIONAL_KEYS or getattr(country, key) != defaults[key].default
    }
    body = yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )
    return header + body


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def write_country_file(country: CountryFile, path: str | Path) -> Path:
    """Write `country` to `path` atomically (temp file + rename); return the path."""
    path = Path(path)
    atomic_write_bytes(path, render_country_file(country).encode("utf-8"))
    return path
