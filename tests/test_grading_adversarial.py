"""The adversarial corpus graded as one class run, next to well-behaved students.

For every hostile or broken submission: the class run completes, the submission gets exactly the score
listed in the corpus (never more than its honest answers earned), nothing outside its scratch changed, and
every other student's grade is exactly what it was in a run without the hostile submissions.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from classroom.sandbox import isolation_problem
from nbgrader.api import Gradebook

from tests.adversarial.corpus import CASES, Context
from tests.adversarial.course import (
    ASSIGNMENT,
    BOUNDARY_Q1,
    GOOD_Q1,
    GOOD_Q2,
    grade_class,
    make_course,
    notebook_with,
    released,
    snapshot,
    submit,
)
from tests.conftest import IN_CI

pytestmark = pytest.mark.nbgrader

CONTROLS = {"good": 5.0, "partial": 4.0, "stub": 0.0}
LIMITS = ["--time-limit", "30", "--memory-mb", "1024", "--max-procs", "48", "--cpu-limit", "60",
          "--max-output-kb", "200", "--no-csv"]


def require_sandbox() -> None:
    problem = isolation_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"the grading sandbox must work in CI: {problem}")
        pytest.skip(f"no sandbox on this machine: {problem}")


def cell_grades(course: Path) -> dict[str, dict[str, float]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "fixture") as gb:
        out = {}
        for sub in gb.find_assignment(ASSIGNMENT).submissions:
            out[sub.student.id] = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
        return out


def pwned_files(*roots: Path) -> list[str]:
    found = []
    for root in roots:
        if root.is_dir():
            found += [str(p) for p in root.rglob("PWNED*")]
    found += [f"/tmp/{n}" for n in os.listdir("/tmp") if n.startswith("PWNED")]
    found += [f"/{n}" for n in os.listdir("/") if n.startswith("PWNED")]
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    require_sandbox()
    base = tmp_path_factory.mktemp("adversarial")
    course = make_course(base / "course")
    workdir = base / "work"
    submit(course, "good", notebook_with(course, GOOD_Q1, GOOD_Q2))
    submit(course, "partial", notebook_with(course, BOUNDARY_Q1, GOOD_Q2))
    submit(course, "stub", released(course))
    first = grade_class(course, "--workdir", str(workdir), *LIMITS)
    assert first.returncode == 0, first.stdout + first.stderr
    baseline = cell_grades(course)

    ctx = Context(course=course, workdir=workdir, victim="good")
    for case in CASES:
        case.build(course, case.name, ctx)
    before = snapshot(course)
    second = grade_class(course, "--workdir", str(workdir), "--force", *LIMITS)
    return {
        "course": course, "workdir": workdir, "baseline": baseline, "grades": cell_grades(course),
        "before": before, "after": snapshot(course), "proc": second,
    }


def test_the_class_run_completes_and_reports_every_submission(run):
    proc = run["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"graded {len(CASES) + len(CONTROLS)} submission(s)" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert set(run["grades"]) == {c.name for c in CASES} | set(CONTROLS)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_submission_gets_no_more_than_it_earned(run, case):
    total = sum(run["grades"][case.name].values())
    assert total == case.expected, f"{case.kind}: scored {total}, expected {case.expected}\n{run['proc'].stdout}"
    assert total <= case.ceiling


def test_every_other_students_grade_is_exactly_what_it_was(run):
    for student, total in CONTROLS.items():
        assert run["grades"][student] == run["baseline"][student]
        assert sum(run["grades"][student].values()) == total


def test_nothing_outside_the_scratch_changed(run):
    assert run["after"] == run["before"]
    assert pwned_files(run["course"], run["workdir"]) == []


def test_each_grade_is_stored_once(run):
    import sqlite3

    with sqlite3.connect(run["course"] / "gradebook.db") as db:
        grades = db.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
        distinct = db.execute("SELECT COUNT(DISTINCT notebook_id || '/' || cell_id) FROM grade").fetchone()[0]
        submissions = db.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
    assert submissions == len(CASES) + len(CONTROLS)
    assert grades == distinct == submissions * 3  # three autograded test cells in the fixture


def test_problems_are_named_in_the_summary(run):
    out = run["proc"].stdout
    assert "invalid_json: 0/5; ps_fixture.ipynb: invalid notebook JSON" in out
    assert "missing_notebook: 0/5; ps_fixture.ipynb: missing" in out
    assert "symlink_solution: 0/5; ps_fixture.ipynb: is a symbolic link (refused)" in out
    assert "swallow_errors: 0/5; ps_fixture.ipynb: the notebook tampered" in out
    assert "os_exit: 0/5; ps_fixture.ipynb: the kernel stopped" in out


def test_feedback_leaves_out_hidden_tests(run):
    html = (run["course"] / "feedback" / "good" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "10 weeks" in html  # visible tests are shown
    assert "exactly 8 weeks" not in html and "BEGIN HIDDEN TESTS" not in html
