"""The versioned expectation suites in validation/suites/, made concrete for one run's profile.

A suite file lists expectations by GX type with their kwargs, an `id`, and a `severity`
("blocking": the release is refused when it fails; "warning": reported only). Values written
`{"$config": key}` come from the run's config (`suite_context`), so a threshold that only makes
sense for a full release (>= 175 countries) is set per profile, not edited in the suite. An
expectation with `_min_rows` only runs on tables at least that long (it is reported as skipped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES
from rswk.core.records.landmark import SPLITS

SUITES_DIR = Path(__file__).parent / "suites"
LANDMARKS_SUITE = SUITES_DIR / "landmarks.json"
Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite file, with its config references resolved."""

    id: str
    type: str
    severity: Severity
    kwargs: dict[str, Any]
    min_rows: int = 0


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    version: str
    expectations: tuple[ExpectationSpec, ...]

    @property
    def versioned_name(self) -> str:
        """`landmarks-1.0.0`: what pass.json records."""
        return f"{self.name}-{self.version}"

    @property
    def gx_name(self) -> str:
        """`landmarks-v1_0_0`: GX turns dots in a suite name into folders of the Data Docs."""
        return f"{self.name}-v{self.version.replace('.', '_')}"


def suite_context(config: ProjectConfig) -> dict[str, Any]:
    """The values `{"$config": key}` may name, from the run's config."""
    from validation.table import LANDMARK_COLUMNS

    ratios = config.curation.split_ratios
    total = sum(ratios)
    return {
        "columns": list(LANDMARK_COLUMNS),
        "classes": [*RSWK_CLASSES, OTHER_CLASS],
        "min_countries": config.validation.min_countries,
        "min_text_chars": config.validation.min_text_chars,
        "max_text_chars": config.validation.max_text_chars,
        "split_partition": {"values": list(SPLITS), "weights": [r / total for r in ratios]},
        "split_max_kl": config.validation.split_max_kl,
        "min_rows_for_split_check": config.validation.min_rows_for_split_check,
    }


def _resolve(value: Any, context: dict[str, Any], where: str) -> Any:
    if isinstance(value, dict) and set(value) == {"$config"}:
        key = value["$config"]
        if key not in context:
            raise RSWKError(f"{where}: unknown config value {key!r} (known: {', '.join(context)})")
        return context[key]
    if isinstance(value, dict):
        return {k: _resolve(v, context, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, context, where) for v in value]
    return value


def load_suite(config: ProjectConfig, path: Path = LANDMARKS_SUITE) -> SuiteSpec:
    """The suite file at `path`, resolved for `config`."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise RSWKError(f"{path}: cannot read the expectation suite ({exc})") from None
    context = suite_context(config)
    specs = []
    for item in raw["expectations"]:
        where = f"{path.name}: expectation {item.get('id')!r}"
        if item.get("severity") not in ("blocking", "warning"):
            raise RSWKError(f"{where}: severity must be 'blocking' or 'warning'")
        kwargs = _resolve(dict(item["kwargs"]), context, where)
        min_rows = int(kwargs.pop("_min_rows", 0))
        specs.append(ExpectationSpec(item["id"], item["type"], item["severity"], kwargs, min_rows))
    ids = [s.id for s in specs]
    if len(ids) != len(set(ids)):
        raise RSWKError(f"{path}: expectation ids must be unique")
    return SuiteSpec(raw["name"], raw["version"], tuple(specs))


def build_gx_suite(spec: SuiteSpec, rows: int) -> tuple[Any, list[str]]:
    """A GX ExpectationSuite of the expectations that apply to `rows` rows, and those skipped."""
    import great_expectations as gx
    from great_expectations.expectations.registry import get_expectation_impl

    import validation.expectations  # noqa: F401 - registers the custom expectations

    suite = gx.ExpectationSuite(name=spec.gx_name)
    skipped = []
    for item in spec.expectations:
        if rows < item.min_rows:
            skipped.append(item.id)
            continue
        cls = get_expectation_impl(item.type)
        meta = {"id": item.id, "severity": item.severity}
        suite.add_expectation(cls(**item.kwargs, meta=meta))
    return suite, skipped
