"""The README's instructor guide works as written: its nbgrader commands are read from the page
and run, in order, in a temporary copy of the course (this repository's nbgrader_config.py).

Covered: add students, record the assignment, release to an exchange, collect an LMS zip with zip_collect,
autograde, generate feedback, export grades to CSV (scores checked in the CSV and the gradebook).
"""

from __future__ import annotations

import csv
import re
import shlex
import zipfile
from pathlib import Path

import nbformat
import pytest
from classroom import wrong_submissions

from tests.conftest import ROOT, SOLUTIONS
from tests.support.nbgrader_course import NbgraderCourse

pytestmark = pytest.mark.nbgrader

README = ROOT / "README.md"
EXAMPLE = "ps2_diagnosis_and_staging"


def guide_commands() -> list[list[str]]:
    """Every `.venv/bin/nbgrader ...` command of the guide (indented code lines, continuations joined)."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split("\n## Instructor guide\n", 1)[1].split("\n## ", 1)[0]
    text = re.sub(r"\\\n\s*", " ", section)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(".venv/bin/nbgrader "):
            out.append(shlex.split(line.split("  #")[0])[1:])
    return out


def command(verb: str, *more: str) -> list[str]:
    """The first guide command whose words start with ``verb`` (and contain ``more``)."""
    for args in guide_commands():
        if args[: len(verb.split())] == verb.split() and all(m in args for m in more):
            return args
    raise AssertionError(f"the README's instructor guide has no 'nbgrader {verb}' command")


def test_the_guide_names_every_step() -> None:
    verbs = {" ".join(a[:2]) if a[0] == "db" else a[0] for a in guide_commands()}
    needed = {"db student", "generate_assignment", "release_assignment", "collect", "zip_collect", "autograde",
              "generate_feedback", "export"}
    assert needed <= verbs, f"missing from the guide: {sorted(needed - verbs)}"


def test_guide_commands_work_as_written(tmp_path: Path) -> None:
    assert (SOLUTIONS / EXAMPLE).is_dir(), f"the guide's example assignment {EXAMPLE} is missing from solutions/"
    course = NbgraderCourse(tmp_path / "course", [EXAMPLE])
    root = course.root
    run = course.run

    # 2. students, 3. record the assignment: exactly the guide's commands
    run(*command("db student add"))
    run("db", "student", "add", "s002")
    run(*command("generate_assignment"))
    assert (root / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb").exists()

    # 4a. release to an exchange (a temporary exchange root instead of /srv/nbgrader/exchange)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    run(*command("release_assignment"), f"--Exchange.root={exchange}")
    assert list(exchange.glob(f"osteonecrosis/outbound/{EXAMPLE}/*.ipynb")), "nothing released to the exchange"

    # 4b. an LMS zip: one complete submission (s001) and one unanswered (s002)
    solution = nbformat.read(str(SOLUTIONS / EXAMPLE / f"{EXAMPLE}.ipynb"), as_version=4)
    release = nbformat.read(str(root / "assignments" / EXAMPLE / f"{EXAMPLE}.ipynb"), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    done = wrong_submissions.apply(release, wrong_submissions.Mistake("done", "", answers, {}, 0))
    archive = root / "downloaded" / EXAMPLE / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms-download.zip", "w") as zf:
        zf.writestr(f"s001_{EXAMPLE}.ipynb", nbformat.writes(done))
        zf.writestr(f"s002_{EXAMPLE}.ipynb", nbformat.writes(release))
    run(*command("zip_collect"))
    for s in ("s001", "s002"):
        assert (root / "submitted" / s / EXAMPLE / f"{EXAMPLE}.ipynb").exists(), f"zip_collect missed {s}"

    # 5. autograde, 7. feedback, 8. export
    run(*command("autograde"))
    run(*command("generate_feedback"))
    for s in ("s001", "s002"):
        assert list((root / "feedback" / s / EXAMPLE).glob("*.html")), f"no feedback for {s}"
    run(*command("export"))
    with (root / "grades.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == EXAMPLE}
    auto_max = sum(course.max_scores(EXAMPLE).values())
    assert float(rows["s001"]["score"]) == auto_max, rows["s001"]   # written answers not graded yet
    assert float(rows["s002"]["score"]) == 0, rows["s002"]
    assert sum(course.scores(EXAMPLE, "s001").values()) == auto_max
