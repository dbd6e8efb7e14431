"""Forbidden package functions in a submission's own cells are found for the instructor's review."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import cells as A
from classroom.authoring import forbidden_calls

FORBIDDEN = ["osteonecrosis.staging.stage", "osteonecrosis.plan.make_plan"]


def _release(setup: str = "from osteonecrosis import teaching") -> nbformat.NotebookNode:
    nb = A.notebook([
        A.markdown("# PS"),
        A.readonly("setup", setup),
        A.answer("q1_answer", "stages = None\n### BEGIN SOLUTION\nstages = {}\n### END SOLUTION"),
        A.tests("q1_tests", "assert stages is not None", points=1),
    ])
    nb.metadata["osteonecrosis"] = {"forbidden_calls": FORBIDDEN}
    return nb


def _submission(answer_source: str, setup: str = "from osteonecrosis import teaching",
                extra: str | None = None) -> nbformat.NotebookNode:
    nb = _release(setup)
    nb.metadata.pop("osteonecrosis")  # the student's copy may lose the rule: it is read from the release
    nb.cells[2].source = answer_source
    if extra is not None:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    return nb


def _names(sub: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(u.cell, u.name) for u in forbidden_calls.find_uses(sub, _release())]


def test_direct_and_aliased_calls_are_found() -> None:
    assert _names(_submission("from osteonecrosis.staging import stage\nstages = stage(c).stage")) == [
        ("q1_answer", "osteonecrosis.staging.stage"), ("q1_answer", "osteonecrosis.staging.stage")]
    found = _names(_submission("import osteonecrosis.staging as s\nx = s.stage(c)"))
    assert ("q1_answer", "osteonecrosis.staging.stage") in found
    found = _names(_submission("from osteonecrosis import plan as p\nx = p.make_plan(c)"))
    assert found == [("q1_answer", "osteonecrosis.plan.make_plan")]
    found = _names(_submission("import osteonecrosis\nx = osteonecrosis.staging.stage(c)"))
    assert found == [("q1_answer", "osteonecrosis.staging.stage")]


def test_an_import_in_another_cell_still_resolves() -> None:
    sub = _submission("stages = st.stage(c)", extra="from osteonecrosis import staging as st")
    sub.cells.insert(2, sub.cells.pop())  # the student's extra cell sits above the answer
    assert ("q1_answer", "osteonecrosis.staging.stage") in _names(sub)


def test_honest_answers_and_other_functions_are_not_flagged() -> None:
    assert _names(_submission('stages = {"Patient 1": "2"}')) == []
    assert _names(_submission("from osteonecrosis import staging\nx = staging.STAGES")) == []
    assert _names(_submission("stage = '2'\nstages = {'a': stage}")) == []


def test_a_cell_the_student_added_counts() -> None:
    found = _names(_submission("stages = {}", extra="from osteonecrosis.plan import make_plan\nmake_plan(c)"))
    assert found and all(cell.startswith("cell ") for cell, _ in found)


def test_no_rule_no_flags() -> None:
    release = _release()
    release.metadata.pop("osteonecrosis")
    sub = _submission("from osteonecrosis.staging import stage\nstages = stage(c)")
    assert forbidden_calls.find_uses(sub, release) == []


def test_review_reason(tmp_path: Path) -> None:
    rel, sub = tmp_path / "rel.ipynb", tmp_path / "sub.ipynb"
    nbformat.write(_release(), str(rel))
    nbformat.write(_submission("from osteonecrosis.staging import stage\nstages = stage(c)"), str(sub))
    reason = forbidden_calls.review_reason(sub, rel)
    assert reason is not None and reason.startswith("review: uses a forbidden package function")
    assert "q1_answer line 1: osteonecrosis.staging.stage" in reason
    nbformat.write(_submission('stages = {"Patient 1": "2"}'), str(sub))
    assert forbidden_calls.review_reason(sub, rel) is None


def test_review_reason_never_opens_a_fifo_or_a_hard_link(tmp_path: Path) -> None:
    """The check runs in grade-class's trusted main process: a named pipe in place of the notebook must not
    block it (open() on a FIFO waits for a writer forever), and a hard link is not read either."""
    import os

    rel = tmp_path / "rel.ipynb"
    nbformat.write(_release(), str(rel))
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    import threading

    answer: list[str | None] = []
    reader = threading.Thread(target=lambda: answer.append(forbidden_calls.review_reason(fifo, rel)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the stuck open() so the test run can go on, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("review_reason blocked on a FIFO in place of the notebook")
    assert answer == [None]
    real = tmp_path / "real.ipynb"
    nbformat.write(_submission("from osteonecrosis.staging import stage\nstages = stage(c)"), str(real))
    os.link(real, tmp_path / "linked.ipynb")
    assert forbidden_calls.review_reason(tmp_path / "linked.ipynb", rel) is None


@pytest.mark.nbgrader
def test_grade_class_flags_the_submission_in_its_summary_and_csv(tmp_path: Path) -> None:
    """A real grade-class run: the student whose answer calls a forbidden function is flagged for review in the
    summary and the CSV's grader_flags column; the honest student is not; grades are unchanged."""
    from classroom.grading.sandbox import isolation_problem

    from tests.adversarial.course import (
        ASSIGNMENT,
        GOOD_Q1,
        GOOD_Q2,
        grade_class,
        make_course,
        notebook_with,
        submit,
    )

    problem = isolation_problem()
    if problem:
        pytest.fail(f"grade-class needs its sandbox: {problem}")
    course = make_course(tmp_path / "course")
    release_path = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    release = nbformat.read(str(release_path), as_version=4)
    release.metadata["osteonecrosis"] = {"forbidden_calls": ["osteonecrosis.staging.stage"]}
    nbformat.write(release, str(release_path))
    shortcut = ("from osteonecrosis.staging import stage\n\n" + GOOD_Q1)
    submit(course, "honest", notebook_with(course, GOOD_Q1, GOOD_Q2))
    submit(course, "shortcut", notebook_with(course, shortcut, GOOD_Q2))
    done = grade_class(course)
    assert done.returncode == 0, done.stdout + done.stderr
    flagged = [ln for ln in done.stdout.splitlines() if "review: uses a forbidden package function" in ln]
    assert len(flagged) == 1 and flagged[0].strip().startswith("shortcut:"), done.stdout
    assert "osteonecrosis.staging.stage" in flagged[0]
    with open(course / f"grades-{ASSIGNMENT}.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert "review: uses a forbidden package function" in rows["shortcut"]["grader_flags"]
    assert rows["honest"]["grader_flags"] == ""
    assert float(rows["shortcut"]["score"]) == float(rows["honest"]["score"])
