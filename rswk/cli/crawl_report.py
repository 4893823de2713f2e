"""The tables `rswk crawl` prints: per country what each stage kept, and every rejection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from rswk.core.records import Rejection
from rswk.core.runstore import RunStore

CRAWL_STAGES = ("discover", "locate", "knowledge")
MAX_REJECTION_ROWS = 60


def _records(store: RunStore, stage: str, iso2: str) -> str:
    stage_store = store.stage(stage)
    if not stage_store.is_done(iso2):
        return "-"
    return str(stage_store.marker(iso2)["records"])


def rejections(store: RunStore, shard_ids: Sequence[str]) -> list[Rejection]:
    """Every rejection of the crawl stages for these countries, in pipeline then QID order."""
    found = []
    for stage in CRAWL_STAGES:
        for iso2 in shard_ids:
            found.extend(store.stage(stage).read_rejections(iso2))
    return found


def country_table(
    store: RunStore, shard_ids: Sequence[str], rejected: Sequence[Rejection]
) -> Table:
    """found / located / with knowledge / rejected per country ('-' = shard not finished)."""
    per_country = Counter(r.country for r in rejected)
    table = Table(title=f"crawl of {len(shard_ids)} country(ies) in {store}")
    for column in ("country", "found", "located", "with knowledge", "rejected"):
        table.add_column(column, justify="left" if column == "country" else "right")
    for iso2 in shard_ids:
        counts = [_records(store, stage, iso2) for stage in CRAWL_STAGES]
        table.add_row(iso2, *counts, str(per_country[iso2]))
    return table


def rejection_table(rejected: Sequence[Rejection]) -> Table:
    """One row per rejection (the first MAX_REJECTION_ROWS), with the reason and its detail."""
    table = Table(title=f"rejected ({len(rejected)})")
    for column in ("qid", "country", "stage", "reason", "detail"):
        table.add_column(column, overflow="fold")
    for rejection in rejected[:MAX_REJECTION_ROWS]:
        table.add_row(
            rejection.qid or "-",
            rejection.country,
            rejection.stage,
            rejection.reason.value,
            rejection.detail,
        )
    if len(rejected) > MAX_REJECTION_ROWS:
        more = len(rejected) - MAX_REJECTION_ROWS
        table.caption = f"{more} more in WORKDIR/<stage>/rejected/*.parquet"
    return table


def crawl_tables(store: RunStore, shard_ids: Sequence[str]) -> list[RenderableType]:
    """The preview: the country table, the rejection table, and a hint on fetch failures."""
    rejected = rejections(store, shard_ids)
    out: list[RenderableType] = [country_table(store, shard_ids, rejected)]
    if rejected:
        out.append(rejection_table(rejected))
    failed = sum(1 for r in rejected if r.reason.transient)
    if failed:
        out.append(
            Text(
                f"{failed} fetch failure(s): rerun to retry them "
                "(answers already received come from the HTTP cache)",
                style="yellow",
            )
        )
    return out
