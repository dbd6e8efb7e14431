"""tools/hub/hub.py without a hub: the roster, the pins of the shared environment, the proxy pin, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support import hub as support_hub
from tests.support.hub import HUB_PY, hub_module

hub = hub_module()


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "students.csv"
    path.write_text(text)
    return path


def test_roster_is_read_as_the_instructor_guide_writes_it(tmp_path: Path) -> None:
    people = hub.read_roster(_roster(tmp_path, "id,first_name,last_name,email,lms_user_id\n"
                                                "s001,Ana,Diaz,ana@example.org,12345\ns002,Ben,Lee,ben@example.org,2\n"))
    assert [p.name for p in people] == ["s001", "s002"]
    assert people[0].first_name == "Ana" and people[0].password == ""


@pytest.mark.parametrize("text, message", [
    ("id,first_name,last_name\ns001,Ana,Diaz\n", "missing column(s) email"),
    ("id,first_name,last_name,email\n", "no students"),
    ("id,first_name,last_name,email\nAna Diaz,Ana,Diaz,a@x\n", "not a valid unix user name"),
    ("id,first_name,last_name,email\nroot;rm,Ana,Diaz,a@x\n", "not a valid unix user name"),
    ("id,first_name,last_name,email\ns001,A,B,a@x\ns001,C,D,c@x\n", "appears twice"),
])
def test_bad_rosters_are_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(hub.HubError, match=message.replace("(", r"\(").replace(")", r"\)")):
        hub.read_roster(_roster(tmp_path, text))


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["setup", "--roster", str(tmp_path / "missing.csv")], ["serve", "--prefix", str(tmp_path)],
                 ["nonsense"]):
        proc = subprocess.run([sys.executable, str(HUB_PY), *args], capture_output=True, text=True)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    missing = subprocess.run([sys.executable, str(HUB_PY), "serve", "--prefix", str(tmp_path)],
                             capture_output=True, text=True)
    assert missing.stderr.strip().count("\n") == 0 and "not set up" in missing.stderr


def test_make_hub_without_a_roster_says_so() -> None:
    proc = subprocess.run(["make", "-s", "hub"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0 and "ROSTER=" in proc.stderr


def test_shared_environment_pins_are_the_lock_plus_the_hub_extras(tmp_path: Path) -> None:
    out = hub.constraints(ROOT / "requirements.lock", HUB_PY.parent / "requirements-hub.txt", tmp_path / "c.txt")
    pins: dict[str, list[str]] = {}
    for line in out.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins.setdefault(name.lower().replace("_", "-"), []).append(version)
    assert all(len(v) == 1 for v in pins.values()), "a package is pinned twice"
    assert pins["jupyterhub"] == ["6.1.1"]
    lock = {ln.split("==")[0].lower().replace("_", "-"): ln.split("==")[1]
            for ln in (ROOT / "requirements.lock").read_text().splitlines() if "==" in ln and not ln.startswith("#")}
    for name in ("nbgrader", "jupyterlab", "ipywidgets", "numpy"):
        assert pins[name] == [lock[name]], f"{name}: the shared environment must use the lock's version"


def test_proxy_is_pinned_from_the_npm_registry() -> None:
    package = json.loads((HUB_PY.parent / "package.json").read_text())
    lock = json.loads((HUB_PY.parent / "package-lock.json").read_text())
    assert package["dependencies"] == {"configurable-http-proxy": "5.1.0"}
    entry = lock["packages"]["node_modules/configurable-http-proxy"]
    assert entry["version"] == "5.1.0" and entry["integrity"].startswith("sha512-")
    assert all("integrity" in v for k, v in lock["packages"].items() if k), "every npm package has its hash"


def _node_path(monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = support_hub.debian12_node()
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    return bin_dir


def test_proxy_installs_and_runs_on_debian12_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The locked proxy and every package under it declare engines that accept Debian 12's node (npm ci
    --engine-strict under node 18.20.4 and npm 9.2.0 refuses otherwise), and the proxy runs on that node."""
    bin_dir = _node_path(monkeypatch)
    command = hub.build_proxy(tmp_path)
    assert Path(command[0]) == bin_dir / "node"
    ran = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.strip() == "5.1.0", (ran.stdout, ran.stderr)
    node = subprocess.run([command[0], "--version"], capture_output=True, text=True)
    assert node.stdout.strip() == f"v{support_hub.DEBIAN12_NODE}"
    assert hub.build_proxy(tmp_path) == command, "a second set-up reuses the installed proxy"


def test_a_proxy_that_needs_a_newer_node_is_refused_in_one_line(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """configurable-http-proxy 5.3.0 (the hub's earlier pin) needs node >= 20: on Debian 12's node set-up stops
    with one line naming the node and what is required (the engine check can fail)."""
    _node_path(monkeypatch)
    pins = tmp_path / "pins"
    pins.mkdir()
    (pins / "package.json").write_text(json.dumps({"name": "old", "private": True,
                                                   "dependencies": {"configurable-http-proxy": "5.3.0"}}))
    locked = subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=pins,
                            capture_output=True, text=True, timeout=600)
    assert locked.returncode == 0, locked.stderr
    monkeypatch.setattr(hub, "HERE", pins)
    with pytest.raises(hub.HubError) as err:
        hub.build_proxy(tmp_path / "prefix")
    message = str(err.value)
    assert "\n" not in message and f"node v{support_hub.DEBIAN12_NODE}" in message \
        and re.search(r'required \{"node":">= ?2[0-9]', message), message


def _source_profile(tmp_path: Path, script: Path, groups: str) -> str:
    """PATH after a login shell sources the /etc/profile.d script, for an account in ``groups`` (a stand-in
    ``id`` prints them)."""
    fake = tmp_path / "fakebin"
    fake.mkdir(exist_ok=True)
    (fake / "id").write_text(f"#!/bin/sh\necho '{groups}'\n")
    (fake / "id").chmod(0o755)
    start = f"{fake}:/usr/local/bin:/usr/bin:/bin"
    out = subprocess.run(["sh", "-c", f". {script}; . {script}; echo \"$PATH\""], capture_output=True, text=True,
                         env={"PATH": start})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_login_shells_of_course_accounts_get_the_shared_environment_first(tmp_path: Path) -> None:
    prefix, venv = tmp_path / "prefix", tmp_path / "prefix" / "venv"
    script = hub.write_profile_script(prefix, venv, profile_d=tmp_path / "profile.d")
    assert script.name.startswith("osteonecrosis-course-") and oct(script.stat().st_mode & 0o777) == "0o644"
    assert hub.profile_script_path(hub.DEFAULT_PREFIX).name == "osteonecrosis-course.sh"
    for groups in ("users osteonecrosis-students", "osteonecrosis-instructors"):
        path = _source_profile(tmp_path, script, groups).split(":")
        assert path[0] == str(venv / "bin") and path.count(str(venv / "bin")) == 1, path
    other = _source_profile(tmp_path, script, "users sudo osteonecrosis-studentsX")
    assert str(venv) not in other, "an account outside the course's groups must keep its PATH"


def test_shared_server_config_allows_the_labs_own_frames_only(tmp_path: Path) -> None:
    conf = tmp_path / "venv" / "etc" / "jupyter" / "jupyter_server_config.json"
    conf.parent.mkdir(parents=True)
    conf.write_text(json.dumps({"ServerApp": {"tornado_settings": {"headers": {"X-Other": "1"}}, "ip": "x"}}))
    hub.write_server_config(tmp_path / "venv")
    written = json.loads(conf.read_text())["ServerApp"]
    assert written["tornado_settings"]["headers"] == {"X-Other": "1",
                                                      "Content-Security-Policy": "frame-ancestors 'self'"}
    assert written["ip"] == "x", "what was there is kept"
    overrides = hub.write_lab_overrides(tmp_path / "venv")
    settings = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert settings["fetchNews"] == "false" and settings["checkForUpdates"] is False
