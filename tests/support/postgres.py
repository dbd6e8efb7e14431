"""Start a real, throw-away PostgreSQL server (Debian's postgresql package) for a test, then stop it.

The server runs from /usr/lib/postgresql/*/bin in a temporary data directory, listens only on a unix
socket in that directory (no TCP port), and runs as an unprivileged user when we are root (``nobody``).
``PostgresUnavailable`` says why a server cannot be started; tests fail on it in CI and skip elsewhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.system_path import add_sbin

add_sbin()  # useradd, runuser, ... from a plain user's PATH


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start."""


def server_bin() -> Path:
    """The newest installed PostgreSQL server bin directory."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise PostgresUnavailable("PostgreSQL server not installed (apt-get install postgresql)")
    return Path(candidates[-1]).parent


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    if user is None:
        return cmd
    return ["runuser", "-u", user, "--", *cmd]


@contextmanager
def postgres_server(dbname: str = "gradebook") -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh database on a private server; the server is removed afterwards."""
    bindir = server_bin()
    user = "nobody" if os.geteuid() == 0 else None
    if user is not None and shutil.which("runuser") is None:
        raise PostgresUnavailable("runuser is needed to start PostgreSQL as an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if user is not None:
        info = pwd.getpwnam(user)
        os.chmod(base, 0o755)
        for path in (base, sock):
            os.chown(path, info.pw_uid, info.pw_gid)
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    log = base / "server.log"
    try:
        run = subprocess.run(
            _as_user([str(bindir / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8"], user),
            capture_output=True, text=True, env=env, timeout=300,
        )
        if run.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {run.stderr.strip()[-300:]}")
        opts = f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off"
        start = subprocess.run(
            _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "120",
                      "start"], user),
            capture_output=True, text=True, env=env, timeout=300,
        )
        if start.returncode != 0:
            tail = log.read_text()[-400:] if log.exists() else start.stderr[-400:]
            raise PostgresUnavailable(f"PostgreSQL did not start: {tail.strip()}")
        created = False
        for _ in range(60):
            done = subprocess.run(
                _as_user([str(bindir.parent / "bin" / "createdb"), "-h", str(sock), "-U", "grader", dbname], user),
                capture_output=True, text=True, env=env, timeout=60,
            )
            if done.returncode == 0:
                created = True
                break
            time.sleep(0.5)
        if not created:
            raise PostgresUnavailable(f"createdb failed: {done.stderr.strip()[-300:]}")
        yield f"postgresql+psycopg2://grader@/{dbname}?host={sock}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                                    user), capture_output=True, env=env, timeout=120)
        shutil.rmtree(base, ignore_errors=True)
