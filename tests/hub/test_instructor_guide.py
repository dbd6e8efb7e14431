"""The README's instructor guide works as written, in a plain shell, from a fresh clone.

Every command of the guide's code blocks is read from README.md and run, in order and unchanged, with
``bash -c`` in a fresh ``git clone`` of this repository, with ``env -i``-style environment: ``PATH=/usr/bin:/bin``
(so ``python3`` is Debian's own 3.11.2 and nothing of a virtualenv is on PATH) and a fresh HOME. The only things
the test adds are what people do between the commands: an exchange root in HOME's nbgrader config (instead of
/usr/local/share), the roster and the LMS zip in ``~/mronj-private/``, two students as real unix accounts who
fetch, answer (one right, one wrong), submit and resubmit, a manual grade with a comment (as formgrader writes
it), and the students fetching their feedback. The set-up is also run with the Python the Makefile picks on a
developer's PATH.
"""

from __future__ import annotations

import csv
import html
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import wrong_submissions
from classroom.authoring.assignment_model import read_cells

from tests.conftest import ROOT, SOLUTIONS
from tests.support.pip_env import NO_BYTE_COMPILE
from tests.support.system_path import add_sbin

add_sbin()  # useradd, runuser, userdel for the student accounts, from a plain PATH

pytestmark = pytest.mark.nbgrader

README = ROOT / "README.md"
EXAMPLE = "ps2_diagnosis_and_staging"
DEBIAN_PYTHON = Path("/usr/bin/python3")
PERSONAL = ["grades.csv", f"grades-{EXAMPLE}.csv", "students.csv", "roster.csv", "canvas-roster.csv",
            "gradebook.db", "gradebook.db-journal", "gradebook-backup.db", "private/students.csv",
            f"submitted/s001/{EXAMPLE}/{EXAMPLE}.ipynb", f"autograded/s001/{EXAMPLE}/timestamp.txt",
            f"feedback/s001/{EXAMPLE}/{EXAMPLE}.html", f"downloaded/{EXAMPLE}/archive/canvas.zip"]


# -- the guide, read from the README ----------------------------------------------------------------------------
def guide_section() -> str:
    readme = README.read_text(encoding="utf-8")
    return readme.split("\n## Instructor guide\n", 1)[1].split("\n## ", 1)[0]


def guide_commands() -> list[str]:
    """Every command of the guide's indented code blocks, in order (continuation lines joined)."""
    lines = guide_section().splitlines()
    out: list[str] = []
    pending = ""
    for line in lines:
        if not line.startswith("    ") or not line.strip():
            continue
        text = line[4:]
        pending = f"{pending} {text.strip()}" if pending else text.strip()
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        out.append(pending)
        pending = ""
    return out


def find(words: str) -> str:
    for cmd in guide_commands():
        if words in cmd:
            return cmd
    raise AssertionError(f"the README's instructor guide has no command with {words!r}")


def test_the_guide_names_every_step() -> None:
    needed = ["make setup", "make check", "nbgrader db student add", "nbgrader db student import",
              "nbgrader db assignment add", "nbgrader generate_assignment", "nbgrader release_assignment",
              "nbgrader collect", "--update", "grade-class", "--zip", "make grade ASSIGNMENT=",
              "python -m classroom feedback",
              "nbgrader release_feedback", "nbgrader export"]
    text = "\n".join(guide_commands())
    assert not [w for w in needed if w not in text], [w for w in needed if w not in text]
    assert "generate_feedback" not in text, "generate_feedback --force would show hidden tests"
    for cmd in guide_commands():
        assert "activate" not in cmd and not cmd.startswith(("nbgrader", "python", "grade-class")), (
            f"{cmd!r} needs an activated environment")


def test_personal_data_is_ignored_by_git() -> None:
    done = subprocess.run(["git", "check-ignore", "--no-index", "-v", *PERSONAL], cwd=ROOT, capture_output=True,
                          text=True)
    ignored = {line.split("\t", 1)[1] for line in done.stdout.splitlines()}
    assert ignored == set(PERSONAL), f"not ignored by git: {sorted(set(PERSONAL) - ignored)}"


def test_config_stops_before_touching_anything_when_alembic_is_missing(tmp_path: Path) -> None:
    """nbgrader_config.py refuses, in one line, before the gradebook or a released assignment is touched."""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions" / EXAMPLE, course / "solutions" / EXAMPLE)
    shutil.copytree(ROOT / "assignments" / EXAMPLE, course / "assignments" / EXAMPLE)
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    code = ("import sys; sys.executable = '/nonexistent/bin/python'; sys.argv = ['nbgrader', *sys.argv[1:]]\n"
            "from nbgrader.apps.nbgraderapp import main; main()")
    for argv in (["db", "student", "add", "s001"], ["generate_assignment", EXAMPLE, "--force"]):
        done = subprocess.run([sys.executable, "-c", code, *argv], cwd=course, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=300)
        assert done.returncode != 0
        assert "the 'alembic' program is not in /nonexistent/bin" in done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        assert not (course / "gradebook.db").exists()
        assert (course / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb").is_file()


# -- a clean shell, a fresh clone, unix accounts for students ---------------------------------------------------
def clean_env(home: Path, path: str = "/usr/bin:/bin") -> dict[str, str]:
    """What `env -i` leaves, plus the machine's pip configuration (where packages come from, not an activation),
    without pip's byte-compilation."""
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}
    for key, value in os.environ.items():
        if key.startswith("PIP_") and key != "PIP_REQUIRE_VIRTUALENV":
            env[key] = value
    user_pip = Path.home() / ".config" / "pip" / "pip.conf"
    if user_pip.is_file():
        env["PIP_CONFIG_FILE"] = str(user_pip)
    env["PIP_CACHE_DIR"] = str(Path.home() / ".cache" / "pip")
    env.update(NO_BYTE_COMPILE)  # Python compiles what it imports on first use (tests/support/pip_env.py)
    return env


def fresh_clone(base: Path) -> Path:
    """A `git clone` of this repository's committed state (the guide's first command, pointed at this repo)."""
    dest = base / "mronj-course"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True, timeout=300)
    return dest


@pytest.fixture
def base() -> Iterator[Path]:
    """A world-readable scratch folder (student accounts must reach the course's .venv and the exchange)."""
    path = Path(tempfile.mkdtemp(prefix="mronj-guide-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Shell:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd, self.env, self.log = cwd, env, []

    def __call__(self, cmd: str, timeout: float = 900) -> str:
        done = subprocess.run(["bash", "-c", cmd], cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        out = done.stdout + done.stderr
        self.log.append((cmd, out))
        assert done.returncode == 0, f"`{cmd}` exited {done.returncode}:\n{out[-4000:]}"
        return out


class Student:
    """A real unix account that runs nbgrader's student commands in its own home."""

    def __init__(self, login: str, base: Path, venv_bin: Path, exchange: Path) -> None:
        self.login, self.home = login, base / "home" / login
        self.home.mkdir(parents=True)
        subprocess.run(["useradd", "--no-create-home", "--home-dir", str(self.home), "--shell", "/bin/bash",
                        login], check=True)
        (self.home / ".jupyter").mkdir()
        (self.home / ".jupyter" / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")
        uid = pwd.getpwnam(login).pw_uid
        for path in [self.home, *self.home.rglob("*")]:
            os.chown(path, uid, uid)
        self.uid, self.bin = uid, venv_bin

    def nbgrader(self, *args: str) -> str:
        cmd = ["runuser", "-u", self.login, "--", "env", "-i", "PATH=/usr/bin:/bin", f"HOME={self.home}",
               "LANG=C.UTF-8", "bash", "-c", f"cd ~ && {self.bin}/nbgrader " + " ".join(args)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{self.login}: nbgrader {' '.join(args)}:\n{(done.stdout + done.stderr)[-3000:]}"
        return done.stdout + done.stderr

    def write_answer(self, nb: nbformat.NotebookNode) -> None:
        path = self.home / EXAMPLE / f"{EXAMPLE}.ipynb"
        assert path.is_file(), f"{self.login} has not fetched {EXAMPLE}"
        nbformat.write(nb, str(path))
        os.chown(path, self.uid, self.uid)

    def remove(self) -> None:
        subprocess.run(["pkill", "-KILL", "-u", self.login], capture_output=True)
        subprocess.run(["userdel", self.login], capture_output=True)


def answered(release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    solution = nbformat.read(str(SOLUTIONS / EXAMPLE / f"{EXAMPLE}.ipynb"), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    return wrong_submissions.apply(release, wrong_submissions.Mistake("done", "", answers, {}, 0))


def hidden_test_code() -> list[str]:
    """What only the hidden tests' code contains: their markers (nbgrader restores them with the hidden code
    in the autograded notebook), and the assert expressions of the hidden blocks that the release lacks."""
    import ast
    import re

    solution = nbformat.read(str(SOLUTIONS / EXAMPLE / f"{EXAMPLE}.ipynb"), as_version=4)
    release = (ROOT / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb").read_text()
    tests = []
    for cell in solution.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            for node in ast.walk(ast.parse(textwrap.dedent(block))):
                if isinstance(node, ast.Assert) and ast.unparse(node.test) not in release:
                    tests.append(ast.unparse(node.test))
    assert tests, "the example assignment has no hidden tests"
    return ["BEGIN HIDDEN TESTS", "END HIDDEN TESTS", *tests]


# -- the tests that run the guide ------------------------------------------------------------------------------
def test_setup_with_the_makefiles_python(base: Path) -> None:
    """`make setup` with the python3 a developer's PATH gives (here pyenv's), then the first gradebook command."""
    python3 = shutil.which("python3")
    assert python3, "no python3 on PATH"
    real = Path(subprocess.run([python3, "-c", "import sys; print(sys.executable)"], capture_output=True,
                               text=True, check=True).stdout.strip())
    clone = fresh_clone(base)
    home = base / "home-dev"
    home.mkdir()
    sh = Shell(clone, clean_env(home, f"{real.parent}:/usr/bin:/bin"))
    out = sh(find("make setup"))
    assert "== installing the locked dependencies" in out and "== set-up done" in out
    version = sh(".venv/bin/python -c 'import sys; print(sys.version.split()[0])'").strip()
    expected = subprocess.run([str(real), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                              text=True).stdout.strip()
    assert version == expected
    sh(find("nbgrader db student add"))
    out = sh(".venv/bin/python -c \"import sqlite3; print(sqlite3.connect('gradebook.db')"
             ".execute('select version_num from alembic_version').fetchall())\"")
    assert re.search(r"\[\('[0-9a-f]+',\)\]", out), out


def test_the_whole_guide_runs_verbatim_on_debian_python(base: Path) -> None:
    assert DEBIAN_PYTHON.is_file(), "Debian's /usr/bin/python3 is missing"
    assert (SOLUTIONS / EXAMPLE).is_dir(), f"the guide's example assignment {EXAMPLE} is missing from solutions/"
    home = base / "home-instructor"
    home.mkdir()
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)   # the guide: chmod 777 on the exchange root
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")

    commands = guide_commands()
    assert commands[0].startswith("git clone "), "the guide should start from a clone"
    clone = fresh_clone(base)
    sh = Shell(clone, clean_env(home))
    tag = f"{os.getpid() % 100000:05d}"
    ana, ben = f"mga{tag}", f"mgb{tag}"      # exchange students: unix logins = student ids
    students: dict[str, Student] = {}
    release_nb = nbformat.read(str(clone / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb"), as_version=4)
    right, blank = answered(release_nb), release_nb
    auto_max = sum(c.points for c in read_cells(SOLUTIONS / EXAMPLE / f"{EXAMPLE}.ipynb") if c.kind == "test")
    outputs: dict[str, str] = {}
    try:
        for cmd in commands[1:]:
            # what people do before some commands
            if "db student import" in cmd:
                with (home / "mronj-private" / "students.csv").open("w", newline="") as fh:
                    w = csv.writer(fh)
                    w.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
                    w.writerow([ana, "Ana", "Right", "", ""])
                    w.writerow([ben, "Ben", "Resubmits", "", ""])
            if "grade-class" in cmd and "--zip" in cmd:
                write_canvas_zip(home / "mronj-private" / "submissions-ps2.zip", right, blank)

            outputs[cmd] = sh(cmd)

            # what people do after some commands
            if cmd.startswith("make setup"):
                assert sh(".venv/bin/python -c 'import sys; print(sys.version_info[:3])'").strip() == "(3, 11, 2)"
                assert "== set-up done" in outputs[cmd]
            if "release_assignment" in cmd:
                for login in (ana, ben):
                    students[login] = Student(login, base, clone / ".venv" / "bin", exchange)
                    students[login].nbgrader("fetch_assignment", EXAMPLE, "--course", "osteonecrosis")
                students[ana].write_answer(right)
                students[ana].nbgrader("submit", EXAMPLE, "--course", "osteonecrosis")
                students[ben].write_answer(right)            # ben submits the right answers ...
                students[ben].nbgrader("submit", EXAMPLE, "--course", "osteonecrosis")
                students[ben].write_answer(blank)            # ... then resubmits an unanswered notebook
                students[ben].nbgrader("submit", EXAMPLE, "--course", "osteonecrosis")
            if "--zip" in cmd:
                assert "not in the roster" in outputs[cmd] and "kimjoe" in outputs[cmd]
                assert not (clone / "submitted" / "diazana").exists(), "an LMS login became a student"
            if cmd.startswith("make grade"):
                assert re.search(r"graded 0 submission\(s\).*skipped 3 unchanged", outputs[cmd]), outputs[cmd]
                check_course_state(clone, [ana, ben, "s001"], exchange)
                assert scores(clone, ben)[0] == 0, "the resubmission (unanswered) did not win"
                assert scores(clone, ana)[0] == auto_max and scores(clone, "s001")[0] == auto_max
                # formgrader: a manual grade and a comment on ana's written answers
                give_manual_grades(clone, ana, "Clear reasoning; cite the AAOMS 2022 staging.")
                # ben resubmits the right answers: collect --update and make grade regrade exactly him
                students[ben].write_answer(right)
                students[ben].nbgrader("submit", EXAMPLE, "--course", "osteonecrosis")
                sh(find("nbgrader collect"))
                again = sh(find("make grade"))
                assert re.search(r"graded 1 submission\(s\).*skipped 2 unchanged", again), again
                assert scores(clone, ben)[0] == auto_max
            if "release_feedback" in cmd:
                check_feedback(students, ana, ben, auto_max)
        check_export(home / "mronj-private" / "grades.csv", ana, ben, auto_max)
        for cmd, out in sh.log:
            assert "is not absolute" not in out, f"`{cmd}` warns about a relative course root"
            assert "Traceback" not in out, f"`{cmd}` printed a traceback:\n{out[-2000:]}"
    finally:
        for student in students.values():
            student.remove()


def write_canvas_zip(path: Path, right: nbformat.NotebookNode, blank: nbformat.NotebookNode) -> None:
    """As Canvas names it: s001 has lms_user_id 12345 (the guide's first command); a resubmission 2 days late."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(f"diazana_12345_67890_{EXAMPLE}.ipynb", (2026, 3, 1, 9, 0, 0)),
                    nbformat.writes(blank))
        zf.writestr(zipfile.ZipInfo(f"diazana_12345_67891_{EXAMPLE}-1.ipynb", (2026, 3, 4, 12, 0, 0)),
                    nbformat.writes(right))
        zf.writestr(zipfile.ZipInfo(f"kimjoe_99999_67892_{EXAMPLE}.ipynb", (2026, 3, 1, 9, 0, 0)),
                    nbformat.writes(right))


def gradebook(clone: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{clone / 'gradebook.db'}", course_id="osteonecrosis")


def scores(clone: Path, student: str) -> tuple[float, float]:
    """(autograded points, late penalty) of one student's submission, from the gradebook."""
    with gradebook(clone) as gb:
        sub = gb.find_submission_notebook(EXAMPLE, EXAMPLE, student)
        auto = sum(float(g.auto_score or 0) for g in sub.grades if g.cell.cell_type == "code")
        return auto, float(sub.late_submission_penalty or 0)


def check_course_state(clone: Path, students: list[str], exchange: Path) -> None:
    """After grade-class: nbgrader's state files are where release_feedback and formgrader look."""
    for student in students:
        auto = clone / "autograded" / student / EXAMPLE
        assert (auto / "timestamp.txt").is_file(), f"{student}: no timestamp.txt in autograded/"
        assert (auto / f"{EXAMPLE}.ipynb").is_file()
    for student in students:  # the exchange's, or a fresh one for an LMS submission
        assert (clone / "autograded" / student / EXAMPLE / "submission_secret.txt").is_file()
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.root = str(clone)
    cfg.CourseDirectory.course_id = "osteonecrosis"
    cfg.CourseDirectory.db_url = f"sqlite:///{clone / 'gradebook.db'}"
    cfg.Exchange.root = str(exchange)
    api = NbGraderAPI(CourseDirectory(config=cfg), config=cfg)
    seen = {s["student"]: s for s in api.get_submissions(EXAMPLE)}     # what formgrader lists
    for student in students:
        assert seen[student]["autograded"] and seen[student]["timestamp"], seen[student]


def give_manual_grades(clone: Path, student: str, comment: str) -> None:
    """What formgrader does on 'Manual grading': points for each written answer and a comment."""
    with gradebook(clone) as gb:
        sub = gb.find_submission_notebook(EXAMPLE, EXAMPLE, student)
        for grade in sub.grades:
            if grade.cell.cell_type == "markdown":
                grade.manual_score = float(grade.max_score)
                grade.needs_manual_grade = False
        for c in sub.comments:
            if c.name == "q3_written":
                c.manual_comment = comment
        gb.db.commit()


def check_feedback(students: dict[str, Student], ana: str, ben: str, auto_max: float) -> None:
    for login in (ana, ben):
        students[login].nbgrader("fetch_feedback", EXAMPLE, "--course", "osteonecrosis")
        pages = list((students[login].home / EXAMPLE / "feedback").rglob(f"{EXAMPLE}.html"))
        assert pages, f"{login} fetched no feedback"
        text = max(pages, key=lambda p: p.stat().st_mtime).read_text()
        for code in hidden_test_code():
            assert html.escape(code) not in text and code not in text, f"{login}'s feedback shows hidden test code"
        if login == ana:
            assert "Clear reasoning; cite the AAOMS 2022 staging." in text, "the manual comment is missing"
            assert f"{auto_max + 6:g}" in text or f"{auto_max + 6:.1f}" in text, "the manual points are missing"


def check_export(path: Path, ana: str, ben: str, auto_max: float) -> None:
    with path.open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == EXAMPLE}
    # exchange submissions are months after the guide's due date: the whole score goes (5 days or more)
    assert float(rows[ana]["raw_score"]) == auto_max + 6 and float(rows[ana]["score"]) == 0, rows[ana]
    assert float(rows[ana]["late_submission_penalty"]) == auto_max + 6
    assert float(rows[ben]["raw_score"]) == auto_max and float(rows[ben]["score"]) == 0
    # s001's Canvas resubmission is 1.5 days after the due date: 2 started days, 20 %
    assert float(rows["s001"]["raw_score"]) == auto_max
    assert float(rows["s001"]["late_submission_penalty"]) == pytest.approx(auto_max * 0.2)
    assert json.dumps(rows)  # a plain CSV, nothing else


def test_feedback_command_bad_input_is_one_line(tmp_path: Path) -> None:
    def run(*argv: str) -> tuple[int, list[str]]:
        done = subprocess.run([sys.executable, "-m", "classroom", "feedback", *argv], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr.strip().splitlines()

    code, lines = run(EXAMPLE)
    assert code == 2 and len(lines) == 1 and "no nbgrader_config.py" in lines[0]
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path)
    code, lines = run(EXAMPLE)
    assert code == 2 and len(lines) == 1 and "no gradebook" in lines[0]
    assert not (tmp_path / "gradebook.db").exists()


def test_a_failed_generate_assignment_leaves_the_released_assignment_in_place(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions" / EXAMPLE, course / "solutions" / EXAMPLE)
    shutil.copytree(ROOT / "assignments" / EXAMPLE, course / "assignments" / EXAMPLE)
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    released = course / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb"
    before = released.read_bytes()
    (course / "solutions" / EXAMPLE / f"{EXAMPLE}.ipynb").write_text("{ not a notebook")
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run([str(nbgrader), "generate_assignment", EXAMPLE, "--force"], cwd=course,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode != 0, done.stderr[-2000:]
    assert re.search(r"Removing (existing|failed) assignment", done.stderr)   # nbgrader did delete it ...
    assert "the previous version is back in place" in done.stderr
    assert released.read_bytes() == before                     # ... and it is back, unchanged
