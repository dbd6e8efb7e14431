"""`make lab` serves JupyterLab on the course, and a kernel started there imports the course package.

This starts the real `make lab` (set-up already done, so it only launches the server), then talks to the
server as JupyterLab does: REST to start a kernel in course/, a websocket to run code in it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import uuid

import websocket

from tests.conftest import ROOT

TOKEN = "course-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read()


def _execute(ws: websocket.WebSocket, code: str, timeout: float = 60) -> str:
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    out: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            raise AssertionError("kernel error: " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)
    raise AssertionError("kernel did not answer in time")


def test_make_lab_serves_the_course_and_imports_the_package(tmp_path):
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    proc = subprocess.Popen(["make", "-s", "lab", f"PORT={port}", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = _get(f"{base}/api/status")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "JupyterLab did not start within 120 s"
            time.sleep(0.5)

        status, page = _get(f"{base}/lab/tree/course/00_start_here.ipynb")
        assert status == 200 and b"JupyterLab" in page

        status, listing = _get(f"{base}/api/contents/course")
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert any(n.startswith("00_") and n.endswith(".ipynb") for n in names)

        req = urllib.request.Request(f"{base}/api/kernels", method="POST",
                                     data=json.dumps({"name": "python3", "path": "course"}).encode(),
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            kernel = json.loads(resp.read())
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={TOKEN}", timeout=60)
        try:
            printed = _execute(ws, "import osteonecrosis, os\nprint(osteonecrosis.__name__, os.getcwd())")
        finally:
            ws.close()
        name, cwd = printed.split()
        assert name == "osteonecrosis"
        assert cwd == str(ROOT / "course")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_make_grade_without_an_assignment_is_one_line_and_fails():
    # As an instructor types it in a shell: not a sub-make of `make test` (which would add "Entering directory").
    shell = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(["make", "grade"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=shell)
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1 and "ASSIGNMENT=" in lines[0] and "ps1_drugs_and_risk" in lines[0], lines
    assert "usage:" not in lines[0]


def test_grading_and_benchmarks_never_install_a_browser_or_a_database():
    """`make grade` / `make bench` on a grading server need bubblewrap only (make -n: what would run)."""
    for target in (["grade", "ASSIGNMENT=ps1_drugs_and_risk"], ["bench"]):
        plan = subprocess.run(["make", "-n", "-W", "pyproject.toml", *target], cwd=ROOT, capture_output=True,
                              text=True, timeout=60).stdout
        assert "system_deps.sh sandbox" in plan, plan
        assert "system_deps.sh all" not in plan and "chromium" not in plan and "postgresql" not in plan, plan
    script = (ROOT / "tools" / "system_deps.sh").read_text()
    sandbox_branch = script.split("sandbox)", 1)[1].split(";;", 1)[0]
    assert "chromium" not in sandbox_branch and "postgres" not in sandbox_branch


def test_setup_shows_progress_and_errors():
    """No -q/-qq on the installs: pip's progress and its real error reach the terminal."""
    plan = subprocess.run(["make", "-n", "-W", "pyproject.toml", "setup"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line]
    assert len(installs) == 2 and not any(re.search(r"\s-q+\b", line) for line in installs), installs
    assert "ipykernel install" in plan and ">/dev/null" not in plan
