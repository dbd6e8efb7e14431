"""What an nbgrader assignment notebook is made of, read from its cell metadata.

Layout (the course's convention): ``solutions/<assignment_id>/<assignment_id>.ipynb`` is the instructor
source; ``assignments/<assignment_id>/`` is the student version generated from it by nbgrader.

Cell kinds, from the nbgrader metadata of each cell:

- ``answer``  an autograded answer: code cell, solution, not graded (the student writes code or a value);
- ``test``    an autograder test cell: code cell, graded, not a solution, locked, with points;
- ``manual``  a hand-graded answer: solution and graded (a markdown answer, or code marked by hand);
- ``task``    an nbgrader task cell (graded by hand, no answer cell);
- ``locked``  a read-only cell (instructions or set-up code);
- ``plain``   any cell without nbgrader metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from classroom.course_root import course_root

ROOT = course_root()
PACKAGE_ROOT = ROOT  # the course whose package files (course/osteonecrosis) are checked
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
WRONG_SUBMISSIONS = ROOT / "tests" / "fixtures" / "wrong_submissions"

ASSIGNMENT_ID = re.compile(r"^ps\d+_[a-z0-9_]+$")

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
BEGIN_MARK_SCHEME = "### BEGIN MARK SCHEME"
END_MARK_SCHEME = "### END MARK SCHEME"
# Text that must never reach a student version (nbgrader's delimiters, without the comment marks).
SECRET_MARKERS: tuple[str, ...] = (
    "BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
    "BEGIN MARK SCHEME", "END MARK SCHEME",
)


class AssignmentError(ValueError):
    """An assignment is missing or malformed; the message is one line."""


@dataclass(frozen=True)
class Cell:
    index: int
    cell_type: str
    source: str
    kind: str
    grade_id: str | None
    points: float
    locked: bool
    # cell.metadata["osteonecrosis"]["knowledge"]: the knowledge entries a graded cell's key rests on
    # (None when the cell does not declare it); see classroom.authoring.assignment_checks.knowledge_problems
    knowledge: tuple[Any, ...] | None = None

    def region(self, begin: str, end: str) -> list[str]:
        """The lines strictly inside begin/end delimiter pairs."""
        return region_lines(self.source, begin, end)

    def outside(self, begin: str, end: str) -> list[str]:
        """The lines outside begin/end delimiter pairs (delimiters dropped)."""
        return region_lines(self.source, begin, end, inside=False)


def region_lines(source: str, begin: str, end: str, inside: bool = True) -> list[str]:
    """The lines strictly inside begin/end delimiter pairs, or (``inside=False``) the lines outside them;
    the delimiter lines themselves are dropped either way."""
    out, within = [], False
    for line in source.split("\n"):
        if begin.replace("### ", "") in line:
            within = True
        elif end.replace("### ", "") in line:
            within = False
        elif within == inside:
            out.append(line)
    return out


def cell_kind(meta: dict[str, Any], cell_type: str) -> str:
    nb = meta.get("nbgrader") or {}
    if not nb:
        return "plain"
    if nb.get("task"):
        return "task"
    solution, grade = bool(nb.get("solution")), bool(nb.get("grade"))
    if solution and grade:
        return "manual"
    if solution:
        return "answer" if cell_type == "code" else "manual"
    if grade:
        return "test" if cell_type == "code" else "task"
    return "locked" if nb.get("locked") else "plain"


def read_cells(path: Path) -> list[Cell]:
    """The cells of one notebook with their nbgrader role; AssignmentError on unreadable notebooks."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise AssignmentError(f"{path}: no such notebook") from None
    except Exception as exc:  # nbformat raises several kinds on broken JSON
        raise AssignmentError(f"{path}: not a readable notebook ({exc.__class__.__name__})") from None
    cells = []
    for i, c in enumerate(nb.cells):
        meta = c.get("metadata", {}).get("nbgrader") or {}
        course_meta = c.get("metadata", {}).get("osteonecrosis")
        declared = course_meta.get("knowledge") if isinstance(course_meta, dict) else None
        cells.append(Cell(
            index=i,
            cell_type=c.cell_type,
            source=c.source,
            kind=cell_kind(c.get("metadata", {}), c.cell_type),
            grade_id=meta.get("grade_id"),
            points=float(meta.get("points") or 0),
            locked=bool(meta.get("locked")),
            knowledge=tuple(declared) if isinstance(declared, list) else None,
        ))
    return cells


def assignment_ids(solutions: Path = SOLUTIONS) -> list[str]:
    """Every assignment in solutions/ (directories holding at least one notebook), sorted."""
    if not solutions.is_dir():
        return []
    return sorted(p.name for p in solutions.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def resolve(names: list[str], solutions: Path = SOLUTIONS) -> list[str]:
    """Assignment ids for the given names (an exact id, or a unique prefix such as ``ps2``)."""
    known = assignment_ids(solutions)
    if not names:
        return known
    out = []
    for name in names:
        hits = [a for a in known if a == name] or [a for a in known if a.startswith(name)]
        if len(hits) != 1:
            what = "no assignment" if not hits else "several assignments"
            raise AssignmentError(
                f"{what} matching {name!r} in {solutions.name}/ (known: {', '.join(known) or 'none'})"
            )
        out.append(hits[0])
    return out


def notebooks(assignment_id: str, base: Path = SOLUTIONS) -> list[Path]:
    """The notebooks of one assignment (source or release tree), sorted by name."""
    return sorted((base / assignment_id).glob("*.ipynb"))


def test_cells(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.kind == "test"]


def autograded_points(cells: list[Cell]) -> float:
    return sum(c.points for c in cells if c.kind == "test")


def manual_points(cells: list[Cell]) -> float:
    return sum(c.points for c in cells if c.kind in ("manual", "task"))


def _visible_lines(cells: list[Cell]) -> set[str]:
    """Stripped lines a student may see: everything outside solution, hidden-test and mark-scheme regions."""
    visible: set[str] = set()
    for c in cells:
        inside = False
        for line in c.source.split("\n"):
            if any(m in line for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME")):
                inside = True
            elif any(m in line for m in ("END SOLUTION", "END HIDDEN TESTS", "END MARK SCHEME")):
                inside = False
            elif not inside:
                visible.add(line.strip())
    return visible


def hidden_lines(cells: list[Cell]) -> list[str]:
    """Meaningful hidden-test source lines (stripped) that are not also visible, for leak searches."""
    secret = [ln for c in cells if c.kind == "test" for ln in c.region(BEGIN_HIDDEN, END_HIDDEN)]
    return _meaningful(secret, _visible_lines(cells))


def solution_lines(cells: list[Cell]) -> list[str]:
    """Meaningful solution and mark-scheme lines (stripped) that the student version must not contain."""
    secret = [ln for c in cells for ln in c.region(BEGIN_SOLUTION, END_SOLUTION)]
    secret += [ln for c in cells for ln in c.region(BEGIN_MARK_SCHEME, END_MARK_SCHEME)]
    return _meaningful(secret, _visible_lines(cells))


def _meaningful(lines: list[str], visible: set[str]) -> list[str]:
    """Lines long and specific enough that finding one in a student version is a real leak."""
    out: list[str] = []
    for ln in lines:
        s = ln.strip()
        if len(s) >= 12 and s not in visible and s not in out:
            out.append(s)
    return out


def release_text(path: Path) -> str:
    """The text of a released file as a student sees it (a notebook's cell sources, joined)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.reads(raw, as_version=4).cells)
    return raw


def leaks(cells: list[Cell], text: str) -> list[str]:
    """Secret text of a source notebook found in a student-facing text: delimiters, hidden-test lines,
    solution and mark-scheme lines (a line leaks when it appears as a whole line, or, when it is long,
    anywhere)."""
    lines = {ln.strip() for ln in text.split("\n")}
    out = [f"delimiter {m!r}" for m in SECRET_MARKERS if m in text]
    for what, secret in (("hidden test", hidden_lines(cells)), ("solution or mark scheme", solution_lines(cells))):
        for ln in secret:
            if ln in lines or (len(ln) >= 40 and ln in text):
                out.append(f"{what} text {ln[:70]!r}")
    return out
