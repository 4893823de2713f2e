"""Reading Sentinel Hub evalscripts (V3) well enough to answer them, without running JavaScript.

What the sample world takes from a script:

- `setup()`'s input bands (`input: [{bands: ["B02", ...]}]` or `input: ["B02", ...]`);
- `setup()`'s outputs: each `{id, bands, sampleType}`; `bands` is a count (band names then are
  B0, B1, ... as the real Statistical API names them) or a list of names;
- for the Process API, `evaluatePixel`'s array return when it is plain arithmetic on the sample's
  bands (`return [2.5 * sample.B04, 2.5 * sample.B03, 2.5 * sample.B02];`): +, -, *, /, **,
  parentheses and numbers. Anything else (conditions, functions) falls back to returning the
  input bands in the order `setup()` lists them (without `dataMask`).

What each output band *means* is decided by its name (see `sh_bands.py`), not by the script's
code: the Statistical API cannot evaluate arbitrary JavaScript, so names carry the convention.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_OUTPUT_ID = "default"
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
_ID = re.compile(r"\bid\s*:\s*[\"']([^\"']+)[\"']")
_BAND_COUNT = re.compile(r"\bbands\s*:\s*(\d+)")
_BAND_LIST = re.compile(r"\bbands\s*:\s*\[([^\]]*)\]")
_SAMPLE_TYPE = re.compile(r"\bsampleType\s*:\s*(?:SampleType\.)?[\"']?(\w+)")
_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


class EvalscriptError(ValueError):
    """An evalscript the sample world cannot read; the message says what and where."""


@dataclass(frozen=True)
class OutputSpec:
    """One `setup()` output: its id, band names and sample type (AUTO when not given)."""

    id: str
    bands: tuple[str, ...]
    sample_type: str = "AUTO"
    named: bool = False  # True when the script named the bands (not just counted them)


@dataclass(frozen=True)
class Evalscript:
    """What the sample world understood of one evalscript."""

    input_bands: tuple[str, ...]
    outputs: tuple[OutputSpec, ...]
    pixel_return: tuple[str, ...] | None  # the array return's expressions, bands unqualified


def _balanced(text: str, start: int) -> str:
    """The bracketed text opening at `text[start]` ({, [ or (), brackets included."""
    pairs = {"{": "}", "[": "]", "(": ")"}
    stack: list[str] = []
    quote: str | None = None
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in pairs:
            stack.append(pairs[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return text[start : index + 1]
    raise EvalscriptError(f"unbalanced '{text[start]}' at character {start}")


def _value_after(text: str, key: str) -> str | None:
    found = re.search(rf"\b{key}\s*:\s*([\[{{])", text)
    return _balanced(text, found.start(1)) if found else None


def _function_body(script: str, name: str) -> tuple[str, str] | None:
    """(parameter list, body) of `function name(...) {...}`, or None."""
    found = re.search(rf"function\s+{name}\s*\(([^)]*)\)\s*{{", script)
    if not found:
        return None
    return found.group(1), _balanced(script, found.end() - 1)


def _split_objects(text: str) -> list[str]:
    if text.startswith("{"):
        return [text]
    objects, index = [], 0
    while (start := text.find("{", index)) >= 0:
        block = _balanced(text, start)
        objects.append(block)
        index = start + len(block)
    return objects


def _output(block: str) -> OutputSpec:
    output_id = _ID.search(block)
    sample_type = _SAMPLE_TYPE.search(block)
    kind = sample_type.group(1).upper() if sample_type else "AUTO"
    listed = _BAND_LIST.search(block)
    if listed:
        names = tuple(_QUOTED.findall(listed.group(1)))
        return OutputSpec(output_id.group(1) if output_id else DEFAULT_OUTPUT_ID, names, kind, True)
    counted = _BAND_COUNT.search(block)
    count = int(counted.group(1)) if counted else 1
    names = tuple(f"B{i}" for i in range(count))
    return OutputSpec(output_id.group(1) if output_id else DEFAULT_OUTPUT_ID, names, kind)


def _pixel_return(script: str) -> tuple[str, ...] | None:
    function = _function_body(script, "evaluatePixel")
    if function is None:
        return None
    params, body = function
    returns = [m.end() - 1 for m in re.finditer(r"\breturn\s*\[", body)]
    if len(returns) != 1 or re.search(r"\breturn\s*[^\[\s]", body):
        return None
    array = _balanced(body, returns[0])
    for param in (p.strip() for p in params.split(",") if p.strip()):
        array = re.sub(rf"\b{re.escape(param)}\s*\.\s*(\w+)", r"\1", array)
    try:
        tree = ast.parse(array, mode="eval")
    except SyntaxError:
        return None
    if not isinstance(tree.body, ast.List):
        return None
    return tuple(ast.unparse(element) for element in tree.body.elts)


def parse_evalscript(script: str) -> Evalscript:
    """Read `setup()` (required) and `evaluatePixel`'s array return (optional) of `script`."""
    # Comments may hold apostrophes that would read as string quotes.
    script = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)
    script = re.sub(r"//[^\n]*", "", script)
    setup = _function_body(script, "setup")
    if setup is None:
        raise EvalscriptError("the evalscript has no `function setup()`")
    body = setup[1]
    inputs = _value_after(body, "input")
    if inputs is None:
        raise EvalscriptError("setup() returns no `input`")
    band_lists = _BAND_LIST.findall(inputs)
    input_bands = tuple(
        name for names in (band_lists or [inputs]) for name in _QUOTED.findall(names)
    )
    outputs_text = _value_after(body, "output")
    if outputs_text is None:
        raise EvalscriptError("setup() returns no `output`")
    outputs = tuple(_output(block) for block in _split_objects(outputs_text))
    if not outputs:
        raise EvalscriptError("setup() declares no output")
    return Evalscript(input_bands, outputs, _pixel_return(script))


def evaluate_expression(expression: str, bands: Mapping[str, np.ndarray]) -> np.ndarray:
    """The value of one arithmetic expression over band arrays (names as in `bands`)."""

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in bands:
                raise EvalscriptError(f"evaluatePixel uses band '{node.id}' not in setup input")
            return bands[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        raise EvalscriptError(f"unsupported expression in evaluatePixel: {ast.unparse(node)}")

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(value(ast.parse(expression, mode="eval").body), dtype=np.float64)
