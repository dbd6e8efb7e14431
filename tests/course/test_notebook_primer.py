"""Course notebooks 00-03 and 07 show only the Python the primer teaches above their checks (issue 11).

Comprehensions, generator expressions, lambdas, classes, try/with blocks and itertools-style imports live in
the package (osteonecrosis.course_views and friends), where they are tested; the notebooks call them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

COURSE = Path(__file__).resolve().parents[2] / "course"
NOTEBOOKS = ["00_start_here", "01_bone_remodelling_and_drugs", "02_pathophysiology", "03_risk", "07_beyond_mronj"]
BEYOND_THE_PRIMER = {
    ast.ListComp: "a list comprehension", ast.DictComp: "a dict comprehension", ast.SetComp: "a set comprehension",
    ast.GeneratorExp: "a generator expression", ast.Lambda: "a lambda", ast.ClassDef: "a class",
    ast.Try: "a try block", ast.With: "a with block", ast.While: "a while loop", ast.Global: "global",
    ast.Yield: "yield", ast.Starred: "a starred expression",
}
MODULES_BEYOND = ("itertools", "functools", "collections", "numpy", "pandas")


def beyond_the_primer(source: str) -> list[str]:
    """The constructs of a code cell that notebook 00 does not teach."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        for kind, name in BEYOND_THE_PRIMER.items():
            if isinstance(node, kind):
                found.add(name)
        if isinstance(node, ast.Import | ast.ImportFrom):
            mod = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if mod and mod.split(".")[0] in MODULES_BEYOND:
                found.add(f"import {mod}")
    return sorted(found)


def test_the_audit_finds_what_it_is_for() -> None:
    assert beyond_the_primer("x = next(e for e in items if e)") == ["a generator expression"]
    assert beyond_the_primer("import itertools\nd = {k: v for k, v in p}") == ["a dict comprehension",
                                                                             "import itertools"]
    assert beyond_the_primer("total = 0\nfor x in [1, 2]:\n    total = total + x\n") == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_stay_within_the_primer(name: str) -> None:
    nb = nbformat.read(str(COURSE / f"{name}.ipynb"), as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            found = beyond_the_primer(cell.source)
            if found:
                problems.append(f"cell {i}: {', '.join(found)}: {cell.source.splitlines()[0][:60]!r}")
    assert not problems, "move these into the package (osteonecrosis.course_views):\n" + "\n".join(problems)
