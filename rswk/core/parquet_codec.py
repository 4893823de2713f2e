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
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import pyarrow as pa
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

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


def records_to_table(records: Sequence[BaseModel], model: type[BaseModel]) -> pa.Table:
    """A table with one row per record, in the given order."""
    schema, json_columns = arrow_schema(model)
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for record in records:
        python_row = record.model_dump(mode="python")
        json_row = _jsonable(record, json_columns)
        for name in schema.names:
            if name in json_columns:
                columns[name].append(json.dumps(json_row[name], ensure_ascii=False, sort_keys=True))
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
            k: (_from_json(json.loads(v)) if k in json_columns and v is not None else v)
            for k, v in row.items()
        }
        records.append(model.model_validate(decoded))
    return records


# Bytes nested in a JSON column (the image inside a curated landmark) travel as base64 under this
# key; JSON text cannot hold raw bytes and pydantic's JSON mode would try to decode them as UTF-8.
_BYTES_KEY = "$bytes_base64"


def _bytes_to_marker(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES_KEY: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: _bytes_to_marker(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bytes_to_marker(v) for v in value]
    return value


def _jsonable(record: BaseModel, json_columns: list[str]) -> dict[str, Any]:
    if not json_columns:
        return {}
    python_row = record.model_dump(mode="python", include=set(json_columns))
    return dict(to_jsonable_python(_bytes_to_marker(python_row)))


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES_KEY}:
            return base64.b64decode(value[_BYTES_KEY])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value
