"""The sample world imports nothing from the product it is used to test.

A world that borrowed the product's class list, land-cover table or errors would agree with the
product by construction, and so could never catch it being wrong. Every module of
rswk/sampleworld is parsed (not imported) and each of its imports, including those inside
functions and under TYPE_CHECKING, is checked against the product's packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rswk.sampleworld

FORBIDDEN = ("rswk.core", "rswk.cli", "rswk.pipeline", "crawlers", "curation", "validation",
             "indexing")  # fmt: skip
PACKAGE_DIR = Path(rswk.sampleworld.__file__).parent
MODULES = sorted(PACKAGE_DIR.rglob("*.py"))


def imported_modules(source: str, module: str) -> list[str]:
    """Every module an `import` or `from ... import` statement in `source` names (relative
    imports resolved against `module`)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                found.append(".".join([*base, node.module or ""]).rstrip("."))
            elif node.module:
                found.append(node.module)
    return found


def forbidden(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in FORBIDDEN)


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "import crawlers.x\nfrom rswk.core import errors\n"
        "def f():\n    from curation.stage import Stage\n"
        "from ..core import records\n"
    )
    names = imported_modules(source, "rswk.sampleworld.world")
    assert sorted(n for n in names if forbidden(n)) == [
        "crawlers.x",
        "curation.stage",
        "rswk.core",
        "rswk.core",
    ]
    assert not forbidden("rswk.sampleworld.truth") and not forbidden("rswk.corex")


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_sample_world_module_imports_the_product(path: Path) -> None:
    module = "rswk.sampleworld." + ".".join(path.relative_to(PACKAGE_DIR).with_suffix("").parts)
    bad = [n for n in imported_modules(path.read_text(encoding="utf-8"), module) if forbidden(n)]
    assert not bad, f"{path.name} imports product modules {bad}: give the world its own copy"
