"""The split ledger: which split every grid cell was given, so later releases keep it.

`splits.parquet` (columns `cell`, `split`; the salt and cell size in the file's metadata) is
written beside the curate shards and copied into every release. Curation reads, first, the
newest release's ledger (under the releases folder: `--releases`, `release.releases_dir`, or
`releases/`), then the run store's own previous ledger for cells no release holds yet. A cell in
either keeps its split; only new cells are dealt (curation/splits.py). A release made before the
ledger existed is read from its landmark rows (`grid_cell`, `split`).

A ledger written with another `split_salt` is ignored: a new salt starts a new release line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from rswk.core.errors import RSWKError
from rswk.core.records.landmark import SPLITS, Split
from rswk.core.runstore import RunStore, atomic_write_table

logger = logging.getLogger(__name__)

LEDGER_FILE = "splits.parquet"
_SALT_KEY = b"rswk.split_salt"
_CELL_KM_KEY = b"rswk.grid_cell_km"


@dataclass(frozen=True)
class Ledgers:
    """The release's ledger and the run store's, as read before curating."""

    release: dict[str, Split]
    run: dict[str, Split]

    def combined(self) -> dict[str, Split]:
        """What curation honours: the release first (it is published), then the run store."""
        return {**self.run, **self.release}

    def conflicts(self) -> list[tuple[str, Split, Split]]:
        """Cells the release assigns differently from the run store's last curation.

        Only these make curation's output disagree with the ledgers it must honour: a release
        built from this run holds the same assignments, and a cell the run store has not seen
        yet is not in its output. So this, not the whole ledger, goes into curate's lineage (the
        ledger grows on every curation; its digest would make each run stale for the next).
        """
        return [
            (cell, split, self.run[cell])
            for cell, split in sorted(self.release.items())
            if cell in self.run and self.run[cell] != split
        ]


def read_ledger(path: Path, salt: str) -> dict[str, Split]:
    """cell -> split from a ledger file; empty if absent or written with another salt."""
    if not path.exists():
        return {}
    return _parse(path, str(path), salt)


def read_run_ledger(store: RunStore, salt: str) -> dict[str, Split]:
    """The run store's ledger beside the curate shards (a path or an object-store URL)."""
    stage = store.stage("curate")
    if not stage.has_file(LEDGER_FILE):
        return {}
    where = stage.files.describe(f"curate/{LEDGER_FILE}")
    return _parse(pa.BufferReader(stage.read_file(LEDGER_FILE)), where, salt)


def _parse(source: Path | pa.BufferReader, where: str, salt: str) -> dict[str, Split]:
    try:
        table = pq.read_table(source, columns=["cell", "split"])
    except (OSError, pa.ArrowException, KeyError) as exc:
        raise RSWKError(
            f"{where}: not a split ledger ({exc}); restore it from the release, or delete it "
            "to deal every cell afresh"
        ) from None
    written_salt = (table.schema.metadata or {}).get(_SALT_KEY, b"").decode()
    if written_salt and written_salt != salt:
        logger.info("%s was written with split_salt %r, not %r: ignored", where, written_salt, salt)
        return {}
    return _cells(table, where)


def _cells(table: pa.Table, where: str | Path) -> dict[str, Split]:
    cells: dict[str, Split] = {}
    for cell, split in zip(
        table.column("cell").to_pylist(), table.column("split").to_pylist(), strict=True
    ):
        if split not in SPLITS:
            raise RSWKError(f"{where}: cell {cell} has split {split!r}, not one of {SPLITS}")
        if cells.setdefault(cell, split) != split:
            raise RSWKError(f"{where}: cell {cell} is in two splits ({cells[cell]}, {split})")
    return cells


def release_ledger(releases: Path, salt: str) -> dict[str, Split]:
    """The ledger of the newest complete release under `releases` (empty if there is none)."""
    from rswk.release.versions import previous_release

    newest = previous_release(releases)
    if newest is None:
        return {}
    if (newest.path / LEDGER_FILE).exists():
        return read_ledger(newest.path / LEDGER_FILE, salt)
    # A release from before the ledger: its landmark rows carry their cell and split.
    files = sorted((newest.path / "data" / "landmarks").glob("*.parquet"))
    if not files:
        return {}
    table = pa.concat_tables(pq.read_table(f, columns=["grid_cell", "split"]) for f in files)
    return _cells(table.rename_columns(["cell", "split"]), newest.path)


def read_ledgers(store: RunStore, releases: Path, salt: str) -> Ledgers:
    """The newest release's ledger and the run store's previous one."""
    return Ledgers(release=release_ledger(releases, salt), run=read_run_ledger(store, salt))


def ledger_table(
    cells: Mapping[str, Split], salt: str | None = None, cell_km: float | None = None
) -> pa.Table:
    """The ledger as a table, sorted by cell (the same assignments give the same bytes).

    Without a salt (a ledger rebuilt from released rows) any salt's curation honours it.
    """
    ordered = sorted(cells.items())
    metadata = {}
    if salt is not None:
        metadata[_SALT_KEY] = salt.encode()
    if cell_km is not None:
        metadata[_CELL_KM_KEY] = f"{cell_km:g}".encode()
    schema = pa.schema([("cell", pa.string()), ("split", pa.string())], metadata=metadata or None)
    return pa.table(
        {"cell": [c for c, _ in ordered], "split": [s for _, s in ordered]}, schema=schema
    )


def write_ledger(
    path: Path, cells: Mapping[str, Split], salt: str | None = None, cell_km: float | None = None
) -> str:
    """Write the ledger atomically; returns its sha256."""
    return atomic_write_table(path, ledger_table(cells, salt, cell_km))


def write_run_ledger(
    store: RunStore, cells: Mapping[str, Split], salt: str, cell_km: float
) -> None:
    """The run store's ledger, written whole beside the curate shards (any store location)."""
    sink = pa.BufferOutputStream()
    pq.write_table(ledger_table(cells, salt, cell_km), sink)
    store.stage("curate").write_file(LEDGER_FILE, sink.getvalue().to_pybytes())
