"""The adversarial corpus graded as one class run, next to well-behaved students.

For every hostile or broken submission: the class run completes, the submission gets exactly the score
listed in the corpus (never more than its honest answers earned), nothing outside its scratch changed, and
every other student's grade is exactly what it was in a run without the hostile submissions.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from classroom.grading.sandbox import isolation_problem
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
# The wall budget per submission is one an honest notebook never reaches even on a loaded machine (the slow tier
# runs on xdist workers beside other tests; at load 12, 30 s cut an honest notebook short): what it bounds, a
# submission that sleeps forever, is stopped by it all the same (the CPU limit stops the busy loops).
LIMITS = ["--time-limit", "120", "--memory-mb", "1024", "--max-procs", "32", "--cpu-limit", "60",
          "--max-output-kb", "200"]


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
    first = grade_class(course, "--workdir", str(workdir), "--no-csv", *LIMITS)
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
    assert "missing_notebook: 0/5; submitted files not used by the grader (never run or importable): notes.txt; " \
           "ps_fixture.ipynb: missing" in out
    assert "symlink_solution: 0/5; ps_fixture.ipynb: is a symbolic link (refused)" in out
    assert "os_exit: 0/5; ps_fixture.ipynb: the kernel stopped" in out
    assert "shadow_imports: 0/5; submitted files not used by the grader (never run or importable): " \
           "helpers.py, ipykernel/__init__.py, ipykernel_launcher.py, osteonecrosis/__init__.py" in out
    assert "fifo_notebook: 0/5; ps_fixture.ipynb: unreadable (not a regular file" in out
    assert "hardlink_solution: 0/5; ps_fixture.ipynb: unreadable (has other hard links (refused))" in out
    assert "active_content: 2/5; ps_fixture.ipynb: active content (scripts, event handlers, Javascript) removed" \
        in out


def test_problems_are_flagged_in_the_csv(run):
    import csv

    with open(run["course"] / f"grades-{ASSIGNMENT}.csv", newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert "ipykernel_launcher.py" in rows["shadow_imports"]["grader_flags"]
    assert "not a regular file" in rows["fifo_notebook"]["grader_flags"]
    assert rows["good"]["grader_flags"] == ""


def test_tests_ran_outside_the_students_kernel(run):
    """Every test cell of an honest notebook was run by the checker (no canary, no set-up re-run needed)."""
    import nbformat

    nb = nbformat.read(run["course"] / "autograded" / "good" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) == 3 and all(c.execution_count for c in tests)


def test_outputs_are_bounded_on_the_trusted_side(run):
    for student in ("display_multiply", "huge_errors", "huge_output"):
        nb = run["course"] / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        html = run["course"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert nb.stat().st_size < 25_000_000, student
        assert html.stat().st_size < 30_000_000, student
    text = (run["course"] / "autograded" / "huge_errors" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "E" * 5000 not in text


def test_no_active_content_reaches_the_instructor(run):
    import nbformat

    base = ("active_content", ASSIGNMENT)
    html = (run["course"] / "feedback").joinpath(*base, f"{ASSIGNMENT}.html").read_text()
    nb = nbformat.read((run["course"] / "autograded").joinpath(*base, f"{ASSIGNMENT}.ipynb"), as_version=4)
    for marker in ("<script>window.PWNED", "<script>PWNED", "onerror=", "onclick=", "javascript:PWNED"):
        assert marker not in html, marker
        assert marker not in nbformat.writes(nb), marker
    kinds = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert not {k for k in kinds if "javascript" in k}


def test_a_worker_that_dies_costs_only_its_submission(run, tmp_path):
    """Fault injection: the worker grading ``always_equal`` exits; the pool is rebuilt and the others are graded.

    Deterministic, whatever the machine's load: one worker, and ``always_equal`` comes first (submissions go in
    sorted order), so when the worker dies nothing else is in flight and every other submission is graded by the
    rebuilt pool; no wall-clock budget to run out under load (the CPU limit stays)."""
    course = run["course"]
    others = {s: run["grades"][s] for s in ("good", "partial", "stub")}
    assert sorted([*others, "always_equal"])[0] == "always_equal"
    students = [arg for s in (*others, "always_equal") for arg in ("--student", s)]
    proc = grade_class(course, "--force", "--no-csv", "-j", "1", *students, *LIMITS, "--time-limit", "900",
                       extra_env={"GRADE_CLASS_TEST_CRASH": "always_equal"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "graded 3 submission(s)" in proc.stdout and "failed 1" in proc.stdout
    assert "FAILED always_equal: the trusted grading worker died on this submission" in proc.stdout
    grades = cell_grades(course)
    assert {s: grades[s] for s in others} == others


def test_feedback_leaves_out_hidden_tests(run):
    html = (run["course"] / "feedback" / "good" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "10 weeks" in html  # visible tests are shown
    assert "exactly 8 weeks" not in html and "BEGIN HIDDEN TESTS" not in html
