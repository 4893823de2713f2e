"""Records <-> Parquet tables with an explicit Arrow schema derived from the record model.

Every field gets a real Arrow type: nested models are structs, lists are lists, `dict[str, X]` is
a map, `(west, south, east, north)` tuples are fixed-size lists of float64, enums and Literals
are strings, dates and datetimes are date32 / timestamp[us, UTC], bytes are binary, and None is a
real null. No column holds JSON, so DuckDB, pyarrow compute or the Hub viewer see inside
(`knowledge.name.value`, `attributes.ndvi_mean_annual`).

The schema metadata names the model and the record schema version (`SCHEMA_VERSION`); a file of
another version is refused with `StaleShard`, so an old shard is rerun, never misread.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from rswk.core.errors import RSWKError
from rswk.core.records.base import SCHEMA_VERSION

M = TypeVar("M", bound=BaseModel)

MODEL_KEY = b"rswk.model"
SCHEMA_VERSION_KEY = b"rswk.schema_version"
_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
    datetime: pa.timestamp("us", tz="UTC"),
    date: pa.date32(),
}


class StaleShard(RSWKError):
    """A Parquet file written with another record schema version than this code reads."""


class UnsupportedField(TypeError):
    """A record field whose annotation has no Arrow type here (a programming error)."""


def _unwrap(annotation: Any) -> Any:
    """The annotation without `Annotated[...]` and without `| None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                raise UnsupportedField(f"union {annotation} has no single Arrow type")
            annotation = members[0]
        else:
            return annotation


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a record field's annotation."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return pa.string()
    if origin is list:
        return pa.list_(arrow_type(args[0]))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return pa.list_(arrow_type(args[0]))
        if len(set(args)) != 1:
            raise UnsupportedField(f"tuple {annotation} mixes types; use a model")
        return pa.list_(arrow_type(args[0]), len(args))
    if origin is dict:
        if _unwrap(args[0]) is not str:
            raise UnsupportedField(f"dict {annotation} needs string keys")
        return pa.map_(pa.string(), arrow_type(args[1]))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return model_struct(annotation)
        if issubclass(annotation, Enum):
            return pa.string()
        if annotation in _SCALARS:
            return _SCALARS[annotation]
    raise UnsupportedField(f"no Arrow type for {annotation!r}")


@cache
def model_struct(model: type[BaseModel]) -> pa.StructType:
    """A nested model as an Arrow struct of its fields (every field nullable)."""
    return pa.struct([pa.field(n, arrow_type(f.annotation)) for n, f in model.model_fields.items()])


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """The Arrow schema of a shard of `model`, with the model name and schema version."""
    fields = [pa.field(n, arrow_type(f.annotation)) for n, f in model.model_fields.items()]
    metadata = {MODEL_KEY: model.__name__.encode(), SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode()}
    return pa.schema(fields, metadata=metadata)


Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _none_safe(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_sequence(origin: Any, args: tuple[Any, ...]) -> bool:
    return origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis)


def _writer(annotation: Any) -> Convert:
    """A function shaping a field's Python value for `pa.array` of its Arrow type (built once
    per field: walking the annotation for every value would cost more than the write)."""
    annotation = _unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if _is_model(annotation):
        fields = _model_writers(annotation)
        return _none_safe(lambda v: {name: write(getattr(v, name)) for name, write in fields})
    if _is_sequence(origin, args) or origin is tuple:
        items = [_writer(arg) for arg in (args[:1] if _is_sequence(origin, args) else args)]
        if all(item is _identity for item in items):
            return _none_safe(list)
        if len(items) == 1:
            return _none_safe(lambda v: [items[0](item) for item in v])
        return _none_safe(lambda v: [w(item) for w, item in zip(items, v, strict=True)])
    if origin is dict:
        item = _writer(args[1])
        return _none_safe(lambda v: [(key, item(x)) for key, x in v.items()])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _none_safe(lambda v: v.value)
    return _identity


def _reader(annotation: Any) -> Convert:
    """A function turning a value from `Table.to_pylist` back into what pydantic validates
    into the field (maps come back as key/value pairs, fixed-size lists as lists)."""
    annotation = _unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if _is_model(annotation):
        fields = [(n, r) for n, r in _model_readers(annotation) if r is not _identity]
        if not fields:
            return _identity
        return _none_safe(lambda v: v | {name: read(v.get(name)) for name, read in fields})
    if _is_sequence(origin, args):
        item = _reader(args[0])
        return _identity if item is _identity else _none_safe(lambda v: [item(x) for x in v])
    if origin is tuple:
        return _none_safe(tuple)
    if origin is dict:
        item = _reader(args[1])
        return _none_safe(lambda v: {key: item(x) for key, x in v})
    return _identity


@cache
def _model_writers(model: type[BaseModel]) -> tuple[tuple[str, Convert], ...]:
    return tuple((n, _writer(f.annotation)) for n, f in model.model_fields.items())


@cache
def _model_readers(model: type[BaseModel]) -> tuple[tuple[str, Convert], ...]:
    return tuple((n, _reader(f.annotation)) for n, f in model.model_fields.items())


def records_to_table(records: Sequence[BaseModel], model: type[BaseModel]) -> pa.Table:
    """A table with one row per record, in the given order, typed by `arrow_schema(model)`."""
    schema = arrow_schema(model)
    columns = []
    for field, (name, write) in zip(schema, _model_writers(model), strict=True):
        values = [write(getattr(record, name)) for record in records]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def check_schema_version(schema: pa.Schema, source: str | Path) -> None:
    """Refuse a table written under another record schema version, naming the file."""
    metadata = schema.metadata or {}
    found = metadata.get(SCHEMA_VERSION_KEY, b"").decode() or "1.x (JSON columns)"
    if found != SCHEMA_VERSION:
        raise StaleShard(
            f"{source}: written with record schema {found}, this RSWK reads {SCHEMA_VERSION}; "
            "the shard is stale: rerun its stage (`rswk run --force` or the stage's command)"
        )


def table_to_records(table: pa.Table, model: type[M], source: str | Path = "table") -> list[M]:
    """Records back from a table written by `records_to_table` (of this schema version)."""
    check_schema_version(table.schema, source)
    readers = [(n, r) for n, r in _model_readers(model) if r is not _identity]
    return [
        model.model_validate(row | {name: read(row.get(name)) for name, read in readers})
        for row in table.to_pylist()
    ]


def read_records(path: Path, model: type[M]) -> list[M]:
    """The records of a Parquet file; `StaleShard` when it has another schema version."""
    check_schema_version(pq.read_schema(path), path)
    return table_to_records(pq.read_table(path), model, path)
