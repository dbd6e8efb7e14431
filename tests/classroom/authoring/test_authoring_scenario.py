"""docs/authoring.md, done as an instructor does it, on a copy of the course.

The question of the guide (a visible and a hidden test, nbgrader's Create Assignment metadata, the knowledge
entry in the cell's metadata) is added to a copy of ps5's solution notebook; the totals and a wrong
submission are added as the guide says; `make check` and `make release` run in the copy; then a right and a
wrong submission are autograded by nbgrader and their marks read from the gradebook.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.support.nbgrader_course import NbgraderCourse

pytestmark = pytest.mark.nbgrader

ROOT = Path(__file__).resolve().parents[3]
AID = "ps5_capstone"
GUIDE = ROOT / "docs" / "authoring.md"


def _guide_block(after: str) -> str:
    """The indented code block of docs/authoring.md that follows the paragraph starting with ``after``."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(after)
    block = re.search(r"\n\n((?:    .*\n|\n)+)", text[start:])
    assert block, f"no code block after {after!r} in docs/authoring.md"
    lines = block.group(1).rstrip("\n").split("\n")
    return "\n".join(line[4:] for line in lines)


def _nbgrader_meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0) -> dict:
    """What nbgrader's Create Assignment toolbar writes for a cell (schema 3)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if grade:
        meta["points"] = points
    return meta


def _copy_course(dest: Path) -> Path:
    for name in ("solutions", "assignments", "docs"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.png"))
    for name in ("nbgrader_config.py", "Makefile", "pyproject.toml", "requirements.lock", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    (dest / "course" / "app").mkdir(parents=True)
    shutil.copy2(ROOT / "course" / "app" / "lab-overrides.json", dest / "course" / "app")
    for nb in ROOT.joinpath("course").glob("*.ipynb"):
        shutil.copy2(nb, dest / "course" / nb.name)
    fixtures = Path("tests") / "fixtures" / "wrong_submissions"
    shutil.copytree(ROOT / fixtures, dest / fixtures)
    return dest


def _add_question(course: Path) -> None:
    path = course / "solutions" / AID / f"{AID}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    question = nbformat.v4.new_markdown_cell(_guide_block("**a. The question"))
    answer = nbformat.v4.new_code_cell(_guide_block("**b. The answer cell"))
    answer.metadata["nbgrader"] = _nbgrader_meta("ps5_q10_answer", grade=False, solution=True, locked=False)
    test = nbformat.v4.new_code_cell(_guide_block("**c. The test cell"))
    test.metadata["nbgrader"] = _nbgrader_meta("ps5_q10_tests", grade=True, solution=False, locked=True, points=1)
    test.metadata.update(yaml.safe_load("{" + _guide_block("**d. Say what the key rests on") + "}"))
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "ps5_q9_written")
    nb.cells[at + 1:at + 1] = [question, answer, test]
    first = nb.cells[0]
    first.source = re.sub(r"\*\*Total: 25 points\*\* \(15 autograded",
                          "**Total: 26 points** (16 autograded", first.source)
    nbformat.write(nb, str(path))
    for doc in (course / "README.md", course / "docs" / "assignments.md"):
        text = doc.read_text(encoding="utf-8")
        text = re.sub(r"(\| ps5_capstone \|[^|]*\|) 15 \| 10 \| 25 \|", r"\1 16 | 10 | 26 |", text)
        text = re.sub(r"In all: (\d+) autograded and (\d+) hand-graded points \((\d+)\)",
                      lambda m: f"In all: {int(m[1]) + 1} autograded and {m[2]} hand-graded points "
                                f"({int(m[3]) + 1})", text)
        doc.write_text(text, encoding="utf-8")
    spec = course / "tests" / "fixtures" / "wrong_submissions" / f"{AID}.yaml"
    mistakes = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for m in mistakes:
        m["expected"]["ps5_q10_tests"] = 1
        m["expected_total"] += 1
    full = {gid: 1 for gid in mistakes[0]["expected"]}  # every ps5 test cell is worth 1 point
    mistakes.append({"name": "counts the 8 weeks in days", "why": "wrote 56 days for 'more than 8 weeks'",
                     "replace": {"ps5_q10_answer": "weeks_exposed = 56"},
                     "expected": {**full, "ps5_q10_tests": 0}, "expected_total": sum(full.values()) - 1})
    spec.write_text(yaml.safe_dump(mistakes, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _make(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args], cwd=course,
                          capture_output=True, text=True, timeout=1800)


def test_adding_a_question_as_the_guide_says(tmp_path: Path) -> None:
    course = _copy_course(tmp_path / "course")
    _add_question(course)

    release = _make(course, "release", f"ASSIGNMENT={AID}")
    assert release.returncode == 0, release.stdout + release.stderr
    check = _make(course, "check", f"ASSIGNMENT={AID}")
    out = check.stdout + check.stderr
    assert check.returncode == 0, out[-3000:]
    assert f"{AID}: 16 test cells (16 points" in out
    assert re.search(rf"{AID}: (\d+)/\1 wrong submissions caught by a visible test", out), out[-2000:]

    student = nbformat.read(str(course / "assignments" / AID / f"{AID}.ipynb"), as_version=4)
    q10 = next(c for c in student.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ps5_q10_tests")
    assert "weeks == 8" not in q10.source and "HIDDEN" not in q10.source and "osteonecrosis" not in q10.metadata
    answer = next(c for c in student.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ps5_q10_answer")
    assert "= 8" not in answer.source and "weeks_exposed = None" in answer.source

    grading = NbgraderCourse(tmp_path / "grading", [AID], solutions=course / "solutions")
    grading.generate()
    grading.add_students(["right", "wrong"])
    solution = nbformat.read(str(course / "solutions" / AID / f"{AID}.ipynb"), as_version=4)
    grading.submit(AID, "right", solution)
    wrong = nbformat.read(str(course / "solutions" / AID / f"{AID}.ipynb"), as_version=4)
    for cell in wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ps5_q10_answer":
            cell.source = "weeks_exposed = 56"
    grading.submit(AID, "wrong", wrong)
    grading.autograde(AID)
    right, wrong_scores = grading.scores(AID, "right"), grading.scores(AID, "wrong")
    assert right["ps5_q10_tests"] == 1 and sum(right.values()) == 16
    assert wrong_scores["ps5_q10_tests"] == 0 and sum(wrong_scores.values()) == 15
