"""Grading the nbgrader way: plain ``nbgrader autograde`` and ``nbgrader generate_feedback`` with the course's
nbgrader_config.py run student code only in the sandboxed step, under grade-class's guards.

The fixture course (tests/fixtures/grading/course) with the course's own nbgrader_config.py in place of its own:
well-behaved students, a probe that reports where it ran, and hostile submissions of the adversarial corpus
that beat nbgrader's own ``Execute`` (hidden error reporting, hooks forging results, objects equal to
everything, changed builtins, a forged answer block, reads and writes outside the kernel's folder, active
content). ``nbgrader autograde`` must give each exactly the corpus's score, and the same scores as grade-class
on the same submissions; nothing may be written outside the sandbox; feedback must carry no script, no event
handler and no hidden test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from classroom.grading.sandbox import isolation_problem
from nbgrader.api import Gradebook

from tests.adversarial.corpus import CASES, Context
from tests.adversarial.course import (
    ASSIGNMENT,
    BOUNDARY_Q1,
    GOOD_Q1,
    GOOD_Q2,
    env,
    notebook_with,
    released,
    submit,
)
from tests.conftest import IN_CI, ROOT

pytestmark = pytest.mark.nbgrader

FIXTURE = ROOT / "tests" / "fixtures" / "grading" / "course"
# Corpus cases that run code in the kernel and beat nbgrader's own Execute, or reach outside its folder.
HOSTILE = ["hide_errors", "post_run_forge", "always_equal", "move_expected", "pre_run_displayhook",
           "forged_block_hook", "read_solutions", "read_gradebook", "write_outside", "active_content"]
CONTROLS = {"good": 5.0, "partial": 4.0, "stub": 0.0}
PROBE = GOOD_Q1 + '''
import json, os
print("PROBE" + json.dumps({{"uid": os.getuid(), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
                            "course_visible": os.path.exists({course!r}),
                            "gradebook_visible": os.path.exists({course!r} + "/gradebook.db")}}))
'''
# Two submissions graded by the same process (same zygote, same checker fork server), in either order: each first
# looks for what the other wrote, then writes its own marker in its working directory, /tmp, its home and the
# folder above its working directory.
LEAKERS = ("leak_a", "leak_b")
LEAK = GOOD_Q1 + '''
import glob, json, os
_places = [".", "/tmp", os.path.expanduser("~"), ".."]
_seen = sorted(p for d in _places for p in glob.glob(os.path.join(d, "LEAKED-*")))
_wrote = []
for _d in _places:
    try:
        with open(os.path.join(_d, "LEAKED-{name}"), "w") as _fh:
            _fh.write("x")
        _wrote.append(_d)
    except OSError:
        pass
print("LEAK" + json.dumps({{"seen": _seen, "wrote": _wrote}}))
'''


def require_sandbox() -> None:
    problem = isolation_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"the grading sandbox must work in CI: {problem}")
        pytest.skip(f"no sandbox on this machine: {problem}")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env(), capture_output=True,
                          text=True, timeout=1800)


def scores(course: Path) -> dict[str, dict[str, float]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "osteonecrosis") as gb:
        return {sub.student.id: {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
                for sub in gb.find_assignment(ASSIGNMENT).submissions}


def pwned(*roots: Path) -> list[str]:
    found = [str(p) for root in roots if root.is_dir() for p in root.rglob("PWNED*")]
    return found + [f"/tmp/{n}" for n in Path("/tmp").iterdir() if n.name.startswith("PWNED")] + [
        f"/{n.name}" for n in Path("/").iterdir() if n.name.startswith("PWNED")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_sandbox()
    base = tmp_path_factory.mktemp("nbgrader-way")
    course = base / "course"
    shutil.copytree(FIXTURE, course)
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")  # the course's own settings
    done = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    submit(course, "good", notebook_with(course, GOOD_Q1, GOOD_Q2))
    submit(course, "partial", notebook_with(course, BOUNDARY_Q1, GOOD_Q2))
    submit(course, "stub", released(course))
    submit(course, "probe", notebook_with(course, PROBE.format(course=str(course)), GOOD_Q2))
    for name in LEAKERS:
        submit(course, name, notebook_with(course, LEAK.format(name=name), GOOD_Q2))
    ctx = Context(course=course, workdir=base / "work", victim="good")
    cases = [c for c in CASES if c.name in HOSTILE]
    assert {c.name for c in cases} == set(HOSTILE)
    for case in cases:
        case.build(course, case.name, ctx)

    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    by_nbgrader = scores(course)
    written_outside = pwned(course, base)
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    pages = {p.parent.parent.name: p.read_text() for p in (course / "feedback").glob(
        f"*/{ASSIGNMENT}/{ASSIGNMENT}.html")}  # nbgrader's pages, before grade-class writes its own
    grade_class = subprocess.run(
        [sys.executable, "-m", "classroom.grading.grade_class", ASSIGNMENT, "--force", "--no-csv", "--no-progress",
         "--workdir", str(ctx.workdir), "--jobs", "2"],
        cwd=course, env=env(), capture_output=True, text=True, timeout=1800)
    return {"course": course, "cases": cases, "autograde": autograde, "nbgrader": by_nbgrader,
            "outside": written_outside, "feedback": feedback, "pages": pages, "grade_class": grade_class,
            "gc": scores(course)}


def test_nbgrader_autograde_runs_and_grades_everyone(graded):
    proc = graded["autograde"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(graded["nbgrader"]) == set(CONTROLS) | {"probe", *LEAKERS} | {c.name for c in graded["cases"]}


@pytest.mark.parametrize("case", HOSTILE)
def test_each_hostile_submission_scores_what_the_corpus_says(graded, case):
    expected = next(c for c in graded["cases"] if c.name == case)
    got = sum(graded["nbgrader"][case].values())
    assert got == expected.expected, f"{expected.kind}: nbgrader autograde gave {got}, the corpus says " \
                                     f"{expected.expected}\n{graded['autograde'].stderr[-3000:]}"


def test_honest_students_score_as_without_the_guards(graded):
    for student, total in CONTROLS.items():
        assert sum(graded["nbgrader"][student].values()) == total, student


def test_same_scores_as_grade_class(graded):
    proc = graded["grade_class"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert graded["gc"] == graded["nbgrader"]


def _printed(course: Path, student: str, tag: str) -> dict:
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    return json.loads(text.split(tag, 1)[1].splitlines()[0])


def test_student_code_ran_in_the_sandbox(graded):
    assert graded["outside"] == []
    report = _printed(graded["course"], "probe", "PROBE")
    assert report["course_visible"] is False and report["gradebook_visible"] is False
    assert f"{ASSIGNMENT}.ipynb" not in report["files"]  # the kernel's folder holds released data files only
    assert str(graded["course"]) not in report["cwd"]
    if sys.platform.startswith("linux") and __import__("os").geteuid() == 0:
        assert report["uid"] >= 1000  # an unprivileged uid of its own, never root


def test_one_zygote_and_one_checker_fork_server_grade_every_notebook(graded):
    """One process, one preloaded kernel zygote and one checker fork server for all the submissions (as root:
    otherwise kernels are fresh sandboxed processes, see classroom.grading.zygote)."""
    if os.geteuid() != 0:
        pytest.skip("zygote kernels and the checker's own uid need a root grader")
    log = graded["autograde"].stdout + graded["autograde"].stderr
    assert len(graded["nbgrader"]) > 10
    assert log.count("sandbox: started a kernel zygote") == 1, log[-3000:]
    assert log.count("sandbox: started a checker fork server") == 1, log[-3000:]
    assert "tests ran beside student code" not in log and "a fresh sandboxed kernel ran it" not in log


def test_nothing_one_notebook_wrote_reaches_the_next(graded):
    reports = {name: _printed(graded["course"], name, "LEAK") for name in LEAKERS}
    for name, report in reports.items():
        assert {".", "/tmp", "/home/student"} <= set(report["wrote"]), report  # the writes took place
        assert report["seen"] == [], f"{name} saw what another notebook wrote: {report}"
        assert sum(graded["nbgrader"][name].values()) == CONTROLS["good"], name


def test_the_guards_flag_what_they_caught(graded):
    log = graded["autograde"].stdout + graded["autograde"].stderr
    assert "forged_block_hook" in log and "answer export(s) held an answer block" in log, log[-3000:]
    summary = graded["grade_class"].stdout
    assert "active content (scripts, event handlers, Javascript) removed" in summary, summary[-3000:]


def test_generate_feedback_is_sanitised_and_leaves_hidden_tests_out(graded):
    proc = graded["feedback"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    pages = graded["pages"]
    assert set(pages) == set(graded["nbgrader"])
    for student, page in pages.items():
        low = page.lower()
        assert "<script" not in low and not re.search(r"\son[a-z]+\s*=", low), student
        assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(java|vb)script:", low), student  # (bootstrap's CSS names it)
        assert "Content-Security-Policy" in page, student
        assert "persisting_long_enough(8)" not in page and "doses(0, 3)" not in page, student  # hidden tests
        assert "BEGIN HIDDEN TESTS" not in page, student
    assert "attacker.invalid" not in pages["active_content"]


def test_nbgraders_own_execute_would_have_been_fooled(graded, tmp_path):
    """The control: the same course with nbgrader's default steps (its own, unsandboxed ``Execute``) gives two of
    these submissions marks they did not earn, so the scores above come from the course's steps."""
    course = tmp_path / "plain"
    shutil.copytree(graded["course"], course, ignore=shutil.ignore_patterns("autograded", "feedback"))
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write("\nfrom nbgrader.converters import Autograde as _A\n"
                 "c.Autograde.sanitize_preprocessors = _A.class_traits()['sanitize_preprocessors'].default()\n"
                 "c.Autograde.autograde_preprocessors = _A.class_traits()['autograde_preprocessors'].default()\n")
    fooled = ["always_equal", "move_expected"]
    for student in fooled:
        done = nbgrader(course, "autograde", ASSIGNMENT, "--force", f"--student={student}")
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    plain = scores(course)
    for student in fooled:
        assert sum(plain[student].values()) > sum(graded["nbgrader"][student].values()), student
