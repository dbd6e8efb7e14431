"""Find uses of the package's answer functions in a submission's own cells, for the instructor's review.

An assignment that asks students to stage or plan by hand forbids the functions that would answer for
them (``osteonecrosis.staging.stage``, ``osteonecrosis.plan.make_plan`` ...). Its build script lists them in
the notebook metadata (``metadata.osteonecrosis.forbidden_calls``, qualified names); the rule is read from
the RELEASED notebook, never from the student's copy. :func:`find_uses` parses the cells the student wrote
(the answer cells of the release, and any cell the student added) with :mod:`ast`, follows ``import`` and
``from ... import`` aliases across cells, and reports every reference to a forbidden name. grade-class adds
one review reason per flagged submission to its summary and to the CSV.

The check flags for review; it does not change a grade (a reference may be a quotation or a comparison).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from classroom.grading.guards.files import MB, read_regular


@dataclass(frozen=True)
class Use:
    cell: str   # grade id of the answer cell, or "cell N" for a cell the student added
    name: str   # the forbidden qualified name, e.g. osteonecrosis.staging.stage
    line: int

    def describe(self) -> str:
        return f"{self.cell} line {self.line}: {self.name}"


def forbidden_names(release_nb: NotebookNode) -> list[str]:
    """The qualified names an assignment forbids (from its released notebook's metadata)."""
    meta = release_nb.metadata.get("osteonecrosis", {})
    names = meta.get("forbidden_calls", []) if isinstance(meta, dict) else []
    return [str(n) for n in names]


def _grade_id(cell: NotebookNode) -> str | None:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def student_cells(submission: NotebookNode, release_nb: NotebookNode) -> list[tuple[int, str, NotebookNode]]:
    """(index, label, cell) for every code cell the student wrote: the release's answer cells (matched by
    grade id) and every code cell the release does not have."""
    answers, known = set(), set()
    for cell in release_nb.cells:
        gid = _grade_id(cell)
        if gid:
            known.add(gid)
            if (cell.metadata.get("nbgrader") or {}).get("solution") and cell.cell_type == "code":
                answers.add(gid)
    out = []
    for i, cell in enumerate(submission.cells):
        if cell.cell_type != "code":
            continue
        gid = _grade_id(cell)
        if gid in answers:
            out.append((i, gid, cell))
        elif gid is None or gid not in known:
            out.append((i, f"cell {i}", cell))
    return out


class _Resolver(ast.NodeVisitor):
    """Collects references to forbidden qualified names, tracking import aliases."""

    def __init__(self, forbidden: set[str], aliases: dict[str, str]) -> None:
        self.forbidden = forbidden
        self.aliases = aliases  # local name -> qualified name (shared across cells)
        self.hits: list[tuple[str, int]] = []

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                top = a.name.split(".")[0]
                self.aliases[top] = top
            self._check(a.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        for a in node.names:
            qual = f"{base}.{a.name}" if base else a.name
            self.aliases[a.asname or a.name] = qual
            self._check(qual, node.lineno)

    def _qualified(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _check(self, qual: str | None, line: int) -> None:
        if qual is None:
            return
        for name in self.forbidden:
            # osteonecrosis.staging.stage, also reached as osteonecrosis.stage when re-exported
            if qual == name or qual == _short(name):
                self.hits.append((name, line))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._check(self._qualified(node), node.lineno)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        qual = self._qualified(node)
        if qual is not None and isinstance(node.ctx, ast.Load):
            self._check(qual, node.lineno)
            return  # the inner names are parts of this reference
        self.generic_visit(node)


def _short(name: str) -> str:
    parts = name.split(".")
    return f"{parts[0]}.{parts[-1]}" if len(parts) > 2 else name


def find_uses(submission: NotebookNode, release_nb: NotebookNode) -> list[Use]:
    """Every reference to a forbidden name in the cells the student wrote (imports in any cell count for
    aliases; only references inside the student's own cells are reported)."""
    forbidden = set(forbidden_names(release_nb))
    if not forbidden:
        return []
    mine = {i: label for i, label, _ in student_cells(submission, release_nb)}
    aliases: dict[str, str] = {}
    uses: list[Use] = []
    for i, cell in enumerate(submission.cells):
        if cell.cell_type != "code":
            continue
        source = "\n".join(ln for ln in cell.source.split("\n") if not ln.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        resolver = _Resolver(forbidden, aliases)
        resolver.visit(tree)
        if i in mine:
            uses += [Use(mine[i], name, line) for name, line in resolver.hits]
    return uses


@lru_cache(maxsize=16)
def _release(path: str, mtime_ns: int, size: int) -> NotebookNode:
    """The released notebook, read once per version (a class run asks for it once per student)."""
    return nbformat.read(path, as_version=4)


def review_reason(submission_path: Path, release_path: Path) -> str | None:
    """One line for the grading summary when the submission uses a forbidden function; None otherwise."""
    try:  # the trusted side reads a student's file only through the files guard (a FIFO would block open())
        submission = nbformat.reads(read_regular(submission_path, 20 * MB).decode("utf-8"), as_version=4)
        st = Path(release_path).stat()
        release_nb = _release(str(release_path), st.st_mtime_ns, st.st_size)  # only read below
    except Exception:  # an unreadable or refused notebook is reported by the grader itself
        return None
    uses = find_uses(submission, release_nb)
    if not uses:
        return None
    shown = "; ".join(u.describe() for u in uses[:3]) + (f"; +{len(uses) - 3} more" if len(uses) > 3 else "")
    return f"review: uses a forbidden package function ({shown})"
