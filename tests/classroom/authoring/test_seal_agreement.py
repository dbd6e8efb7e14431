"""Issue 19's must-show, on answers nobody listed: no wrong answer passes Validate, no right one is refused.

For each problem set (the default and two class variants), answers are generated from every model answer
(classroom.authoring.seal_agreement) and, for every test cell that reads them, Validate's verdict (form checks
and the sealed check of the student version) is compared with the grade's (the hidden tests).
"""

from __future__ import annotations

import hashlib

import nbformat
import pytest
from classroom.authoring import seal, seal_agreement
from classroom.authoring.assignment_model import assignment_ids
from classroom.authoring.variant_preprocessor import apply_variant
from classroom.authoring.variant_release import has_draw

from tests.conftest import SOLUTIONS

SECRETS = [hashlib.sha256(f"seal-agreement-{i}".encode()).hexdigest().encode() for i in range(2)]
MINIMUM = 40  # generated answers per problem set, at least


def _assert_agrees(report: seal_agreement.Report) -> None:
    print(report.line())
    examples = "\n".join(d.line() for d in (report.disagreements or [])[:10])
    assert report.values >= MINIMUM, report.line()
    assert report.passing_but_losing == 0, f"{report.line()}\n{examples}"
    assert report.right_but_refused == 0, f"{report.line()}\n{examples}"


@pytest.mark.parametrize("assignment_id", assignment_ids(SOLUTIONS))
def test_validate_passes_exactly_when_the_grade_is_full_marks(assignment_id: str) -> None:
    _assert_agrees(seal_agreement.check_notebook(SOLUTIONS / assignment_id / f"{assignment_id}.ipynb"))


@pytest.mark.parametrize("assignment_id", [a for a in assignment_ids(SOLUTIONS) if has_draw(a)])
def test_and_so_on_class_variants(assignment_id: str) -> None:
    path = SOLUTIONS / assignment_id / f"{assignment_id}.ipynb"
    for secret in SECRETS:
        nb = nbformat.read(str(path), as_version=4)
        assert apply_variant(nb, assignment_id, secret, path.name)
        seal.seal_notebook(nb, path.parent, f"{assignment_id} (variant)")
        _assert_agrees(seal_agreement.check_notebook(path, nb))
