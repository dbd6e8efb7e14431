"""The same grade-class command with a shared PostgreSQL gradebook, against a real server started here."""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook

from tests.adversarial.course import (
    ASSIGNMENT,
    BOUNDARY_Q1,
    GOOD_Q1,
    GOOD_Q2,
    grade_class,
    make_course,
    notebook_with,
)
from tests.adversarial.course import submit as submit_nb
from tests.classroom.grading.test_grading_adversarial import require_sandbox
from tests.conftest import IN_CI
from tests.support.postgres import PostgresUnavailable, postgres_server

pytestmark = [pytest.mark.postgres, pytest.mark.nbgrader]


@pytest.fixture(scope="module")
def pg_url():
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL must be available in CI: {exc}")
        pytest.skip(str(exc))


def test_grading_into_a_postgresql_gradebook(tmp_path, pg_url):
    require_sandbox()
    course = make_course(tmp_path / "course", db_url=pg_url)
    submit_nb(course, "ana", notebook_with(course, GOOD_Q1, GOOD_Q2))
    submit_nb(course, "ben", notebook_with(course, BOUNDARY_Q1, GOOD_Q2))

    first = grade_class(course, "--db", pg_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "graded 2 submission(s)" in first.stdout
    assert not (course / "gradebook.db").exists()  # nothing went to the default SQLite file
    with Gradebook(pg_url, "fixture") as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}
    assert scores == {"ana": 5.0, "ben": 4.0}

    again = grade_class(course, "--db", pg_url)  # a second grader sharing the gradebook: nothing left to do
    assert again.returncode == 0
    assert "graded 0 submission(s) (0 with problems), failed 0, skipped 2 unchanged" in again.stdout
