"""Make nbgrader cells from Python, with the metadata JupyterLab's Create Assignment toolbar writes.

The assignments' source is the solution notebook itself (``solutions/<id>/<id>.ipynb``, edited in
JupyterLab; docs/authoring.md). These helpers are for tests and scripts that need a small notebook: each
returns an nbformat cell whose ``metadata.nbgrader`` follows nbgrader's schema 3 and whose cell id is stable
(derived from the grade id or the position).

Conventions (docs/assignments.md):

- an autograded value answer starts from a placeholder ``name = None`` that the student replaces;
- its test cells begin with ``answered(name, "name")`` (from :mod:`osteonecrosis.exercises`), so an
  unanswered question fails with NotImplementedError and a message saying what to do;
- hidden tests sit between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` after visible ones;
- a written answer is a markdown cell graded by hand; its model answer and mark scheme sit between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` and are replaced by "YOUR ANSWER HERE" on release.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.notebooknode import NotebookNode

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _text(source: str) -> str:
    return dedent(source).strip("\n")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0,
          task: bool = False) -> dict:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", grade_id):
        raise ValueError(f"grade id {grade_id!r}: use letters, digits, '-' and '_' only")
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": task}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(source: str) -> NotebookNode:
    """Narrative text (no nbgrader role)."""
    return nbformat.v4.new_markdown_cell(_text(source))


def code(source: str) -> NotebookNode:
    """Ungraded code the student runs (examples, widgets)."""
    return nbformat.v4.new_code_cell(_text(source))


def readonly(grade_id: str, source: str, cell_type: str = "code") -> NotebookNode:
    """A locked cell (set-up code or instructions the student must not change)."""
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(_text(source))
    cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def answer(grade_id: str, source: str) -> NotebookNode:
    """An autograded answer cell: the solution sits between BEGIN/END SOLUTION."""
    cell = nbformat.v4.new_code_cell(_text(source))
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id: str, source: str, points: float) -> NotebookNode:
    """An autograder test cell worth ``points`` (visible asserts, then optional hidden tests)."""
    cell = nbformat.v4.new_code_cell(_text(source))
    cell.metadata.update(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def written(grade_id: str, source: str, points: float) -> NotebookNode:
    """A written answer graded by hand: model answer and mark scheme between BEGIN/END SOLUTION."""
    cell = nbformat.v4.new_markdown_cell(_text(source))
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


TOTAL_PLACEHOLDER = "{TOTAL}"


def total_line(cells: list[NotebookNode]) -> str:
    """'**Total: 25 points** (19 autograded, 6 written and graded by hand)' for the given cells."""
    auto = manual = 0.0
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            if meta.get("solution") or cell.cell_type == "markdown":
                manual += meta.get("points", 0)
            else:
                auto += meta.get("points", 0)
    return (f"**Total: {auto + manual:g} points** ({auto:g} autograded, {manual:g} written and graded by hand)")


def top_level_bindings(source: str) -> tuple[list[str], list[str]]:
    """(variables, functions) an answer cell defines at top level: what the tests read."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], []
    names: list[str] = []
    funcs: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            funcs.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names)), funcs


def guard_answer_reads(cells: list[NotebookNode]) -> None:
    """Make every test cell ask ``answer_of("name")`` for each answer it reads before it reads it: an answer
    cell that stopped at an error (an IndentationError) then gives one line naming the answer and the fix,
    never a bare NameError in every test cell. Adds the lines after the cell's imports."""
    answers: set[str] = set()
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            names, funcs = top_level_bindings(cell.source)
            answers |= {*names, *funcs}
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        read = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                and n.id in answers]
        guarded = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
                   and isinstance(n.func, ast.Name) and n.func.id == "answer_of" and n.args
                   and isinstance(n.args[0], ast.Constant)}
        missing = list(dict.fromkeys(name for name in read if name not in guarded))
        if not missing:
            continue
        imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
        lines = [] if "answer_of" in imported else ["from osteonecrosis.exercises import answer_of"]
        lines += [f'answer_of("{name}")' for name in missing]
        src = cell.source.split("\n")
        last_import = max((n.end_lineno or n.lineno for n in tree.body[:len(tree.body)]
                           if isinstance(n, ast.Import | ast.ImportFrom)), default=0)
        at = last_import
        cell.source = "\n".join(src[:at] + lines + src[at:])


def notebook(cells: list[NotebookNode], *, rests_on: dict[str, list[str]] | None = None,
             forbidden_calls: list[str] | None = None) -> NotebookNode:
    """A notebook with the course kernel and stable cell ids (grade id, else position).

    The text ``{TOTAL}`` in any markdown cell is replaced by :func:`total_line`. ``rests_on`` (grade id ->
    knowledge references, ``"prevention.yaml#dmab-ects2022"``, that the graded cell's key rests on) goes into
    each graded cell's ``metadata.osteonecrosis.knowledge`` (``[]`` for cells it does not name);
    ``forbidden_calls`` (qualified names of package functions the answers must not use) into the notebook's
    ``metadata.osteonecrosis``. ``make check`` reads both.
    """
    guard_answer_reads(cells)
    total = total_line(cells)
    for cell in cells:
        if cell.cell_type == "markdown" and TOTAL_PLACEHOLDER in cell.source:
            cell.source = cell.source.replace(TOTAL_PLACEHOLDER, total)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    extra: dict = {}
    if rests_on is not None:
        for cell in cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                cell.metadata.setdefault("osteonecrosis", {})["knowledge"] = list(rests_on.get(meta["grade_id"], []))
    if forbidden_calls:
        extra["forbidden_calls"] = list(forbidden_calls)
    if extra:
        nb.metadata["osteonecrosis"] = extra
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = gid if gid else f"cell-{i:02d}"
        if cell.id in seen:
            raise ValueError(f"duplicate grade id {cell.id!r}")
        seen.add(cell.id)
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def write(nb: NotebookNode, path: str | Path) -> Path:
    """Write the notebook (no outputs), creating the folder; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def points_line(points: float, what: str = "") -> str:
    """'**(3 points)**' style label for a question heading."""
    n = f"{points:g}"
    unit = "point" if points == 1 else "points"
    return f"**({n} {unit}{', ' + what if what else ''})**"
