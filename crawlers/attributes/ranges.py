"""Range checks before a record is built: an out-of-range source value becomes an explained absence.

`AttributesRecord` refuses values outside their physical range (NDVI in [-1, 1], reflectance in
[0, 1], ...). A source can still send one (a bright cloud edge, a broken grid cell); rather than
failing the landmark, the value is dropped and `absent` says which value it was.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from rswk.core.records.attributes import AttributesRecord


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    info = AttributesRecord.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated.__class_getitem__((annotation, *info.metadata))  # type: ignore[attr-defined]
    return TypeAdapter(annotation)


def check_value(name: str, value: Any) -> tuple[Any, str | None]:
    """`(value, None)` when the record accepts `value` for column `name`, else `(None, why)`."""
    if value is None:
        return None, None
    try:
        _adapter(name).validate_python(value)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"].lower()
        return None, f"source value {value!r} rejected: {problem}"
    return value, None


def check_values(values: dict[str, Any], absent: dict[str, str]) -> None:
    """Move every out-of-range value of `values` into `absent` (both updated in place)."""
    for name, value in list(values.items()):
        checked, why = check_value(name, value)
        if why is not None:
            values[name] = checked
            absent[name] = why
