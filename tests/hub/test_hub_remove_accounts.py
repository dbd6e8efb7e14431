"""End of term on the one-machine hub: `python3 tools/hub/hub.py remove-accounts`, run as docs/hub.md says (Debian's
own python3, as root), archives the instructor's course folder (gradebook included) before anything is deleted,
refuses without --yes, and then removes exactly what `setup` created: accounts and homes, the course's groups, the
exchange's course folder, the hub's files in the prefix and the login-shell PATH script. Real unix accounts."""

from __future__ import annotations

import contextlib
import csv
import grp
import pwd
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hub import HUB_PY, hub_module, require_hub_prerequisites

hub = hub_module()
DEBIAN_PYTHON = "/usr/bin/python3"


@contextlib.contextmanager
def _set_up_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """hub.py's real setup (accounts, groups, exchange, instructor's course, PATH script, records) in a fresh
    folder; only the shared environment and the proxy are stubbed (the class-hub test builds those)."""
    require_hub_prerequisites()
    tmp = Path(tempfile.mkdtemp(prefix="osteonecrosis-rm-", dir="/tmp"))
    tmp.chmod(0o755)
    tag = secrets.token_hex(3)
    instructor, students = f"r{tag}-inst", [f"r{tag}-s1", f"r{tag}-s2"]
    roster = tmp / "roster.csv"
    with open(roster, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "first_name", "last_name", "email"])
        w.writerows([[s, "A", "B", f"{s}@example.org"] for s in students])
    groups_before = {g for g in (hub.STUDENT_GROUP, hub.INSTRUCTOR_GROUP) if _group_exists(g)}
    monkeypatch.setattr(hub, "build_env", lambda venv, python, exchange: venv.mkdir(parents=True, exist_ok=True))
    monkeypatch.setattr(hub, "build_proxy", lambda prefix: ["node", str(prefix / "proxy" / "chp")])
    prefix, exchange = tmp / "prefix", tmp / "exchange"
    try:
        settings = hub.setup(roster, instructor, prefix, exchange, DEBIAN_PYTHON)
        yield {"tmp": tmp, "roster": roster, "instructor": instructor, "students": students, "prefix": prefix,
               "exchange": exchange, "settings": settings, "groups_before": groups_before}
    finally:
        for user in [instructor, *students]:
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        for group in {hub.STUDENT_GROUP, hub.INSTRUCTOR_GROUP} - groups_before:
            subprocess.run(["groupdel", group], capture_output=True)
        profile = hub.profile_script_path(prefix)
        if profile.is_file() and str(prefix) in profile.read_text():
            profile.unlink()
        shutil.rmtree(tmp, ignore_errors=True)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def _remove(roster: Path, instructor: str, prefix: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """As docs/hub.md says: Debian's python3 runs tools/hub/hub.py (no course environment needed)."""
    return subprocess.run([DEBIAN_PYTHON, str(HUB_PY), "remove-accounts", "--roster", str(roster),
                           "--instructor", instructor, "--prefix", str(prefix), *extra],
                          capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def test_remove_accounts_archives_the_course_then_removes_what_setup_made(monkeypatch: pytest.MonkeyPatch) -> None:
    with _set_up_class(monkeypatch) as c:
        instructor, students = str(c["instructor"]), list(c["students"])  # type: ignore[arg-type]
        prefix, exchange, tmp = Path(str(c["prefix"])), Path(str(c["exchange"])), Path(str(c["tmp"]))
        course = Path(pwd.getpwnam(instructor).pw_dir) / hub.COURSE_FOLDER
        # The term's work: a gradebook and a submission in the exchange.
        with sqlite3.connect(course / "gradebook.db") as db:
            db.execute("create table grade (student text, score real)")
            db.execute("insert into grade values (?, 19.0)", (students[0],))
        gradebook = (course / "gradebook.db").read_bytes()
        inbound = exchange / hub.COURSE_ID / "inbound" / f"{students[0]}+ps1+2026-01-01"
        inbound.mkdir(parents=True)
        (inbound / "ps1.ipynb").write_text("{}")
        profile = Path(str(c["settings"]["profile_script"]))  # type: ignore[index]
        assert profile.is_file() and "osteonecrosis-students" in profile.read_text()

        # 1. Without --yes: the plan, one error line, exit 2, nothing touched.
        dry = _remove(Path(str(c["roster"])), instructor, prefix)
        assert dry.returncode == 2, dry.stderr
        assert "Traceback" not in dry.stderr and len(dry.stderr.strip().splitlines()) == 1, dry.stderr
        assert "--yes" in dry.stderr and f"would archive first: {course}" in dry.stdout, dry.stdout
        assert all(_exists(u) for u in [instructor, *students]) and (course / "gradebook.db").is_file()

        # 2. An account that is not the course's is refused before anything is removed.
        foreign = tmp / "foreign.csv"
        foreign.write_text(f"id,first_name,last_name,email\n{students[1]},A,B,a@x\nnobody,N,B,n@x\n")
        refused = _remove(foreign, instructor, prefix, "--yes", "--archive", str(tmp / "archive"))
        assert refused.returncode == 2 and "'nobody' is not in group" in refused.stderr, refused.stderr
        assert all(_exists(u) for u in [instructor, *students]) and not (tmp / "archive").exists()

        # 3. With --yes: the archive first (root only), then everything setup created goes.
        done = _remove(Path(str(c["roster"])), instructor, prefix, "--yes", "--archive", str(tmp / "archive"))
        assert done.returncode == 0, done.stderr
        archives = list((tmp / "archive").glob(f"{instructor}-{hub.COURSE_FOLDER}-*.tar.gz"))
        assert len(archives) == 1, done.stdout
        assert archives[0].stat().st_mode & 0o777 == 0o600 and (tmp / "archive").stat().st_mode & 0o777 == 0o700
        with tarfile.open(archives[0]) as tar:
            kept = tar.extractfile(f"{hub.COURSE_FOLDER}/gradebook.db")
            assert kept is not None and kept.read() == gradebook
            names = tar.getnames()
        assert any(n.startswith(f"{hub.COURSE_FOLDER}/solutions/") for n in names)
        for user in [instructor, *students]:
            assert not _exists(user), f"{user} was not removed"
        assert not course.exists()
        for group in {hub.STUDENT_GROUP, hub.INSTRUCTOR_GROUP} - set(c["groups_before"]):  # type: ignore[arg-type]
            assert not _group_exists(group), f"group {group} was not removed"
        assert not prefix.exists(), f"left in the prefix: {list(prefix.rglob('*'))[:5]}"
        assert not exchange.exists(), "the exchange setup created is still there"
        assert not profile.exists(), "the login-shell PATH script is still there"
        again = _remove(Path(str(c["roster"])), instructor, prefix, "--yes", "--archive", str(tmp / "archive"))
        assert again.returncode == 0 and "removed: nothing" in again.stdout, (again.stdout, again.stderr)
