"""Every test cell, whatever the form of a wrong answer, fails with one line naming its question or answer."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from classroom.authoring import answer_probe
from classroom.authoring import cells as A
from classroom.authoring.assignment_model import assignment_ids

from tests.conftest import SOLUTIONS


@pytest.mark.parametrize("assignment_id", assignment_ids(SOLUTIONS))
def test_wrong_forms_get_a_readable_line(assignment_id: str) -> None:
    assert answer_probe.problems(SOLUTIONS / assignment_id / f"{assignment_id}.ipynb") == []


def _notebook(tmp_path: Path, test_source: str, guard: bool = True) -> Path:
    nb = A.notebook([
        A.markdown("### Question 5"),
        A.answer("q5_window", "window = None\n### BEGIN SOLUTION\nwindow = ('2026-01-01', '2026-02-01')\n"
                              "### END SOLUTION"),
        A.tests("q5_tests", test_source, 1),
    ])
    if not guard:  # as a hand-written notebook would be, without authoring's answer_of guard
        nb.cells[2].source = "\n".join(ln for ln in nb.cells[2].source.split("\n") if "answer_of" not in ln)
    path = tmp_path / "ps9_probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_the_probe_finds_what_a_student_would_meet(tmp_path: Path) -> None:
    # the shape ps4 Q5 had: len() of whatever the student wrote, and a bare read of the name
    raw = _notebook(tmp_path, 'assert len(window) == 2, "Q5: a pair"\nassert window[0] < window[1], "Q5: order"',
                    guard=False)
    found = answer_probe.problems(raw)
    assert any("TypeError" in p for p in found), found                 # window = 5: len() of an int
    assert any("NameError" in p and "stopped_here" in p for p in found), found  # the cell stopped at an error
    # the same test, guarded: form first, one line naming the question
    guarded = _notebook(tmp_path, "\n".join([
        "from osteonecrosis.exercises import answer_of",
        'answer_of("window")',
        'assert isinstance(window, tuple | list) and len(window) == 2, "Q5: a pair (earliest, latest)"',
        'assert window[0] < window[1], "Q5: earliest first"',
    ]))
    assert answer_probe.problems(guarded) == []


def test_authoring_guards_every_answer_a_test_reads(tmp_path: Path) -> None:
    """authoring.notebook() adds answer_of("name") after a test cell's imports for each answer it reads."""
    path = _notebook(tmp_path, 'import math\nassert len(window) == 2, "Q5: a pair"')
    src = nbformat.read(str(path), as_version=4).cells[2].source.split("\n")
    assert src[:3] == ["import math", "from osteonecrosis.exercises import answer_of", 'answer_of("window")']
