"""Integrity of every assignment in solutions/, proven by real nbgrader round trips.

One temporary nbgrader course for the whole module: every assignment is generated with nbgrader's
generate_assignment, then for each assignment the solution, the unmodified student version and every
wrong submission of tests/fixtures/wrong_submissions/<id>.yaml are submitted as students and graded with
one `nbgrader autograde` call per assignment. Scores are read from the gradebook.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import integrity, wrong_submissions
from classroom.authoring.assignment_model import (
    SECRET_MARKERS,
    assignment_ids,
    hidden_lines,
    leaks,
    read_cells,
    release_text,
    solution_lines,
)
from classroom.authoring.release import differences

from tests.conftest import ASSIGNMENTS, SOLUTIONS
from tests.support.nbgrader_course import NbgraderCourse, error_outputs

pytestmark = pytest.mark.nbgrader

IDS = assignment_ids(SOLUTIONS)
WIDGET_HINTS = ("ipywidgets", "teaching.quiz", "quiz(", "estimate(", "reveal(", "widgets.")


def test_there_are_assignments() -> None:
    assert len(IDS) >= 3, f"expected the problem sets in solutions/, found {IDS}"


def _mistakes(assignment: str) -> list[wrong_submissions.Mistake]:
    try:
        return wrong_submissions.load(assignment)
    except wrong_submissions.SpecError:
        return []  # reported by test_wrong_submissions_score_exactly_the_expected_marks


@pytest.fixture(scope="module", params=IDS)
def course(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NbgraderCourse:
    """One nbgrader course per assignment (so that parallel test workers share the five round trips): the
    assignment generated, then its solution, its blank student version and every wrong submission submitted
    and graded by one `nbgrader autograde`."""
    a = request.param
    started = time.perf_counter()
    c = NbgraderCourse(tmp_path_factory.mktemp(f"nbgrader-{a}"), [a])
    c.generate()
    c.assignment = a
    c.mistakes = _mistakes(a)
    c.add_students(["solution", "blank", *[f"wrong{i:02d}" for i in range(len(c.mistakes))]])
    c.submit(a, "solution", c.solution_notebook(a))
    c.submit(a, "blank", c.release_notebook(a))
    solution = nbformat.read(str(c.solution_notebook(a)), as_version=4)
    for i, mistake in enumerate(c.mistakes):
        c.submit(a, f"wrong{i:02d}", wrong_submissions.apply(solution, mistake))
    c.autograde(a, check=False)  # a failing submission must not hide the others' results
    print(f"\n[round trip] {a}: generated, {len(c.mistakes) + 2} submissions autograded in "
          f"{time.perf_counter() - started:.1f} s")
    return c


def test_committed_release_is_what_nbgrader_generates(course: NbgraderCourse) -> None:
    a = course.assignment
    problems = differences(course.root / "assignments" / a, ASSIGNMENTS / a)
    assert not problems, "assignments/ is out of sync with solutions/; run `make release`:\n" + "\n".join(problems)


def test_solution_scores_full_marks(course: NbgraderCourse) -> None:
    assignment = course.assignment
    scores = course.scores(assignment, "solution")
    maxima = course.max_scores(assignment)
    assert set(scores) == set(maxima), f"graded cells {sorted(scores)} != test cells {sorted(maxima)}"
    short = {g: (scores[g], maxima[g]) for g in maxima if scores[g] != maxima[g]}
    errors = error_outputs(course.autograded_notebook(assignment, "solution"))
    assert not short, f"solution lost marks on {short}; errors: {errors}"
    assert not errors, f"the solution raised errors: {errors}"


def test_blank_student_version_scores_zero_with_only_stub_errors(course: NbgraderCourse) -> None:
    assignment = course.assignment
    scores = course.scores(assignment, "blank")
    assert scores and all(v == 0 for v in scores.values()), f"unanswered version scored {scores}"
    nb = course.autograded_notebook(assignment, "blank")
    errors = error_outputs(nb)
    assert errors, "the unanswered version raised no error at all"
    others = [e for e in errors if e[1] != "NotImplementedError"]
    assert not others, f"errors other than the stubs' NotImplementedError: {others}"
    failing = {gid for gid, _, _ in errors}
    untouched = [c.grade_id for c in read_cells(course.solution_notebook(assignment))
                 if c.kind == "test" and c.grade_id not in failing]
    assert not untouched, f"test cells that scored 0 without an error output: {untouched}"


def test_wrong_submissions_score_exactly_the_expected_marks(course: NbgraderCourse) -> None:
    assignment = course.assignment
    mistakes = wrong_submissions.load(assignment)
    cells = read_cells(course.solution_notebook(assignment))
    assert not wrong_submissions.problems(mistakes, cells), wrong_submissions.problems(mistakes, cells)
    assert len(mistakes) >= 3
    wrong = []
    for i, m in enumerate(mistakes):
        got = course.scores(assignment, f"wrong{i:02d}")
        diff = {g: (got.get(g), m.expected[g]) for g in m.expected if got.get(g) != m.expected[g]}
        if diff or sum(got.values()) != m.expected_total:
            wrong.append(f"{m.name!r}: (got, expected) {diff}; total {sum(got.values()):g} "
                         f"vs {m.expected_total:g}")
    assert not wrong, "wrong submissions scored unexpected marks:\n" + "\n".join(wrong)


@pytest.mark.parametrize("assignment", IDS)
def test_no_secret_text_in_the_student_version(assignment: str) -> None:
    cells = read_cells(SOLUTIONS / assignment / f"{assignment}.ipynb")
    hidden, secret = hidden_lines(cells), solution_lines(cells)
    assert hidden and secret, "nothing to search for: the source has no hidden tests or solutions"
    found = []
    for path in sorted(p for p in (ASSIGNMENTS / assignment).rglob("*") if p.is_file()):
        found += [f"{path.name}: {leak}" for leak in leaks(cells, release_text(path))]
        found += [f"{path.name}: raw marker {m!r}" for m in SECRET_MARKERS if m in path.read_text(encoding="utf-8")]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("assignment", IDS)
def test_source_is_sound(assignment: str) -> None:
    report, problems = integrity.check([assignment], sync=False)
    assert not problems, "\n".join(problems)
    ids = [c.grade_id for c in read_cells(SOLUTIONS / assignment / f"{assignment}.ipynb") if c.grade_id]
    assert len(ids) == len(set(ids)), f"duplicate grade ids: {sorted({i for i in ids if ids.count(i) > 1})}"


def _widget_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and any(h in c.source for h in WIDGET_HINTS)]


def test_some_assignment_has_a_widget_cell() -> None:
    assert any(_widget_cells(nbformat.read(str(SOLUTIONS / a / f"{a}.ipynb"), as_version=4)) for a in IDS), \
        "no assignment has a widget cell"


def test_widget_cells_do_not_break_headless_grading(course: NbgraderCourse) -> None:
    a = course.assignment
    for cell in _widget_cells(course.autograded_notebook(a, "solution")):
        kinds = [o.get("output_type") for o in cell.outputs]
        assert "error" not in kinds, f"{a}: a widget cell failed under autograde: {cell.source[:80]}"
        data = json.dumps([o.get("data", {}) for o in cell.outputs])
        assert "application/vnd.jupyter.widget-view+json" in data, f"{a}: widget not displayed"


@pytest.mark.parametrize("course", IDS[:1], indirect=True)
def test_nbgrader_validate_exits_zero_even_when_tests_fail(course: NbgraderCourse) -> None:
    """Why results must come from the gradebook: validate reports failures but exits 0."""
    a = course.assignment
    blank = course.root / "submitted" / "blank" / a / f"{a}.ipynb"
    proc = course.run("validate", str(blank), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"validate exited {proc.returncode}"
    assert "NotImplementedError" in out or "failed" in out.lower(), out[-2000:]
    # ... while the gradebook shows what the submission really earned: nothing.
    assert sum(course.scores(a, "blank").values()) == 0
    ok = course.run("validate", str(course.solution_notebook(a)), check=False)
    said = ok.stdout + ok.stderr
    assert ok.returncode == 0 and "This is NOT your grade" in said, said[-2000:]
    assert "Success" not in said, f"validate must not read as the grade: {said[-2000:]}"


def test_wrong_submission_fixture_files_match_assignments() -> None:
    base = Path(wrong_submissions.spec_path("x")).parent
    extra = sorted(p.stem for p in base.glob("*.yaml") if p.stem not in IDS)
    assert not extra, f"wrong-submission files without an assignment: {extra}"
