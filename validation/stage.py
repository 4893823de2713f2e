"""The validate stage: the suite over every curated shard at once, a pass recorded against them.

Validation is run-wide (unique QIDs, country counts, split leakage span countries), so
`process_many` validates once and then hands each requested shard its findings: one record per
landmark and failed expectation. A blocking failure stops the pipeline (`ValidationFailed`,
after results, Data Docs and pass.json are written) and marks no shard done, so the next run
validates again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from rswk.core.config import ProjectConfig
from rswk.core.countries import CountryRegistry
from rswk.core.executor import LocalExecutor
from rswk.core.records.base import KeyedRecord
from rswk.core.runstore import RunStore, ShardResult
from rswk.core.stage import Stage
from validation.run import Report, ValidationFailed, validate_workdir


class Finding(KeyedRecord):
    """A landmark that failed an expectation (warnings included)."""

    expectation: str
    severity: str
    column: str


class ValidateStage(Stage):
    """Shards are the curated ones; records are `Finding`s; pass.json holds the verdict."""

    name = "validate"
    record_model = Finding
    # Lineage declarations (read by the lineage-aware runner; inert before it).
    version = "1"
    config_keys = ("validation", "curation.split_ratios")

    def __init__(self, config: ProjectConfig, registry: CountryRegistry, store: RunStore) -> None:
        self.config = config
        self.registry = registry
        self.store = store

    def before_fork(self) -> None:
        """Import Great Expectations in the parent (~7 s on two cores): each forked validate
        imported it again, so a process that runs several pipelines pays once."""
        import great_expectations  # noqa: F401

    def process(self, shard_id: str) -> ShardResult:
        """Validate the run (all curated shards) and return this shard's findings."""
        report, frame = self._validate()
        return _shard_result(report, frame, shard_id)

    def process_many(
        self, shard_ids: Sequence[str], executor: LocalExecutor
    ) -> Iterator[tuple[str, ShardResult]]:
        report, frame = self._validate()
        for shard_id in shard_ids:
            yield shard_id, _shard_result(report, frame, shard_id)

    def _validate(self) -> tuple[Report, object]:
        report, recorded, frame = validate_workdir(self.config)
        if not recorded.success:
            raise ValidationFailed(
                f"validation of {self.store} failed: "
                f"{', '.join(recorded.blocking_failed)} "
                f"(see {self.store.files.describe(recorded.results_path)} and its Data Docs)"
            )
        return report, frame


def _shard_result(report: Report, frame: object, shard_id: str) -> ShardResult:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    findings = []
    per_expectation: dict[str, int] = defaultdict(int)
    for outcome in report.outcomes:
        for row in outcome.rows:
            qid, country = frame.at[row, "qid"], frame.at[row, "country"]
            if country != shard_id.split("-")[0]:
                continue
            findings.append(
                Finding(
                    qid=qid,
                    country=country,
                    expectation=outcome.id,
                    severity=outcome.severity,
                    column=outcome.column,
                )
            )
            per_expectation[outcome.id] += 1
    stats = {
        "suite": report.suite,
        "success": report.success,
        "rows_validated": report.rows,
        "findings": dict(per_expectation),
    }
    return ShardResult(records=findings, rejections=[], stats=stats)
