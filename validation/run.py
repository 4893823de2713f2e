"""Run the landmarks suite with Great Expectations (ephemeral context) and record the outcome.

`validate_frame` checks any landmarks table (curated shards, or an import) and writes
`results.json` and offline Data Docs into an output folder; `validate_workdir` does it for a run
store's curated shards and records the `ValidationPass` against their hashes.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rswk.core.config import ProjectConfig
from rswk.core.errors import RSWKError
from rswk.core.records import CuratedLandmark
from rswk.core.runstore import RunStore, atomic_write_json, json_bytes
from rswk.core.validation_pass import PASS_FILE, ValidationPass, curated_fingerprint
from validation.docs import make_site_offline
from validation.suite import LANDMARKS_SUITE, SuiteSpec, build_gx_suite, load_suite

logger = logging.getLogger(__name__)

DOCS_SITE = "rswk"
# Above this many rows results keep a sample of unexpected values, not every one.
COMPLETE_RESULTS_MAX_ROWS = 100_000
EXAMPLES = 20


class ValidationFailed(RSWKError):
    """A blocking expectation failed: the run may not be released."""


@dataclass(frozen=True)
class Outcome:
    """One expectation's result, for the summary table and pass.json."""

    id: str
    type: str
    severity: str
    success: bool
    column: str
    unexpected: int | None
    observed: str
    examples: list[str] = field(default_factory=list)
    # Row positions of the unexpected values (complete results only; empty for table checks).
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """What a validation run found."""

    suite: str
    rows: int
    outcomes: list[Outcome]
    skipped: list[str]

    @property
    def blocking_failed(self) -> list[str]:
        return [o.id for o in self.outcomes if o.severity == "blocking" and not o.success]

    @property
    def warnings(self) -> list[str]:
        return [o.id for o in self.outcomes if o.severity == "warning" and not o.success]

    @property
    def success(self) -> bool:
        return not self.blocking_failed


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _outcome(result: Any) -> Outcome:
    config = result.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or ",".join(kwargs.get("column_list") or []) or "(table)"
    details = result.result or {}
    unexpected = details.get("unexpected_count")
    examples = details.get("unexpected_list") or details.get("partial_unexpected_list") or []
    observed = details.get("observed_value")
    return Outcome(
        id=config.meta.get("id", config.type),
        type=config.type,
        severity=config.meta.get("severity", "blocking"),
        success=bool(result.success),
        column=column,
        unexpected=None if unexpected is None else int(unexpected),
        observed="" if observed is None else _short(observed),
        examples=[_short(e) for e in list(examples)[:EXAMPLES]],
        rows=[int(i) for i in details.get("unexpected_index_list") or [] if isinstance(i, int)],
    )


def validate_frame(
    frame: Any,
    config: ProjectConfig,
    out_dir: Path | None = None,
    *,
    suite_path: Path = LANDMARKS_SUITE,
    spec: SuiteSpec | None = None,
) -> Report:
    """Check `frame` against the suite; with `out_dir`, write results.json and data_docs/."""
    import great_expectations as gx

    spec = spec or load_suite(config, suite_path)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")  # first: suites bind to the current context
    # GX draws a progress bar per metric batch on stderr; the summary table says it all.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite, skipped = build_gx_suite(spec, len(frame))
    actions: list[Any] = []
    if out_dir is not None:
        docs = out_dir / "data_docs"
        shutil.rmtree(docs, ignore_errors=True)  # a page per run, not every run's pages
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=[DOCS_SITE]))
    batch = (
        context.data_sources.add_pandas("rswk")
        .add_dataframe_asset("landmarks")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=spec.gx_name, data=batch, suite=suite)
    )
    result_format = "COMPLETE" if len(frame) <= COMPLETE_RESULTS_MAX_ROWS else "SUMMARY"
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="rswk-validate",
            validation_definitions=[definition],
            actions=actions,
            result_format={"result_format": result_format, "partial_unexpected_count": EXAMPLES},
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    (validation_result,) = run.run_results.values()
    report = Report(
        suite=spec.versioned_name,
        rows=len(frame),
        outcomes=[_outcome(r) for r in validation_result.results],
        skipped=skipped,
    )
    if out_dir is not None:
        make_site_offline(out_dir / "data_docs")
        atomic_write_json(
            out_dir / "results.json",
            {
                "suite": report.suite,
                "rows": report.rows,
                "success": report.success,
                "blocking_failed": report.blocking_failed,
                "warnings": report.warnings,
                "skipped": report.skipped,
                "outcomes": [asdict(o) for o in report.outcomes],
                "great_expectations": validation_result.describe_dict(),
            },
        )
    return report


# Flat rows gathered before they become one typed frame: few frames (a frame costs ~30 KB of
# its own), few dicts alive at once.
FRAME_ROWS = 4096


def curated_frame(store: RunStore) -> Any:
    """The landmarks table of every curated shard of the run store.

    Built a row group at a time: each group's records (images included, for their licence and
    attribution) become flat rows at once, so memory holds one group's images, not a shard's
    (a country of 2,124 landmarks: 714 -> 447 MB at peak) nor the run's.
    The flat rows (~4 KB each as dicts) become typed frames every `FRAME_ROWS` rows, so the
    run's table is held as typed columns, not as dicts (57 MB of them at 14,141 landmarks).
    """
    import pandas as pd

    from validation.table import LANDMARK_COLUMNS, coerce_types, landmark_row

    stage = store.stage("curate")
    shards = stage.done_shards()
    if not shards:
        raise RSWKError(f"{store}: no curated shards (run `rswk curate` first)")
    frames: list[Any] = []
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        frame = pd.DataFrame(rows, columns=list(LANDMARK_COLUMNS))
        frames.append(coerce_types(frame, categories=False))
        rows.clear()

    for shard in shards:
        for records in stage.iter_shard(shard, CuratedLandmark):
            rows.extend(landmark_row(record) for record in records)
        if len(rows) >= FRAME_ROWS:
            flush()
    if rows or not frames:
        flush()
    return coerce_types(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


def validate_workdir(config: ProjectConfig) -> tuple[Report, ValidationPass, Any]:
    """Validate the run's curated shards; write results, Data Docs and pass.json.

    Returns the report, the recorded pass and the landmarks table that was checked.
    """
    store = RunStore(config.run_store_location)
    fingerprint = curated_fingerprint(store)
    frame = curated_frame(store)
    # Data Docs are a folder of files great_expectations writes to a local path: built in the
    # run's local directory, then copied into the run store when it is elsewhere (a URL).
    local = config.workdir / "validate"
    report = validate_frame(frame, config, local)
    store.upload_folder(local, "validate", last="pass.json")
    recorded = ValidationPass(
        success=report.success,
        suite_version=report.suite,
        curated=fingerprint,
        blocking_failed=report.blocking_failed,
        warnings=report.warnings,
    )
    # The pass comes last: the release trusts results and Data Docs only once it exists.
    store.files.write(PASS_FILE, json_bytes(recorded.model_dump(mode="json")))
    logger.info(
        "validate: %s on %d rows (%d blocking failed, %d warnings)",
        "passed" if report.success else "FAILED",
        report.rows,
        len(report.blocking_failed),
        len(report.warnings),
    )
    return report, recorded, frame


def summary_table(report: Report) -> Any:
    """A rich table: one line per expectation, failures first."""
    from rich.table import Table

    table = Table(title=f"validation {report.suite}: {report.rows} rows")
    for name in ("expectation", "column", "severity", "result", "unexpected", "examples"):
        table.add_column(name)
    ordered = sorted(report.outcomes, key=lambda o: (o.success, o.severity != "blocking", o.id))
    for o in ordered:
        verdict = (
            "[green]pass[/]"
            if o.success
            else ("[red]FAIL[/]" if o.severity == "blocking" else "[yellow]warn[/]")
        )
        table.add_row(
            o.id,
            o.column,
            o.severity,
            verdict,
            "" if o.unexpected is None else str(o.unexpected),
            ", ".join(o.examples[:3]) or o.observed,
        )
    for skipped in report.skipped:
        table.add_row(skipped, "", "", "skipped (table too small)", "", "")
    return table
