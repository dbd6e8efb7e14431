"""A real nbgrader course in a temporary folder, driven by nbgrader's own commands.

    course = NbgraderCourse(tmp_path, ["ps1_drugs_and_risk"])      # copies solutions/ + nbgrader_config.py
    course.generate()                                               # nbgrader generate_assignment
    course.add_students(["solution", "blank"])                      # nbgrader db student import
    course.submit("ps1_drugs_and_risk", "solution", course.solution_notebook("ps1_drugs_and_risk"))
    course.autograde("ps1_drugs_and_risk")                          # nbgrader autograde (all students)
    course.scores("ps1_drugs_and_risk", "solution")                 # {test grade id: points}, from the gradebook

Scores are read from the gradebook with nbgrader.api.Gradebook, never from an exit status.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from classroom.authoring.assignment_model import SOLUTIONS, read_cells
from classroom.authoring.release import generate, make_course, nbgrader
from nbformat.notebooknode import NotebookNode


@dataclass
class CellScore:
    grade_id: str
    auto_score: float | None
    max_score: float
    kind: str  # "test" (autograded) or "manual"


class NbgraderError(AssertionError):
    pass


class NbgraderCourse:
    def __init__(self, root: Path, assignment_ids: list[str], solutions: Path = SOLUTIONS) -> None:
        self.root = make_course(Path(root), assignment_ids, solutions)
        self.assignment_ids = list(assignment_ids)
        self.logs: dict[str, str] = {}

    # -- nbgrader commands ---------------------------------------------------------------------------
    def run(self, *args: str, check: bool = True, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
        proc = nbgrader(list(args), cwd=self.root, timeout=timeout)
        self.logs[" ".join(args)] = proc.stdout + proc.stderr
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
            raise NbgraderError(f"nbgrader {' '.join(args)} exited {proc.returncode}:\n{tail}")
        return proc

    def generate(self) -> dict[str, Path]:
        """Release every assignment of the course in one `nbgrader generate_assignment "*"` run (this also
        records the assignments and their cells in the gradebook)."""
        return generate(self.root, "*")

    def add_students(self, student_ids: list[str]) -> None:
        """Add students with one `nbgrader db student import` call."""
        path = self.root / "students.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "first_name", "last_name", "email"])
            for s in student_ids:
                w.writerow([s, s, "Test", ""])
        self.run("db", "student", "import", str(path))

    def submit(self, assignment_id: str, student_id: str, nb: NotebookNode | Path,
               name: str | None = None) -> Path:
        """Place a submission under submitted/<student>/<assignment>/ (with a timestamp file)."""
        name = name or f"{assignment_id}.ipynb"
        dest = self.root / "submitted" / student_id / assignment_id
        dest.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, Path):
            shutil.copy2(nb, dest / name)
        else:
            nbformat.write(nb, str(dest / name))
        (dest / "timestamp.txt").write_text(dt.datetime(2026, 1, 15, 12, 0).isoformat(sep=" "))
        return dest / name

    def autograde(self, assignment_id: str = "*", check: bool = True) -> subprocess.CompletedProcess[str]:
        """`nbgrader autograde ASSIGNMENT --force` for every submitted student (``*``: every assignment,
        in one run)."""
        return self.run("autograde", assignment_id, "--force", check=check)

    # -- paths ---------------------------------------------------------------------------------------
    def solution_notebook(self, assignment_id: str) -> Path:
        return self.root / "solutions" / assignment_id / f"{assignment_id}.ipynb"

    def release_notebook(self, assignment_id: str) -> Path:
        return self.root / "assignments" / assignment_id / f"{assignment_id}.ipynb"

    def autograded_notebook(self, assignment_id: str, student_id: str) -> NotebookNode:
        path = self.root / "autograded" / student_id / assignment_id / f"{assignment_id}.ipynb"
        if not path.exists():
            raise NbgraderError(f"no autograded notebook for {student_id}/{assignment_id}:\n"
                                + "".join(v for k, v in self.logs.items() if k.startswith("autograde"))[-3000:])
        return nbformat.read(str(path), as_version=4)

    # -- the gradebook -------------------------------------------------------------------------------
    def gradebook(self) -> Any:
        from nbgrader.api import Gradebook

        return Gradebook(f"sqlite:///{self.root / 'gradebook.db'}", course_id="osteonecrosis")

    def cell_scores(self, assignment_id: str, student_id: str) -> dict[str, CellScore]:
        """Every graded cell's score for one submission, read from the gradebook."""
        kinds = {c.grade_id: c.kind for c in read_cells(self.solution_notebook(assignment_id)) if c.grade_id}
        out: dict[str, CellScore] = {}
        with self.gradebook() as gb:
            nb = gb.find_submission_notebook(assignment_id, assignment_id, student_id)
            for g in nb.grades:
                out[g.name] = CellScore(g.name, g.auto_score, float(g.max_score),
                                        "test" if kinds.get(g.name) == "test" else "manual")
        return out

    def scores(self, assignment_id: str, student_id: str) -> dict[str, float]:
        """{grade id of each autograder test cell: points scored}, from the gradebook."""
        return {gid: float(s.auto_score or 0) for gid, s in self.cell_scores(assignment_id, student_id).items()
                if s.kind == "test"}

    def max_scores(self, assignment_id: str) -> dict[str, float]:
        return {c.grade_id: c.points for c in read_cells(self.solution_notebook(assignment_id))
                if c.kind == "test" and c.grade_id}


def error_outputs(nb: NotebookNode) -> list[tuple[str, str, str]]:
    """(cell grade id or index, exception name, message) for every error output of an executed notebook."""
    out = []
    for i, cell in enumerate(nb.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {i}"
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append((gid, o.get("ename", ""), o.get("evalue", "")))
    return out
