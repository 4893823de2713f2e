"""Records <-> Parquet tables, lossless and with a stable schema derived from the record model.

Top-level scalar fields become typed columns (so shards are queryable with any Parquet tool and
images stay binary); nested fields (models, lists, dicts) are stored as JSON text, because pyarrow's
struct inference unifies keys across rows and would hand back `None` where a dict had no key.
"""

from __future__ import annotations

import base64
import json
import types
import typing
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import pyarrow as pa
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
    datetime: pa.timestamp("s", tz="UTC"),
}
JSON_COLUMNS_KEY = b"rswk.json_columns"
MODEL_KEY = b"rswk.model"


def _scalar_type(annotation: Any) -> pa.DataType | None:
    """The Arrow type of a scalar annotation (Optional allowed), or None for nested values."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar_type(members[0]) if len(members) == 1 else None
    if origin is typing.Literal:
        return pa.string()
    if origin is typing.Annotated:
        return _scalar_type(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return pa.string()
    if isinstance(annotation, type):
        return _SCALARS.get(annotation)
    return None


def arrow_schema(model: type[BaseModel]) -> tuple[pa.Schema, list[str]]:
    """The Arrow schema for `model` and the names of its JSON-encoded columns."""
    fields, json_columns = [], []
    for name, info in model.model_fields.items():
        arrow_type = _scalar_type(info.annotation)
        if arrow_type is None:
            json_columns.append(name)
            arrow_type = pa.string()
        fields.append(pa.field(name, arrow_type, nullable=True))
    metadata = {
        JSON_COLUMNS_KEY: json.dumps(json_columns).encode(),
        MODEL_KEY: model.__name__.encode(),
    }
    return pa.schema(fields, metadata=metadata), json_columns


_BYTES_TAG = "__base64__"


def _json_default(value: Any) -> Any:
    """JSON for what a python-mode dump holds inside nested fields (bytes tagged as base64)."""
    if isinstance(value, bytes):
        return {_BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _json_object(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _BYTES_TAG in obj:
        return base64.b64decode(obj[_BYTES_TAG])
    return obj


def records_to_table(records: Sequence[BaseModel], model: type[BaseModel]) -> pa.Table:
    """A table with one row per record, in the given order."""
    schema, json_columns = arrow_schema(model)
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for record in records:
        python_row = record.model_dump(mode="python")
        # Python mode, so nested bytes (a curated row's image) survive as tagged base64.
        json_row = record.model_dump(mode="python", include=set(json_columns))
        for name in schema.names:
            if name in json_columns:
                columns[name].append(
                    json.dumps(
                        json_row[name], ensure_ascii=False, sort_keys=True, default=_json_default
                    )
                )
            else:
                value = python_row[name]
                columns[name].append(value.value if isinstance(value, Enum) else value)
    return pa.Table.from_pydict(columns, schema=schema)


def table_to_records(table: pa.Table, model: type[M]) -> list[M]:
    """Records back from a table written by `records_to_table`."""
    metadata = table.schema.metadata or {}
    json_columns = set(json.loads(metadata.get(JSON_COLUMNS_KEY, b"[]")))
    records = []
    for row in table.to_pylist():
        decoded = {
            k: (
                json.loads(v, object_hook=_json_object)
                if k in json_columns and v is not None
                else v
            )
            for k, v in row.items()
        }
        records.append(model.model_validate(decoded))
    return records
