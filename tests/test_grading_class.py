"""grade-class on a small class: LMS zip in, grades out, interrupted and resumed without losing or doubling
a grade, unchanged submissions skipped, feedback and CSV written; refusal without a sandbox; bad input."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import time
import zipfile

import nbformat
import pytest
from classroom import grade_class

from tests.adversarial.course import (
    ASSIGNMENT,
    BIN,
    BOUNDARY_Q1,
    GOOD_Q1,
    GOOD_Q2,
    WRONG_Q2,
    env,
    make_course,
    notebook_with,
    released,
    submit,
)
from tests.adversarial.course import (
    grade_class as run_grade_class,
)
from tests.test_grading_adversarial import cell_grades, require_sandbox

pytestmark = pytest.mark.nbgrader

SLOW_Q2 = "import time\ntime.sleep(3)\n" + GOOD_Q2  # honest but slow: keeps the first run busy


def test_refuses_to_grade_without_a_sandbox(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grade_class, "isolation_problem", lambda: "no sandbox on darwin: bubblewrap is needed")
    code = grade_class.main([ASSIGNMENT, "--course-dir", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "refusing to grade" in err[0] and "--unsafe-no-sandbox" in err[0]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["ps_fixture", "--course-dir", "/nonexistent/course"], "course directory not found"),
        (["no_such_assignment"], "no gradebook at"),
        (["ps_fixture", "--jobs", "0"], "--jobs must be at least 1"),
        (["ps_fixture", "--zip", "missing.zip"], "zip not found"),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path, argv, words):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'fixture'\n")
    done = subprocess.run([str(BIN / "grade-class"), *argv, "--no-progress"], cwd=course, env=env(),
                          capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in done.stderr


EXPECTED = {"ana": 5.0, "ben": 4.0, "chloe": 0.0, "dev": 3.0, "eli": 5.0, "fay": 5.0}


def _lms_zip(course, path):
    """A Canvas-style flat zip for three students, a folder-style entry, and hostile entries."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"ana_12345_67890_{ASSIGNMENT}.ipynb", nbformat.writes(notebook_with(course, GOOD_Q1, GOOD_Q2)))
        zf.writestr(f"ben_late_222_333_{ASSIGNMENT}.ipynb",
                    nbformat.writes(notebook_with(course, BOUNDARY_Q1, GOOD_Q2)))
        zf.writestr(f"chloe/{ASSIGNMENT}.ipynb", nbformat.writes(released(course)))
        zf.writestr(f"../../escape_{ASSIGNMENT}.ipynb", "{}")
        zf.writestr("/etc/passwd_x", "root")


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    require_sandbox()
    course = make_course(tmp_path_factory.mktemp("class") / "course")
    archive = course.parent / "canvas.zip"
    _lms_zip(course, archive)
    for student in ("ana", "ben", "chloe"):  # the LMS zip's students come from the gradebook's roster
        subprocess.run([str(BIN / "nbgrader"), "db", "student", "add", student], cwd=course, env=env(),
                       capture_output=True, check=True, timeout=120)
    submit(course, "dev", notebook_with(course, GOOD_Q1, WRONG_Q2))
    submit(course, "eli", notebook_with(course, GOOD_Q1, SLOW_Q2))
    submit(course, "fay", notebook_with(course, GOOD_Q1, SLOW_Q2))

    cmd = [str(BIN / "grade-class"), ASSIGNMENT, "--no-progress", "--jobs", "1", "--zip", str(archive)]
    proc = subprocess.Popen(cmd, cwd=course, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done_before = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(course / "gradebook.db") as db:
                done_before = db.execute("SELECT COUNT(*) FROM grade_class_state").fetchone()[0]
        except sqlite3.OperationalError:
            done_before = 0
        if done_before >= 1:
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.1)
    first_out, first_err = proc.communicate(timeout=300)
    with sqlite3.connect(course / "gradebook.db") as db:
        committed = db.execute("SELECT COUNT(*) FROM grade_class_state").fetchone()[0]
    second = run_grade_class(course)
    third = run_grade_class(course)
    return {"course": course, "first": (proc.returncode, first_out, first_err), "committed": committed,
            "second": second, "third": third}


def test_lms_zip_is_collected_safely(resumed):
    course = resumed["course"]
    _, out, _ = resumed["first"]
    assert "collected 3 file(s) of 3 student(s) from canvas.zip; skipped 2" in out
    assert not (course.parent / f"escape_{ASSIGNMENT}.ipynb").exists()
    assert not list(course.parent.rglob("passwd_x"))


def test_an_interrupted_run_resumes_without_losing_or_doubling_grades(resumed):
    code, out, _ = resumed["first"]
    committed = resumed["committed"]
    assert code == 130 and "interrupted: run the same command again" in out
    assert 1 <= committed < len(EXPECTED)
    second = resumed["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"graded {len(EXPECTED) - committed} submission(s)" in second.stdout
    assert f"skipped {committed} unchanged" in second.stdout
    grades = cell_grades(resumed["course"])
    assert {s: sum(g.values()) for s, g in grades.items()} == EXPECTED
    with sqlite3.connect(resumed["course"] / "gradebook.db") as db:
        rows = db.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
    assert rows == len(EXPECTED) * 3


def test_a_finished_class_is_not_graded_again(resumed):
    third = resumed["third"]
    assert third.returncode == 0
    assert f"graded 0 submission(s) (0 with problems), failed 0, skipped {len(EXPECTED)} unchanged" in third.stdout


def test_a_changed_submission_is_regraded_alone(resumed):
    course = resumed["course"]
    submit(course, "chloe", notebook_with(course, GOOD_Q1, GOOD_Q2))
    done = run_grade_class(course)
    assert done.returncode == 0
    assert f"graded 1 submission(s) (0 with problems), failed 0, skipped {len(EXPECTED) - 1} unchanged" in done.stdout
    assert sum(cell_grades(course)["chloe"].values()) == 5.0
    submit(course, "chloe", released(course))  # back to the stub for the other tests' expectations
    run_grade_class(course)


def test_grades_csv_and_feedback_are_written(resumed):
    course = resumed["course"]
    with open(course / f"grades-{ASSIGNMENT}.csv", newline="") as fh:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    assert rows == EXPECTED
    for student in EXPECTED:
        assert (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
        assert (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
