"""The student journey as the README tells it: students start from the student copy, never from this repository.

The test builds the copy and its zip (``python -m classroom.publishing.student_release``), unpacks the zip into a fresh
folder as a student would, runs the two set-up commands exactly as the copy's README writes them (with the
``python3`` found on PATH), starts the JupyterLab the second command starts, executes the primer notebook with the
student's environment, and finds no solution, hidden test, mark scheme or grader anywhere in what the student has.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

from classroom.publishing import student_release

from tests.conftest import ROOT
from tests.support.browser import free_port

COMMAND_BLOCK = re.compile(r"^ {6}(\S.*)$", re.MULTILINE)  # the README's indented command lines


def readme_commands(readme: str) -> list[str]:
    """The set-up commands of the student README: its indented command lines, in order."""
    return COMMAND_BLOCK.findall(readme)


def test_the_repository_readme_sends_students_to_the_student_copy() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    student = text.split("### Student", 1)[1].split("\n### ", 1)[0]
    assert "student copy" in student and "make student-release" in student, student
    assert "make lab" not in student, "the student journey must not start from the instructor repository"


def test_student_readme_gives_two_commands() -> None:
    commands = readme_commands(student_release.STUDENT_README)
    assert len(commands) == 2, commands
    assert commands[0].startswith("python3 -m venv .venv") and "-c requirements.lock" in commands[0]
    assert commands[1].startswith(".venv/bin/jupyter lab")


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def test_student_journey_from_a_fresh_copy_of_the_release(tmp_path: Path) -> None:
    release = student_release.build(tmp_path / "build" / "student-release")
    zipped = student_release.archive(release)
    student_home = tmp_path / "student"
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(student_home)
    copy = student_home / "student-release"
    assert (copy / "README.md").read_text(encoding="utf-8") == student_release.STUDENT_README

    setup, open_lab = readme_commands(student_release.STUDENT_README)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    done = subprocess.run(["bash", "-c", setup], cwd=copy, env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, f"the README's set-up command failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    py = copy / ".venv" / "bin" / "python"

    # What the student's environment holds: the course package, not the grader.
    probe = subprocess.run([str(py), "-c", "import osteonecrosis, importlib.util as u; "
                            "print(u.find_spec('classroom') is None)"], capture_output=True, text=True, env=env)
    assert probe.stdout.strip() == "True", probe.stderr
    assert not shutil.which("grade-class", path=str(copy / ".venv" / "bin"))

    # The second command, as written, plus what a test needs (a port, a token, no browser).
    port, token = free_port(), secrets.token_hex(16)
    extra = [f"--port={port}", f"--ServerApp.token={token}", "--no-browser", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        extra.append("--allow-root")
    log = tmp_path / "lab.log"
    with open(log, "wb") as fh:
        lab = subprocess.Popen(["bash", "-c", open_lab + " " + " ".join(extra)], cwd=copy, env=env, stdout=fh,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            assert lab.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                _get_json(f"{base}/api/status?token={token}")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
                time.sleep(1)
        top = {item["name"] for item in _get_json(f"{base}/api/contents/?token={token}")["content"]}
        assert {"course", "assignments", "README.md"} <= top and "solutions" not in top, top
        course = {item["name"] for item in _get_json(f"{base}/api/contents/course?token={token}")["content"]}
        assert "00_start_here.ipynb" in course, course
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)

    # The primer runs top to bottom in the student's own environment.
    ran = subprocess.run([str(copy / ".venv" / "bin" / "jupyter"), "execute", "--timeout=300",
                          "course/00_start_here.ipynb"], cwd=copy, env=env, capture_output=True, text=True,
                         timeout=900)
    assert ran.returncode == 0, ran.stderr[-3000:]

    # Nothing the student has holds a solution, a hidden test, a mark scheme or the grader.
    shutil.rmtree(copy / ".venv")  # third-party packages are not the course's to audit
    assert student_release.audit(copy).problems == []
    assert not list(copy.rglob("solutions")) and not list(copy.rglob("classroom"))
