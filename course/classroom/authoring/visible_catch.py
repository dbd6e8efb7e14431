"""How many wrong submissions does a student's own run of the VISIBLE tests catch?

    python -m classroom.authoring.visible_catch [ASSIGNMENT ...]     (also printed by make check)

For each wrong submission of ``tests/fixtures/wrong_submissions/<id>.yaml`` the mistake is applied to the
solution notebook, the hidden tests are removed from every test cell (what the student's copy holds, its
sealed checks sealed), and the code cells are run in order in this process (``run_in_process``; a slow test
checks that a kernel fails the same cells with the same first lines). The submission is *caught* when at
least one test cell that loses marks at grading already fails visibly; the report also counts the caught ones
whose first failing message names what to reconsider and where (a "notebook NN", a patient, or a question)
within its first 80 characters, the width that survives ``nbgrader validate``. Goal: every one caught (the
sealed checks make Validate exact).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from classroom.authoring import seal, wrong_submissions
from classroom.authoring.assignment_model import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    SOLUTIONS,
    AssignmentError,
    read_cells,
    region_lines,
    resolve,
)
from classroom.authoring.notebook_copy import copy_notebook
from classroom.authoring.run_in_process import failures

GOAL = 1.0
MESSAGE_WIDTH = 80
WHERE = re.compile(r"answer cell|notebook \d\d|Patient \d+|Question \d+|\bQ\d+\b|Part [A-D]\b")


@dataclass
class Outcome:
    name: str
    caught: bool
    message: str = ""
    where: bool = False
    cells: list[str] = field(default_factory=list)


def visible_only(nb: NotebookNode) -> NotebookNode:
    """A copy of a notebook with every hidden-test region removed (the student's view of the tests)."""
    out = copy_notebook(nb)
    for cell in out.cells:
        if cell.cell_type != "code" or BEGIN_HIDDEN.replace("### ", "") not in cell.source:
            continue
        cell.source = "\n".join(region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN, inside=False))
    return out


def _errors(nb: NotebookNode, cwd: Path) -> dict[str, str]:
    """grade id -> first line of the error message of each cell that failed, the notebook played in this process
    (classroom.authoring.run_in_process: the instructor's source and fixtures only; a kernel per
    submission took several times longer)."""
    return {gid: err for gid, err in failures(nb, cwd).items() if err}


def outcome(solution: NotebookNode, mistake: wrong_submissions.Mistake, maxima: dict[str, float],
            cwd: Path) -> Outcome:
    errors = _errors(visible_only(wrong_submissions.apply(solution, mistake)), cwd)
    losing = [g for g, pts in mistake.expected.items() if pts < maxima.get(g, 0)]
    failed = [g for g in losing if g in errors]
    if not failed:
        return Outcome(mistake.name, False)
    message = errors[failed[0]].split(": ", 1)[-1]
    return Outcome(mistake.name, True, message, bool(WHERE.search(message[:MESSAGE_WIDTH])), failed)


def measure(assignment_id: str) -> list[Outcome]:
    """One outcome per wrong submission; the SOLUTION's run comes first, named "solution", and is caught
    (a failure) only when one of its visible checks fails."""
    path = SOLUTIONS / assignment_id / f"{assignment_id}.ipynb"
    solution = nbformat.read(str(path), as_version=4)
    seal.seal_notebook(solution, path.parent, assignment_id)  # the student's test cells hold their seals
    maxima = {c.grade_id: c.points for c in read_cells(path) if c.kind == "test" and c.grade_id}
    mistakes = wrong_submissions.load(assignment_id)
    itself = wrong_submissions.Mistake("solution", "the model answer", {}, dict(maxima), sum(maxima.values()))

    def run(m: wrong_submissions.Mistake) -> Outcome:
        if m is itself:
            errors = _errors(visible_only(solution), path.parent)
            failed = sorted(g for g in errors if g in maxima)
            return Outcome("solution", bool(failed), errors[failed[0]] if failed else "", False, failed)
        return outcome(solution, m, maxima, path.parent)

    return [run(m) for m in (itself, *mistakes)]


def split(outcomes: list[Outcome]) -> tuple[Outcome | None, list[Outcome]]:
    """(the solution's outcome, the wrong submissions' outcomes)."""
    sol = next((o for o in outcomes if o.name == "solution"), None)
    return sol, [o for o in outcomes if o.name != "solution"]


def report_line(assignment_id: str, outcomes: list[Outcome]) -> str:
    sol, outcomes = split(outcomes)
    if sol is not None and sol.caught:
        return f"{assignment_id}: the SOLUTION fails a visible check ({', '.join(sol.cells)}): {sol.message[:120]}"
    n = len(outcomes)
    caught = sum(o.caught for o in outcomes)
    where = sum(o.where for o in outcomes)
    share = caught / n if n else 0.0
    return (f"{assignment_id}: {caught}/{n} wrong submissions caught by a visible test ({share:.0%}; goal "
            f"{GOAL:.0%}); {where} of them say what and where in the first {MESSAGE_WIDTH} characters")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    names = [a for a in args if a != "-v"]
    if any(a.startswith("-") for a in names):
        print("usage: python -m classroom.authoring.visible_catch [ASSIGNMENT ...] [-v]", file=sys.stderr)
        return 2
    try:
        ids = resolve(names)
    except AssignmentError as exc:
        print(f"visible_catch: {exc}", file=sys.stderr)
        return 2
    below = []
    for a in ids:
        try:
            outcomes = measure(a)
        except wrong_submissions.SpecError as exc:
            print(f"visible_catch: {exc}", file=sys.stderr)
            return 2
        print(report_line(a, outcomes))
        sol, outcomes = split(outcomes)
        if sol is not None and sol.caught:
            below.append(a)
        if verbose:
            for o in outcomes:
                mark = "caught" if o.caught else "MISSED"
                print(f"    {mark:6} {o.name}: {o.message[:MESSAGE_WIDTH]}")
        if outcomes and sum(o.caught for o in outcomes) / len(outcomes) < GOAL:
            below.append(a)
    if below:
        print(f"below the goal of {GOAL:.0%}: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
