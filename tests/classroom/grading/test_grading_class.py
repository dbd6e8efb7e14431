"""grade-class on a small class: LMS zip in, grades out, interrupted and resumed without losing or doubling
a grade, unchanged submissions skipped, feedback and CSV written; refusal without a sandbox; bad input."""

from __future__ import annotations

import csv
import datetime as dt
import signal
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from classroom.grading import grade_class
from nbgrader.api import Gradebook

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
from tests.classroom.grading.test_grading_adversarial import cell_grades, require_sandbox

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
    assert code == 130 and "interrupted: run the same command again" in out, resumed["first"]  # (code, out, err)
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


# -- issue 18: submission times from what the student cannot write; due date and policy in the resume key -------
def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _set_duedate(course, when: dt.datetime) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "fixture") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=when)


def _penalties(course) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "fixture") as gb:
        return {s.student.id: float(s.late_submission_penalty) for s in gb.find_assignment(ASSIGNMENT).submissions}


def _via_exchange(course, student: str, stamp: str | None, entry_stamp: str) -> None:
    """What `nbgrader submit` + `nbgrader collect` leave: an inbound entry, and its copy in submitted/."""
    nb = notebook_with(course, GOOD_Q1, GOOD_Q2)
    entry = course.parent / "exchange" / "fixture" / "inbound" / f"{student}+{ASSIGNMENT}+{entry_stamp}+r4nd"
    entry.mkdir(parents=True)
    nbformat.write(nb, entry / f"{ASSIGNMENT}.ipynb")
    submit(course, student, nb)
    if stamp is not None:
        (entry / "timestamp.txt").write_text(stamp)
        (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    require_sandbox()
    course = make_course(tmp_path_factory.mktemp("timed") / "course")
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write("c.AssignLatePenalties.plugin_class = 'classroom.grading.late_penalty.PerDayLatePenalty'\n"
                 f"c.Exchange.root = {str(course.parent / 'exchange')!r}\n")
    now = _utcnow()
    honest = now.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    _via_exchange(course, "honest", honest, honest)
    _via_exchange(course, "forger", "2020-01-01 09:00:00.000000 UTC", "2020-01-01 09:00:00.000000 UTC")
    submit(course, "nostamp", notebook_with(course, GOOD_Q1, GOOD_Q2))  # no timestamp.txt, no exchange entry
    _set_duedate(course, now - dt.timedelta(days=2, hours=12))  # every submission is 3 started days late
    runs = {"late": run_grade_class(course), "penalties_late": _penalties(course)}
    _set_duedate(course, now + dt.timedelta(days=1))  # the instructor moves the due date: nobody is late
    runs["moved"] = run_grade_class(course)
    runs["penalties_moved"] = _penalties(course)
    _set_duedate(course, now - dt.timedelta(days=120))  # a due date in the wrong term: everybody months late
    runs["months"] = run_grade_class(course)
    runs["course"] = course
    return runs


def test_a_timestamp_the_student_wrote_earns_no_escape_from_the_late_penalty(timed):
    late = timed["late"]
    assert late.returncode == 0, late.stdout + late.stderr
    assert timed["penalties_late"] == {"honest": 1.5, "forger": 1.5, "nostamp": 1.5}  # 30 % of 5 points each
    assert "(2 with problems)" in late.stdout
    assert ("forger: 5/5, late penalty 1.5; submission time: timestamp.txt says 2020-01-01 09:00:00 UTC but the "
            "exchange says") in late.stdout
    assert "nostamp: 5/5, late penalty 1.5; submission time: neither the LMS zip nor the exchange has it" in late.stdout
    assert "  honest:" not in late.stdout
    stamp = timed["course"] / "autograded" / "forger" / ASSIGNMENT / "timestamp.txt"
    assert not stamp.read_text().startswith("2020")  # formgrader and feedback show the trusted time


def test_a_changed_due_date_regrades_and_drops_the_stale_penalty(timed):
    moved = timed["moved"]
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "graded 3 submission(s)" in moved.stdout and "skipped 0 unchanged" in moved.stdout
    assert timed["penalties_moved"] == {"honest": 0.0, "forger": 0.0, "nostamp": 0.0}
    assert "WARNING" not in moved.stdout


def test_a_class_months_late_gets_one_warning_line(timed):
    months = timed["months"]
    warnings = [line for line in months.stdout.splitlines() if "WARNING" in line]
    assert warnings == [line for line in warnings if line.startswith("WARNING: 3 of 3 submission(s) are more "
                                                                     "than a week after the due date")]
    assert len(warnings) == 1


def _moodle_attack_zip(course, path):
    good = nbformat.writes(notebook_with(course, GOOD_Q1, GOOD_Q2))
    stub = nbformat.writes(released(course))
    z = "Zed Evil_999_assignsubmission_file_"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(f"Vic Tim_1234_assignsubmission_file_{ASSIGNMENT}.ipynb",
                                    (2026, 3, 1, 9, 0, 0)), good)
        zf.writestr(zipfile.ZipInfo(f"{z}x_1234_assignsubmission_file_{ASSIGNMENT}.ipynb", (2026, 3, 2, 9, 0, 0)),
                    stub)
        zf.writestr(zipfile.ZipInfo(f"{z}y_1250_assignsubmission_file_{ASSIGNMENT}.ipynb", (2026, 3, 1, 9, 0, 0)),
                    good)
        zf.writestr(zipfile.ZipInfo(f"kim_777_1_{ASSIGNMENT}_final.ipynb", (2026, 3, 1, 9, 0, 0)), good)
        zf.writestr(zipfile.ZipInfo(f"Lu Wei_1301_assignsubmission_file_/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                                    (2026, 3, 1, 9, 0, 0)), good)


def test_lms_names_typed_by_a_student_take_nobody_and_real_uploads_are_graded(tmp_path):
    """Moodle flat names inside an upload (victim replaced, non-submitter graded: issue 18), a Canvas upload
    renamed `..._final.ipynb` and a Moodle subfolder (scored 0 before); the summary counts the problems."""
    require_sandbox()
    course = make_course(tmp_path / "course")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "fixture") as gb:
        for sid, first, last, lms_id in (("vic", "Vic", "Tim", "1234"), ("absent", "Abe", "Sent", "1250"),
                                         ("zed", "Zed", "Evil", "999"), ("kim", "", "", "777"),
                                         ("lu", "Lu", "Wei", "1301")):
            gb.update_or_create_student(sid, first_name=first, last_name=last, lms_user_id=lms_id)
    _moodle_attack_zip(course, tmp_path / "moodle.zip")
    done = run_grade_class(course, "--zip", str(tmp_path / "moodle.zip"))
    assert done.returncode == 0, done.stdout + done.stderr
    totals = {s: sum(g.values()) for s, g in cell_grades(course).items()}
    assert totals == {"vic": 5.0, "kim": 5.0, "lu": 5.0}  # no 'absent', no 'zed' (two candidates: none taken)
    assert "graded 3 submission(s) (0 with problems), failed 0, skipped 0 unchanged, 3 problem(s) collecting " \
           "the zip" in done.stdout
    assert "zed: not collected from the zip:" in done.stdout and "imitates another LMS entry" in done.stdout
    assert "renamed upload" in done.stdout
    with open(course / f"grades-{ASSIGNMENT}.csv", newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert float(rows["kim"]["score"]) == 5.0 and float(rows["lu"]["score"]) == 5.0


def test_a_bad_zip_pattern_is_one_line_and_no_traceback(tmp_path):
    require_sandbox()
    course = make_course(tmp_path / "course")
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        zf.writestr("ana/x.ipynb", "{}")
    for pattern in ("(?P<student_id>[a-z", "(?P<who>.+)"):
        done = run_grade_class(course, "--zip", str(tmp_path / "x.zip"), "--zip-pattern", pattern)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and "--zip-pattern" in lines[0], done.stderr
        assert "Traceback" not in done.stderr


def test_the_exchange_is_found_where_nbgrader_finds_it(tmp_path, monkeypatch):
    """Submission times come from the exchange's inbound/: its root from the course, else Jupyter's config."""
    from traitlets.config import Config

    (tmp_path / "jc").mkdir()
    (tmp_path / "jc" / "nbgrader_config.py").write_text("c = get_config()\nc.Exchange.root = '/srv/exchange'\n")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jc"))
    assert grade_class.exchange_root(Config()) == Path("/srv/exchange")
    course = Config()
    course.Exchange.root = "/course/exchange"
    assert grade_class.exchange_root(course) == Path("/course/exchange")


@pytest.mark.parametrize(("line", "words"), [
    ("c.AssignLatePenalties.plugin_class = 'no_such_module.Plugin'", "late-penalty policy"),
    ("c.AssignLatePenalties.plugin_class = 'classroom.grading.late_penalty.PerDayLatePenalty'\n"
     "c.PerDayLatePenalty.percent_per_day = 'ten'", "late-penalty policy"),
    ("c.CourseDirectory.course_id = (", "cannot be loaded"),
])
def test_a_bad_late_policy_or_config_is_one_clear_line(tmp_path, line, words):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(f"c = get_config()\n{line}\n")
    done = subprocess.run([str(BIN / "grade-class"), "ps_fixture", "--no-progress"], cwd=course, env=env(),
                          capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_notebook_renamed_before_the_exchange_is_graded_by_its_cells(tmp_path):
    """A student who renamed the notebook (or moved it into a folder) before `nbgrader submit` scored 0: it is
    now graded under its name and flagged for review; two candidates are left alone and flagged."""
    require_sandbox()
    course = make_course(tmp_path / "course")
    good = notebook_with(course, GOOD_Q1, GOOD_Q2)
    renamed = submit(course, "ren", good).with_name(f"{ASSIGNMENT} (final).ipynb")
    submit(course, "ren", good).rename(renamed)
    moved = submit(course, "sub", good)
    (moved.parent / "work").mkdir()
    moved.rename(moved.parent / "work" / "mine.ipynb")
    two = submit(course, "two", good)
    nbformat.write(good, two.with_name("copy.ipynb"))
    two.rename(two.with_name("other.ipynb"))
    done = run_grade_class(course)
    assert done.returncode == 0, done.stdout + done.stderr
    totals = {s: sum(g.values()) for s, g in cell_grades(course).items()}
    assert totals["ren"] == 5.0 and totals["sub"] == 5.0 and totals.get("two", 0.0) == 0.0
    assert f"renamed upload ren: {ASSIGNMENT} (final).ipynb graded as {ASSIGNMENT}.ipynb" in done.stdout
    assert "renamed upload two:" in done.stdout and "ambiguous, not graded" in done.stdout


def test_ctrl_c_while_a_result_is_written_waits_until_it_is_whole():
    """An interrupt in the middle of writing one result (between its commits) is held until the result is whole,
    then stops the run; outside such a write it stops the run at once."""
    interrupts = grade_class.DeferredInterrupts()
    steps: list[str] = []
    before = signal.getsignal(signal.SIGINT)  # whatever this test process had (xdist workers may ignore SIGINT)

    def write(student: str) -> str:
        steps.append(f"{student}: scores")
        signal.raise_signal(signal.SIGINT)  # Ctrl-C between the scores' commit and the penalty's
        steps.append(f"{student}: penalty")
        return student

    with interrupts.installed():
        with pytest.raises(KeyboardInterrupt):
            interrupts.whole(write)("ana")
        assert steps == ["ana: scores", "ana: penalty"]
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert interrupts.whole(lambda: "no interrupt, no exception")() == "no interrupt, no exception"
    assert signal.getsignal(signal.SIGINT) is before, "the run's own Ctrl-C handler was not put back"
