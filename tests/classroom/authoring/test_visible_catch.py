"""The measure make check prints: does a student's own run of the visible tests catch a wrong submission?"""

from __future__ import annotations

import nbformat
from classroom.authoring import visible_catch, wrong_submissions
from classroom.authoring.assignment_model import read_cells

from tests.conftest import SOLUTIONS

PS1 = "ps1_drugs_and_risk"


def test_visible_only_removes_every_hidden_region() -> None:
    nb = nbformat.v4.new_notebook()
    source = "assert a\n### BEGIN HIDDEN TESTS\nassert secret\n### END HIDDEN TESTS\nok()"
    nb.cells = [nbformat.v4.new_code_cell(source)]
    assert visible_catch.visible_only(nb).cells[0].source == "assert a\nok()"
    assert "secret" in nb.cells[0].source, "the original is left alone"


def test_report_line_counts_caught_and_where() -> None:
    outcomes = [visible_catch.Outcome("solution", False),
                visible_catch.Outcome("a", True, "Q1: x (notebook 01)", True),
                visible_catch.Outcome("b", True, "x", False), visible_catch.Outcome("c", False)]
    line = visible_catch.report_line("ps9", outcomes)
    assert line.startswith("ps9: 2/3 wrong submissions caught by a visible test (67%; goal 100%); 1 of them")
    failing = [visible_catch.Outcome("solution", True, "boom", False, ["q1_tests"]), *outcomes[1:]]
    assert "the SOLUTION fails a visible check (q1_tests)" in visible_catch.report_line("ps9", failing)


def test_a_real_wrong_submission_is_caught_by_its_visible_check() -> None:
    path = SOLUTIONS / PS1 / f"{PS1}.ipynb"
    solution = nbformat.read(str(path), as_version=4)
    maxima = {c.grade_id: c.points for c in read_cells(path) if c.kind == "test"}
    rounded = next(m for m in wrong_submissions.load(PS1) if m.name == "rounds the relative risk to 4")
    got = visible_catch.outcome(solution, rounded, maxima, path.parent)
    assert got.caught and got.cells == ["q8_tests"]
    assert got.message.startswith("Q8:") and got.where and len(got.message.split(" (")[0]) < 80
