"""The students' copy of the course (make student-release): no solutions/, tests, tools or grader, and no
solution, hidden-test or mark-scheme text anywhere in it; the audit that guards it catches planted leaks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from classroom.authoring.assignment_model import (
    BEGIN_HIDDEN,
    BEGIN_MARK_SCHEME,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_MARK_SCHEME,
    END_SOLUTION,
    read_cells,
)
from classroom.publishing import student_release

from tests.conftest import ROOT, SOLUTIONS


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> student_release.StudentRelease:
    return student_release.build(tmp_path_factory.mktemp("student") / "release")


def _texts(dest: Path) -> dict[str, str]:
    out = {}
    for p in dest.rglob("*"):
        if p.is_file():
            try:
                out[str(p.relative_to(dest))] = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return out


def test_release_has_the_course_and_nothing_of_the_instructor(release) -> None:
    dest = release.dest
    names = {p.name for p in dest.rglob("*")}
    for forbidden in ("solutions", "tests", "tools", "classroom", "nbgrader_config.py", "gradebook.db", "Makefile"):
        assert forbidden not in names, f"{forbidden} is in the student release"
    assert not list(dest.rglob("*.csv")), "a CSV (roster or grades) is in the student release"
    assert sorted(p.name for p in (dest / "course").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "course").glob("*.ipynb"))
    assert (dest / "course" / "osteonecrosis" / "__init__.py").is_file()
    for aid in release.assignments_checked:
        assert (dest / "assignments" / aid / f"{aid}.ipynb").is_file()
    assert release.assignments_checked == sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir())
    project = tomllib.loads((dest / "pyproject.toml").read_text())
    assert "grade-class" not in project["project"]["scripts"]
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["osteonecrosis*"]


def test_no_hidden_test_or_mark_scheme_text_in_any_file(release) -> None:
    """Independent of the audit: every hidden-test and mark-scheme line of 20+ characters that holds a literal
    (nbgrader never releases them; imports aside) is absent from every file, and no nbgrader delimiter appears.
    A line without a literal (``_got = f(_proc, _due)``) computes, it does not tell: a sealed check computes the
    student's results on the graded inputs with the same line."""
    texts = _texts(release.dest)
    secrets: set[str] = set()
    for nb in SOLUTIONS.glob("*/*.ipynb"):
        for cell in read_cells(nb):
            for begin, end in ((BEGIN_HIDDEN, END_HIDDEN), (BEGIN_MARK_SCHEME, END_MARK_SCHEME)):
                secrets |= {ln.strip() for ln in cell.region(begin, end)
                            if len(ln.strip()) >= 20 and not student_release.IMPORT.match(ln.strip())
                            and re.search(r"['\"]|\d", ln)}
    assert len(secrets) > 20, "found too few hidden tests / mark schemes to make this check meaningful"
    for rel, text in texts.items():
        for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "BEGIN MARK SCHEME"):
            assert marker not in text, f"{rel} contains {marker!r}"
        body = text if not rel.endswith(".ipynb") else "\n".join(
            c.source for c in nbformat.reads(text, as_version=4).cells)
        lines = {ln.strip() for ln in body.split("\n")}
        shared = sorted(s for s in secrets if s in lines)
        # A hidden test may make the same public call a course notebook teaches; never a whole block.
        assert len(shared) <= 1, f"{rel} contains hidden-test / mark-scheme lines: {shared[:3]}"
    assert not [w for w in release.warnings if not w.startswith("course/osteonecrosis/")]


@pytest.mark.parametrize("plant", ["solution-notebook", "hidden-test-cell", "mark-scheme-in-readme", "symlink"])
def test_audit_catches_planted_leaks(release, tmp_path: Path, plant: str) -> None:
    dest = tmp_path / "copy"
    shutil.copytree(release.dest, dest, symlinks=True)
    assert student_release.audit(dest).problems == []
    source = next(iter(sorted(SOLUTIONS.glob("*/*.ipynb"))))
    aid = source.parent.name
    if plant == "solution-notebook":
        shutil.copy2(source, dest / "course" / "extra.ipynb")
    elif plant == "hidden-test-cell":
        nb = nbformat.read(str(dest / "assignments" / aid / f"{aid}.ipynb"), as_version=4)
        solution = nbformat.read(str(source), as_version=4)
        hidden = next(c for c in solution.cells if "BEGIN HIDDEN TESTS" in c.source)
        body = hidden.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        nb.cells.append(nbformat.v4.new_code_cell(body))
        nbformat.write(nb, str(dest / "assignments" / aid / f"{aid}.ipynb"))
    elif plant == "mark-scheme-in-readme":
        cells = read_cells(source)
        scheme = next(c for c in cells if c.kind == "manual")
        lines = [ln for ln in scheme.region(BEGIN_SOLUTION, END_SOLUTION) if len(ln.strip()) >= 20][:3]
        with open(dest / "README.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + "\n".join(lines) + "\n")
    else:
        (dest / "course" / "link.ipynb").symlink_to(source)
    problems = student_release.audit(dest).problems
    assert problems, f"the audit missed a planted {plant}"


def test_cli_builds_and_refuses_bad_destinations(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "classroom.publishing.student_release"]
    bad = subprocess.run([*run, "--dest", str(ROOT / "course")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "refusing" in bad.stderr
    assert (ROOT / "course" / "00_start_here.ipynb").is_file()
    unknown = subprocess.run([*run, "--nope"], capture_output=True, text=True, cwd=ROOT)
    assert unknown.returncode == 2
    ok = subprocess.run([*run, "--dest", str(tmp_path / "r")], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "audited against" in ok.stdout and (tmp_path / "r" / "course" / "00_start_here.ipynb").is_file()
