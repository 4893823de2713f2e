"""Record models -> `datasets` features, and record values -> rows those features accept.

The release publishes the nested knowledge / attribute / provenance groups as typed structs (not
JSON text), so the Hub viewer, DuckDB and `load_dataset` see every field with its type. The
features are derived from the pydantic record models, so a new field in a record appears in the
release without a second schema to keep in step.

Mapping: str/Literal/Enum -> string, int -> int64, float -> float64, bool -> bool, datetime ->
timestamp[ms, tz=UTC] (Parquet has no seconds unit), date -> date32, bytes -> binary, list[X] ->
List(X), tuple[X, X, ...] -> List(X, length=n), model -> struct, dict[str, str] ->
List({key, value}) (Arrow maps are not a `datasets` type), any other dict or mixed union -> JSON
text (the one untyped escape hatch, used for Wikidata's raw claims).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

_SCALARS: dict[type, str] = {
    str: "string",
    int: "int64",
    float: "float64",
    bool: "bool",
    bytes: "binary",
    datetime: "timestamp[ms, tz=UTC]",
    date: "date32",
}


def _unwrap(annotation: Any) -> Any:
    """The annotation without Optional / Annotated wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _kind(annotation: Any) -> str:
    """Which branch of the mapping an (unwrapped) annotation takes."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "scalar"
    if origin is list:
        return "list"
    if origin is tuple:
        return "tuple"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return "pairs" if _unwrap(key) is str and _unwrap(value) is str else "json"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    if isinstance(annotation, type) and (issubclass(annotation, Enum) or annotation in _SCALARS):
        return "scalar"
    return "json"


def _scalar_dtype(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Literal or issubclass(annotation, Enum):
        return "string"
    return _SCALARS[annotation]


def feature_of(annotation: Any) -> Any:
    """The `datasets` feature for a type annotation."""
    from datasets import List, Value

    annotation = _unwrap(annotation)
    kind = _kind(annotation)
    if kind == "scalar":
        return Value(_scalar_dtype(annotation))
    if kind == "list":
        return List(feature_of(typing.get_args(annotation)[0]))
    if kind == "tuple":
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return List(feature_of(args[0]))
        return List(feature_of(args[0]), length=len(args))
    if kind == "pairs":
        return List({"key": Value("string"), "value": Value("string")})
    if kind == "model":
        return model_features(annotation)
    return Value("string")


def model_features(model: type[BaseModel], exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """One feature per field of `model` (a struct), in field order, without `exclude`."""
    return {
        name: feature_of(info.annotation)
        for name, info in model.model_fields.items()
        if name not in exclude
    }


Encoder = Callable[[Any], Any]
_ENCODERS: dict[int, tuple[Any, Encoder]] = {}


def _identity(value: Any) -> Any:
    return value


def _build_encoder(annotation: Any) -> Encoder:
    """A function encoding values of `annotation` (None passes through at every level)."""
    annotation = _unwrap(annotation)
    kind = _kind(annotation)
    if kind == "scalar":
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return lambda v: None if v is None else v.value
        return _identity
    if kind in ("list", "tuple"):
        item = _encoder(typing.get_args(annotation)[0])
        return lambda v: None if v is None else [item(x) for x in v]
    if kind == "pairs":
        return lambda v: (
            None if v is None else [{"key": k, "value": x} for k, x in sorted(v.items())]
        )
    if kind == "model":
        fields = [
            (name, _encoder(info.annotation)) for name, info in annotation.model_fields.items()
        ]
        return lambda v: (
            None if v is None else {name: enc(getattr(v, name)) for name, enc in fields}
        )

    def to_json(value: Any) -> Any:
        if value is None:
            return None
        plain = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return json.dumps(plain, ensure_ascii=False, sort_keys=True, default=str)

    return to_json


def _encoder(annotation: Any) -> Encoder:
    # Keyed by identity (annotations holding pydantic FieldInfo are not hashable); the entry
    # keeps the annotation alive so its id cannot be reused.
    cached = _ENCODERS.get(id(annotation))
    if cached is None:
        cached = (annotation, _build_encoder(annotation))
        _ENCODERS[id(annotation)] = cached
    return cached[1]


def encode(value: Any, annotation: Any) -> Any:
    """`value` (a field of a record) as the row value `feature_of(annotation)` accepts."""
    return _encoder(annotation)(value)


def encode_model(record: BaseModel, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every field of `record` encoded for `model_features(type(record), exclude)`."""
    return {
        name: encode(getattr(record, name), info.annotation)
        for name, info in type(record).model_fields.items()
        if name not in exclude
    }
