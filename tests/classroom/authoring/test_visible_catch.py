"""The measure make check prints: does a student's own run of the visible tests catch a wrong submission?"""

from __future__ import annotations

import copy

import nbformat
import pytest
from classroom.authoring import seal, visible_catch, wrong_submissions
from classroom.authoring.assignment_model import assignment_ids, read_cells

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


def _kernel_errors(nb: nbformat.NotebookNode, cwd) -> dict[str, str]:
    from classroom.grading.notebook_client import SlicedWaitClient

    SlicedWaitClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                     resources={"metadata": {"path": str(cwd)}}).execute()
    out = {}
    for cell in nb.cells:
        gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error" and gid:
                out[gid] = f"{o.get('ename')}: {o.get('evalue', '')}".split("\n")[0]
                break
    return out


@pytest.mark.parametrize("assignment", assignment_ids(SOLUTIONS))
def test_in_process_runs_say_what_a_kernel_says(assignment: str) -> None:
    """make check plays each wrong submission in its own process, not in a kernel: on the sealed solution and
    its first three wrong submissions (the student's view: hidden tests removed), the cells that fail and their
    first error line are exactly those a real kernel gives, as the student running the notebook sees them."""
    path = SOLUTIONS / assignment / f"{assignment}.ipynb"
    solution = nbformat.read(str(path), as_version=4)
    seal.seal_notebook(solution, path.parent, assignment)
    played = [solution, *(wrong_submissions.apply(solution, m) for m in wrong_submissions.load(assignment)[:3])]
    for nb in played:
        student_view = visible_catch.visible_only(nb)
        in_process = visible_catch._errors(student_view, path.parent)
        assert in_process == _kernel_errors(copy.deepcopy(student_view), path.parent)
    assert any(visible_catch._errors(visible_catch.visible_only(nb), path.parent) for nb in played[1:])


def test_in_process_runs_compute_widgets_but_draw_no_figure(tmp_path) -> None:
    """A widget cell run in process builds its widget and state (a wrong call still fails its cell) without
    drawing a figure; drawing is back afterwards."""
    from classroom.authoring.run_in_process import run_sources
    from osteonecrosis.widgets._base import FigureView

    drawn: list[object] = []
    real = FigureView.render
    FigureView.render = lambda self, static_key=None: drawn.append(self)  # type: ignore[method-assign]
    try:
        got = run_sources([("lab", "from osteonecrosis.widgets import cohort_lab\nw = cohort_lab()\n"
                                   "assert w.state and not w.error, w.error"),
                           ("wrong", "cohort_lab(no_such_argument=1)")], tmp_path)
        assert got["lab"] is None and got["wrong"] is not None and got["wrong"][0] == "TypeError"
        assert drawn == []  # in process: no figure drawn
        from osteonecrosis.widgets import cohort_lab

        cohort_lab()
        assert drawn  # outside the runner, the widget draws again
    finally:
        FigureView.render = real  # type: ignore[method-assign]
