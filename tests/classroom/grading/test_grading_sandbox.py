"""The sandbox itself, probed from inside by a small script (no notebook, no nbgrader)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from classroom.grading.sandbox import Limits, Sandbox, claim_uid, isolation_problem

from tests.classroom.grading.test_grading_adversarial import require_sandbox
from tests.conftest import ROOT

PROBE = r'''
import json, os, resource, socket
out = {"uid": os.getuid(), "euid": os.geteuid(), "cwd": os.getcwd()}
def can(fn):
    try:
        fn()
        return True
    except Exception:
        return False
out["read_course"] = can(lambda: open(ROOT + "/pyproject.toml").read())
try:
    out["list_course"] = sorted(os.listdir(ROOT))
except OSError:
    out["list_course"] = []
out["read_private"] = can(lambda: open(PRIVATE + "/secret.txt").read())
out["read_other"] = can(lambda: open(OTHER + "/answers.txt").read())
out["write_scratch"] = can(lambda: open("mine.txt", "w").write("ok"))
out["write_tmp"] = can(lambda: open("/tmp/t.txt", "w").write("ok"))
out["write_venv"] = can(lambda: open(VENV + "/PWNED", "w").write("x"))
out["write_root"] = can(lambda: open("/PWNED", "w").write("x"))
out["network"] = can(lambda: socket.create_connection(("pypi.org", 443), timeout=3))
out["import_package"] = can(lambda: __import__("osteonecrosis"))
out["import_grader"] = can(lambda: __import__("classroom.grading.grade_class"))
out["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
out["as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
out["cpu"] = resource.getrlimit(resource.RLIMIT_CPU)[0]
out["fsize"] = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
out["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps(out))
'''


def test_isolation_is_available_here_or_the_reason_is_one_line():
    problem = isolation_problem()
    assert problem is None or "\n" not in problem


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    require_sandbox()
    base = tmp_path_factory.mktemp("sandbox")
    scratch, private, other = base / "scratch" / "ana", base / "private" / "ana", base / "scratch" / "ben"
    other.mkdir(parents=True)
    (other / "answers.txt").write_text("ben's work")
    private.mkdir(parents=True)
    (private / "secret.txt").write_text("gradebook")
    uid = claim_uid(62900)
    box = Sandbox(scratch=scratch, uid=uid, limits=Limits(processes=40, memory_mb=1500, cpu_seconds=30),
                  private=private / "etc")
    box.prepare()
    code = (f"ROOT={str(ROOT)!r}; PRIVATE={str(private)!r}; OTHER={str(other)!r}; VENV={sys.prefix!r}\n"
            + PROBE)
    done = subprocess.run(box.command([sys.executable, "-c", code]), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    box.reap()
    return {"out": json.loads(done.stdout), "scratch": scratch, "uid": uid, "base": base}


def test_student_code_runs_unprivileged_in_its_scratch(probe):
    out = probe["out"]
    if probe["uid"] is not None:
        assert out["uid"] == out["euid"] == probe["uid"]
    assert out["cwd"] == str(probe["scratch"])
    assert out["write_scratch"] and (probe["scratch"] / "mine.txt").read_text() == "ok"


def test_student_code_sees_only_python_and_the_domain_package(probe):
    out = probe["out"]
    assert out["import_package"]
    assert not out["import_grader"]  # the grading code (and the course tree) is not visible
    assert not out["read_course"]
    # only the mount points of the venv and the domain package exist in the course root
    assert set(out["list_course"]) <= {".venv", "course"}
    assert not out["read_private"] and not out["read_other"]


def test_student_code_cannot_write_outside_or_reach_the_network(probe):
    out = probe["out"]
    assert out["write_tmp"]  # a private, size-limited tmpfs
    assert not out["write_venv"] and not out["write_root"]
    assert not out["network"]
    assert not (Path(sys.prefix) / "PWNED").exists() and not Path("/PWNED").exists()
    assert not list(probe["base"].rglob("t.txt"))


def test_each_worker_claims_a_uid_of_its_own():
    if os.geteuid() != 0:
        assert claim_uid(62900) is None
        return
    first, second = claim_uid(62800), claim_uid(62800)
    assert first is not None and second is not None and first != second and min(first, second) >= 62800


def test_limits_apply_and_the_process_tree_is_private(probe):
    out = probe["out"]
    assert out["nproc"] == 40
    assert out["as"] == 1500 * 1024 * 1024
    assert out["cpu"] == 30
    assert out["fsize"] == Limits().file_size_mb * 1024 * 1024
    assert max(out["pids"]) < 10  # its own pid namespace: no grader or other student in sight


def test_pid_1_shows_no_host_path_and_the_sandbox_keeps_one_session_at_low_priority(tmp_path):
    require_sandbox()
    box = Sandbox(scratch=tmp_path / "scratch", uid=claim_uid(62700), limits=Limits(),
                  private=tmp_path / "private")
    box.prepare()
    code = ("import os\nprint(repr(open('/proc/1/cmdline').read()))\nprint(os.getpriority(os.PRIO_PROCESS, 0))\n"
            "try:\n    os.setsid()\n    print('setsid worked')\nexcept PermissionError:\n    print('setsid refused')")
    cmd, fds = Sandbox.hide_options(box.command(["python", "-I", "-c", code]))
    try:
        done = subprocess.run(cmd, pass_fds=fds, capture_output=True, text=True, timeout=120)
    finally:
        for fd in fds:
            os.close(fd)
    box.reap()
    assert done.returncode == 0, done.stderr
    cmdline, nice, setsid = done.stdout.strip().splitlines()
    assert setsid == "setsid refused"  # every process stays in the kernel's session (one CPU share)
    for host in (str(tmp_path), sys.prefix, str(ROOT), "--bind", "--ro-bind"):
        assert host not in cmdline, host
    assert int(nice) == Limits().nice >= 10
    assert Limits().processes <= 32


def test_trusted_workers_have_their_own_memory_and_file_size_limits():
    code = ("import resource; from classroom.grading.grade_class import _init_worker; _init_worker(62950, 3000); "
            "print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    memory, fsize = map(int, done.stdout.split())
    assert memory == 3000 * 1024 * 1024 and fsize == 512 * 1024 * 1024


def test_the_sandboxed_checker_takes_only_the_names_a_test_asks_for(tmp_path):
    """The checker as grading starts it (sandboxed, its source passed with -c): a forged answer named like a
    builtin or like the set-up's helper is refused, and the test fails with one line naming it."""
    import asyncio

    from classroom.grading.guards.checker import CheckerProcess, checker_argv

    require_sandbox()
    box = Sandbox(scratch=tmp_path / "checker", uid=claim_uid(62600), limits=Limits(), private=tmp_path / "etc")
    box.prepare()
    setup = "def check_equal(got, expected, what):\n    assert got == expected, what"
    source = "check_equal(ratio, 2.5, 'ratio')\nassert abs(ratio - 2.5) < 1e-9"
    forged = {"ratio": 0.0, "abs": {"__callable__": True}, "check_equal": {"__callable__": True}}

    async def go():
        checker = CheckerProcess(box.command(checker_argv()), launch=Sandbox.hide_options)
        await checker.start()
        try:
            await checker.request({"op": "setup", "source": setup})
            names = await checker.request({"op": "names", "source": source})

            async def yes(name, payload):  # what the student's kernel would answer: "fine"
                return {"value": 0 if name == "abs" else None}

            return names, await checker.request({"op": "test", "source": source, "answers": forged}, on_call=yes)
        finally:
            await checker.close()

    try:
        names, reply = asyncio.run(go())
    finally:
        box.reap()
    assert names["names"] == ["ratio"]
    assert reply["status"] == "error"
    error = next(o for o in reply["outputs"] if o["output_type"] == "error")
    assert error["ename"] == "AnswerError"
    assert "abs shadows a Python builtin (refused)" in error["evalue"]
    assert "check_equal is the grader's own" in error["evalue"]
