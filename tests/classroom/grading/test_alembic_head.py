"""A new gradebook gets nbgrader's schema version without the `alembic` program (classroom/grading/alembic_head.py):
the same version the program prints, in grade-class and in every nbgrader command run from the course."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbgrader.api
import pytest
from classroom.authoring.release import make_course
from classroom.grading import alembic_head

BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_the_version_is_the_one_the_alembic_program_prints(tmp_path: Path) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {Path(nbgrader.__file__).parent / 'alembic'}\n"
                   "sqlalchemy.url = sqlite:///:memory:\n")
    printed = subprocess.run([str(BIN / "alembic"), "-c", str(ini), "heads"], capture_output=True, text=True,
                             check=True).stdout.split()[0]
    assert alembic_head.alembic_head() == printed


@pytest.mark.slow
def test_grade_class_installs_it() -> None:
    """In a process of its own: importing grade-class's gradebook module is what installs it (nothing else did)."""
    probe = ("import nbgrader.api as api\nfrom classroom.grading import alembic_head\n"
             "assert api.get_alembic_version is not alembic_head.alembic_head\n"
             "import classroom.grading.gradebook\n"
             "assert api.get_alembic_version is alembic_head.alembic_head\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_an_nbgrader_command_makes_a_new_gradebook_without_the_program(tmp_path: Path) -> None:
    """`alembic` on PATH is a stand-in that leaves a mark: the course's nbgrader_config.py keeps it unused, and the
    new gradebook still records nbgrader's schema version."""
    shim = tmp_path / "shim"
    shim.mkdir()
    mark = tmp_path / "alembic-was-started"
    (shim / "alembic").write_text(f'#!/bin/sh\ntouch {mark}\nexec {BIN / "alembic"} "$@"\n')
    (shim / "alembic").chmod(0o755)
    course = make_course(tmp_path / "course", [])
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(BIN / "nbgrader"), "db", "student", "add", "s1"], cwd=course, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(alembic_head.alembic_head(),)]
    assert not mark.exists(), "nbgrader started the alembic program for a new gradebook"
