"""Build the tiny fixture course in a temporary directory and write student submissions into it."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "grading" / "course"
ASSIGNMENT = "ps_fixture"
BIN = Path(sys.executable).parent

GOOD_Q1 = "def persisting_long_enough(weeks):\n    return weeks > 8"
WRONG_Q1 = "def persisting_long_enough(weeks):\n    return True"
BOUNDARY_Q1 = "def persisting_long_enough(weeks):\n    return weeks >= 8"  # passes visible, fails hidden
GOOD_Q2 = "def doses(months, every_months):\n    return months // every_months"
WRONG_Q2 = "def doses(months, every_months):\n    return 1"


def env() -> dict[str, str]:
    """Environment for nbgrader commands (nbgrader spawns `alembic` from PATH)."""
    out = dict(os.environ)
    out["PATH"] = f"{BIN}{os.pathsep}{out.get('PATH', '')}"
    return out


def make_course(dest: Path, db_url: str | None = None) -> Path:
    """Copy the fixture course to ``dest`` and release it with nbgrader (fills the gradebook)."""
    shutil.copytree(FIXTURE, dest)
    cmd = [str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"]
    if db_url:
        cmd += ["--db", db_url]
    done = subprocess.run(cmd, cwd=dest, env=env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (dest / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    return dest


def released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def notebook_with(course: Path, q1: str, q2: str) -> nbformat.NotebookNode:
    """The released notebook with the two answer cells filled in."""
    nb = copy.deepcopy(released(course))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "answer_q1":
            cell.source = q1
        elif grade_id == "answer_q2":
            cell.source = q2
    return nb


def submission_dir(course: Path, student: str) -> Path:
    path = course / "submitted" / student / ASSIGNMENT
    path.mkdir(parents=True, exist_ok=True)
    return path


def submit(course: Path, student: str, nb: nbformat.NotebookNode) -> Path:
    path = submission_dir(course, student) / f"{ASSIGNMENT}.ipynb"
    nbformat.write(nb, path)
    return path


def snapshot(root: Path, skip: tuple[str, ...] = ("autograded", "feedback")) -> dict[str, str]:
    """sha256 of every file under ``root`` except the grader's outputs and the gradebook (which change), and the
    time files grade-class itself writes into ``submitted/<student>/<assignment>/`` (its trusted time, and the
    student's claim kept beside it: ``course_state.TIME_FILES``)."""
    from classroom.grading.course_state import TIME_FILES

    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in skip or rel.startswith("gradebook.db") or rel.startswith("grades-"):
            continue
        parts = rel.split("/")
        if parts[0] == "submitted" and len(parts) == 4 and parts[3] in TIME_FILES:
            continue
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def grade_class(course: Path, *args: str, timeout: int = 900,
                extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the grade-class console script in ``course``."""
    cmd = [str(BIN / "grade-class"), ASSIGNMENT, "--no-progress", *args]
    return subprocess.run(cmd, cwd=course, env={**env(), **(extra_env or {})}, capture_output=True, text=True,
                          timeout=timeout)
