"""The course's class server on one machine: a real JupyterHub with unix accounts (make hub).

    python tools/hub/hub.py setup --roster students.csv [--instructor NAME] [--prefix /opt/osteonecrosis]
    python tools/hub/hub.py serve [--prefix /opt/osteonecrosis] [--ip 127.0.0.1] [--port 8000]
    python tools/hub/hub.py remove-accounts --roster students.csv [--instructor NAME]

``setup`` (root, idempotent) makes:

- ``PREFIX/course``: the student release (``classroom.student_release``: no solutions, tests, tools);
- ``PREFIX/venv``: one environment every account can run, built with Debian's ``python3`` from
  ``requirements.lock`` plus ``tools/hub/requirements-hub.txt`` (JupyterHub, nbgrader, widgets, the course);
  nbgrader's Formgrader, Create Assignment and course list are switched off in it (``--sys-prefix``), and its
  ``etc/jupyter/nbgrader_config.py`` names the course and the exchange;
- ``PREFIX/proxy``: configurable-http-proxy from the npm registry, pinned by ``tools/hub/package-lock.json``;
- the nbgrader exchange (default ``/usr/local/share/nbgrader/exchange``, mode 1777 as nbgrader documents);
- unix accounts: one per roster row (group ``osteonecrosis-students``, home 0700 with a copy of the student
  release) and the instructor (group ``osteonecrosis-instructors``, home 0700 with a copy of the whole course,
  Formgrader and Create Assignment switched on for that account only, ``--user``). Passwords come from the
  roster's optional ``password`` column; accounts without one get a random password, written to
  ``PREFIX/hub/initial-passwords.csv`` (mode 0600, outside git);
- ``PREFIX/hub/settings.json``, read by ``tools/hub/jupyterhub_config.py``.

``serve`` starts JupyterHub (PAM login with those accounts) and its proxy in the foreground; Ctrl-C stops both.
The roster is the instructor guide's CSV (``id,first_name,last_name,email``, optional ``password``); keep it
outside the repository. Bad input: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import grp
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Root's system tools (useradd, chpasswd, runuser, groupadd) live in the sbin folders, which a plain user's PATH
# (or `env -i PATH=/usr/bin:/bin`) leaves out: look there too.
_SBIN = [d for d in ("/usr/local/sbin", "/usr/sbin", "/sbin") if d not in os.environ.get("PATH", "").split(os.pathsep)]
if _SBIN:
    os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]).strip(os.pathsep)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_PREFIX = Path("/opt/osteonecrosis")
DEFAULT_EXCHANGE = Path("/usr/local/share/nbgrader/exchange")  # nbgrader 0.9.6's default Exchange.root
DEFAULT_PYTHON = "/usr/bin/python3"
COURSE_ID = "osteonecrosis"
STUDENT_GROUP = "osteonecrosis-students"
INSTRUCTOR_GROUP = "osteonecrosis-instructors"
COURSE_FOLDER = "osteonecrosis-course"
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email")
# nbgrader's parts that only an instructor may see (nbgrader's documentation for JupyterHub).
INSTRUCTOR_LABEXTENSIONS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                            "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")


class HubError(RuntimeError):
    """Bad input or a failed set-up step; the message is one line."""


@dataclass(frozen=True)
class Person:
    name: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    password: str = ""


def read_roster(path: Path) -> list[Person]:
    """The students of a roster CSV (columns id, first_name, last_name, email; optional password). Each id must
    be a valid unix user name (lower case, 1-31 characters) and appear once."""
    if not path.is_file():
        raise HubError(f"{path}: roster not found")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            header = rows[0].keys() if rows else []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise HubError(f"{path}: not a readable CSV ({exc})") from exc
    if not rows:
        raise HubError(f"{path}: the roster has no students")
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise HubError(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(ROSTER_COLUMNS)})")
    people: list[Person] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        sid = (row.get("id") or "").strip()
        if not UNIX_NAME.match(sid):
            raise HubError(f"{path}: line {n}: student id {sid!r} is not a valid unix user name "
                           "(lower-case letters, digits, _ or -, starting with a letter, at most 31)")
        if sid in seen:
            raise HubError(f"{path}: line {n}: student id {sid!r} appears twice")
        seen.add(sid)
        people.append(Person(sid, (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip(),
                             (row.get("email") or "").strip(), (row.get("password") or "").strip()))
    return people


def check_name(name: str, what: str) -> str:
    if not UNIX_NAME.match(name):
        raise HubError(f"{what} {name!r} is not a valid unix user name")
    return name


def constraints(lock: Path, hub_pins: Path, dest: Path) -> Path:
    """One constraints file: the lock without the packages that ``hub_pins`` pins, then ``hub_pins``."""
    pinned = {re.split(r"[=<>!~\[ ]", ln.strip(), maxsplit=1)[0].lower().replace("_", "-")
              for ln in hub_pins.read_text().splitlines() if ln.strip() and not ln.startswith("#")}
    kept = [ln for ln in lock.read_text().splitlines()
            if not ln.strip() or ln.startswith("#")
            or re.split(r"[=<>!~\[ ]", ln.strip(), maxsplit=1)[0].lower().replace("_", "-") not in pinned]
    dest.write_text("\n".join(kept) + "\n" + hub_pins.read_text())
    return dest


def _run(cmd: Sequence[str], what: str, **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        raise HubError(f"{what} failed (exit {proc.returncode}): {tail[-1] if tail else 'no output'}")
    return proc


def _say(msg: str) -> None:
    print(f"[hub] {msg}", flush=True)


def _as_user(name: str, cmd: Sequence[str], venv: Path) -> None:
    home = pwd.getpwnam(name).pw_dir
    env = {"HOME": home, "USER": name, "PATH": f"{venv}/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    _run(["runuser", "-u", name, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *cmd],
         f"{' '.join(cmd[:3])} as {name}", cwd=home)


# ------------------------------------------------------------------------------------------------ set-up
def env_stamp(python: str) -> str:
    """What the shared environment is built from: the pins, the package's sources and the interpreter."""
    h = hashlib.sha256(python.encode())
    for p in [ROOT / "requirements.lock", HERE / "requirements-hub.txt", ROOT / "pyproject.toml",
              *sorted((ROOT / "course" / "osteonecrosis").rglob("*.py")),
              *sorted((ROOT / "course" / "osteonecrosis").rglob("*.yaml")),
              *sorted((ROOT / "course" / "classroom").rglob("*.py"))]:
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def build_env(venv: Path, python: str, exchange: Path) -> None:
    """The shared environment (idempotent: rebuilt only when its pins or the course package change)."""
    stamp = venv / ".osteonecrosis-stamp"
    want = env_stamp(python)
    if stamp.is_file() and stamp.read_text() == want:
        _say(f"shared environment {venv} is up to date")
    else:
        if not shutil.which(python) and not Path(python).is_file():
            raise HubError(f"{python}: no such interpreter (set HUB_PYTHON)")
        _say(f"building the shared environment {venv} with {python} (a few minutes)")
        if venv.exists():
            shutil.rmtree(venv)
        _run([python, "-m", "venv", str(venv)], "python -m venv")
        with tempfile.TemporaryDirectory() as tmp:
            cons = constraints(ROOT / "requirements.lock", HERE / "requirements-hub.txt", Path(tmp) / "c.txt")
            src = Path(tmp) / "src"
            # Build from a clean copy so no build/ or egg-info lands in the repository.
            shutil.copytree(ROOT / "course", src / "course",
                            ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", "*.egg-info", "app"))
            shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
            shutil.copy2(ROOT / "README.md", src / "README.md")
            proc = subprocess.run([str(venv / "bin" / "pip"), "install", "--progress-bar", "off", "-c", str(cons),
                                   "jupyterhub==6.1.1", str(src)], text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
            if proc.returncode != 0:
                errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("ERROR")]
                raise HubError(f"pip install into {venv} failed: {(errors or proc.stdout.splitlines() or ['?'])[-1]}")
        _run([str(venv / "bin" / "python"), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
              "--display-name", "Python 3 (osteonecrosis course)"], "ipykernel install")
        stamp.write_text(want)
    jupyter = str(venv / "bin" / "jupyter")
    for ext in INSTRUCTOR_SERVER_EXTENSIONS:
        _run([jupyter, "server", "extension", "disable", "--sys-prefix", ext], f"disable {ext}")
    for ext in INSTRUCTOR_LABEXTENSIONS:
        _run([jupyter, "labextension", "disable", "--level=sys_prefix", ext], f"disable {ext}")
        # Disabled, not locked: the instructor's own settings may switch it back on.
        _run([jupyter, "labextension", "unlock", "--level=sys_prefix", ext], f"unlock {ext}")
    conf = venv / "etc" / "jupyter" / "nbgrader_config.py"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(
        "# Written by tools/hub/hub.py: the class's course and its exchange, for every account.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "from classroom.validate_message import install  # visible tests passed is not 'Success', not the grade\n"
        "install()\n"
    )
    # JupyterLab's Validate dialog: the same sentence as the command line, not nbgrader's "Success!".
    _run([str(venv / "bin" / "python"), "-m", "classroom.validate_message", str(venv)], "configure the Validate text")
    _run(["chmod", "-R", "a+rX,go-w", str(venv)], "chmod the shared environment")


def build_proxy(prefix: Path) -> Path:
    """configurable-http-proxy from the npm registry, at the versions of tools/hub/package-lock.json."""
    dest = prefix / "proxy"
    binary = dest / "node_modules" / ".bin" / "configurable-http-proxy"
    dest.mkdir(parents=True, exist_ok=True)
    same = all((dest / f).is_file() and (dest / f).read_bytes() == (HERE / f).read_bytes()
               for f in ("package.json", "package-lock.json"))
    if same and binary.exists():
        return binary
    if not shutil.which("npm"):
        raise HubError("npm not found (Debian: apt-get install npm)")
    for f in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / f, dest / f)
    _say("installing configurable-http-proxy (npm ci)")
    _run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(dest)], "npm ci")
    _run(["chmod", "-R", "a+rX,go-w", str(dest)], "chmod the proxy")
    return binary


def make_exchange(exchange: Path) -> None:
    """nbgrader's exchange: a world-writable folder with the sticky bit (nbgrader makes the per-course folders
    with the right modes: outbound readable, inbound write-only for students)."""
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o1777)


def _group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        _run(["groupadd", name], f"groupadd {name}")


def ensure_account(person: Person, group: str) -> str | None:
    """Create the unix account (home 0700) if missing; return the password set for a new account, else None.
    An existing account that is not in ``group`` is refused (never take over someone else's account)."""
    try:
        entry = pwd.getpwnam(person.name)
    except KeyError:
        entry = None
    if entry is not None:
        members = grp.getgrnam(group).gr_mem
        if person.name not in members and grp.getgrgid(entry.pw_gid).gr_name != group:
            raise HubError(f"account {person.name!r} exists and is not in group {group}: refusing to use it")
        return None
    comment = f"{person.first_name} {person.last_name}".strip() or person.name
    _run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, "--comment", comment,
          person.name], f"useradd {person.name}")
    Path(pwd.getpwnam(person.name).pw_dir).chmod(0o700)
    password = person.password or secrets.token_urlsafe(12)
    _run(["chpasswd"], f"chpasswd {person.name}", input=f"{person.name}:{password}\n")
    return password


def _copy_owned(src: Path, dest: Path, owner: str) -> None:
    """Copy ``src`` to ``dest`` (if ``dest`` is missing) and give it to ``owner``."""
    if dest.exists():
        return
    shutil.copytree(src, dest, symlinks=False)
    _run(["chown", "-R", f"{owner}:", str(dest)], f"chown {dest}")


def tracked_files(root: Path = ROOT) -> list[str]:
    """The repository's tracked files (what an instructor's clone has), or every file when not a git tree."""
    proc = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True)
    if proc.returncode == 0 and proc.stdout:
        return [p for p in proc.stdout.decode().split("\0") if p and (root / p).is_file()]
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".venv" not in p.parts]


def setup_instructor(name: str, venv: Path) -> Path:
    """The instructor's course folder (a copy of the repository's tracked files), their nbgrader config, and
    Formgrader + Create Assignment switched on for this account only."""
    home = Path(pwd.getpwnam(name).pw_dir)
    course = home / COURSE_FOLDER
    if not course.exists():
        with tempfile.TemporaryDirectory() as tmp:
            stage = Path(tmp) / "c"
            for rel in tracked_files():
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, stage / rel)
            _copy_owned(stage, course, name)
    jupyter_dir = home / ".jupyter"
    jupyter_dir.mkdir(exist_ok=True)
    (jupyter_dir / "nbgrader_config.py").write_text(
        "# Written by tools/hub/hub.py: formgrader and nbgrader commands work on this course folder.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    )
    # The instructor's user-level settings switch nbgrader's instructor parts back on (they are off for
    # everyone in the shared environment). User-level Jupyter config is read last, so it wins.
    server_conf = {"ServerApp": {"jpserver_extensions": {ext: True for ext in INSTRUCTOR_SERVER_EXTENSIONS}}}
    (jupyter_dir / "jupyter_server_config.json").write_text(json.dumps(server_conf, indent=1))
    (jupyter_dir / "labconfig").mkdir(exist_ok=True)
    lab_conf = {"disabledExtensions": {ext: False for ext in INSTRUCTOR_LABEXTENSIONS}}
    (jupyter_dir / "labconfig" / "page_config.json").write_text(json.dumps(lab_conf, indent=1))
    _run(["chown", "-R", f"{name}:", str(jupyter_dir)], "chown ~/.jupyter")
    return course


def setup(roster: Path, instructor: str, prefix: Path, exchange: Path, python: str,
          venv: Path | None = None) -> dict[str, object]:
    """Everything ``serve`` needs; returns the settings written to PREFIX/hub/settings.json."""
    if os.geteuid() != 0:
        raise HubError("make hub sets up unix accounts and must run as root (sudo make hub ROSTER=...)")
    students = read_roster(roster)
    check_name(instructor, "instructor")
    if instructor in {s.name for s in students}:
        raise HubError(f"{instructor!r} is both the instructor and a student")
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)
    sys.path.insert(0, str(ROOT / "course"))
    from classroom import student_release

    _say("building the student release (no solutions, tests, tools or grader)")
    try:
        student_release.build(prefix / "course.new")
    except (student_release.ReleaseAuditError, ValueError, FileNotFoundError) as exc:
        raise HubError(str(exc)) from exc
    if (prefix / "course").exists():
        shutil.rmtree(prefix / "course")
    (prefix / "course.new").rename(prefix / "course")
    _run(["chmod", "-R", "a+rX,go-w", str(prefix / "course")], "chmod the student release")
    venv = venv or prefix / "venv"
    build_env(venv, python, exchange)
    proxy = build_proxy(prefix)
    make_exchange(exchange)
    _group(STUDENT_GROUP)
    _group(INSTRUCTOR_GROUP)
    state = prefix / "hub"
    state.mkdir(exist_ok=True)
    state.chmod(0o700)
    new_passwords: list[tuple[str, str]] = []
    for person, group in [(Person(instructor), INSTRUCTOR_GROUP)] + [(s, STUDENT_GROUP) for s in students]:
        password = ensure_account(person, group)
        if password is not None and not person.password:
            new_passwords.append((person.name, password))
    for s in students:
        _copy_owned(prefix / "course", Path(pwd.getpwnam(s.name).pw_dir) / COURSE_FOLDER, s.name)
    instructor_course = setup_instructor(instructor, venv)
    if new_passwords:
        out = state / "initial-passwords.csv"
        with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", newline="") as fh:
            csv.writer(fh).writerows(new_passwords)
        _say(f"initial passwords of {len(new_passwords)} new account(s): {out} (root only)")
    settings: dict[str, object] = {
        "prefix": str(prefix), "venv": str(venv), "proxy": str(proxy), "exchange": str(exchange),
        "course_id": COURSE_ID, "instructors": [instructor], "students": [s.name for s in students],
        "instructor_course": str(instructor_course), "state": str(state),
    }
    (state / "settings.json").write_text(json.dumps(settings, indent=1))
    _say(f"ready: {len(students)} student(s), instructor {instructor}, exchange {exchange}")
    return settings


def remove_accounts(roster: Path, instructor: str) -> list[str]:
    """Delete the roster's and the instructor's accounts and homes (only accounts in the course's groups)."""
    if os.geteuid() != 0:
        raise HubError("removing unix accounts needs root")
    removed = []
    for name, group in [(instructor, INSTRUCTOR_GROUP)] + [(s.name, STUDENT_GROUP) for s in read_roster(roster)]:
        try:
            pwd.getpwnam(name)
            members = grp.getgrnam(group).gr_mem
        except KeyError:
            continue
        if name not in members:
            raise HubError(f"account {name!r} is not in group {group}: not removing it")
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        _run(["userdel", "--remove", name], f"userdel {name}")
        removed.append(name)
    return removed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(prefix: Path, ip: str, port: int) -> tuple[list[str], dict[str, str], Path]:
    """(command, environment, working folder) that start the hub of a set-up PREFIX."""
    state = prefix / "hub"
    settings_file = state / "settings.json"
    if not settings_file.is_file():
        raise HubError(f"{settings_file}: not set up (run: make hub ROSTER=students.csv)")
    settings = json.loads(settings_file.read_text())
    env = {**os.environ, "OSTEO_HUB_SETTINGS": str(settings_file), "OSTEO_HUB_IP": ip,
           "OSTEO_HUB_PORT": str(port), "OSTEO_HUB_INTERNAL_PORT": str(free_port()),
           "OSTEO_HUB_PROXY_API_PORT": str(free_port())}
    cmd = [str(Path(settings["venv"]) / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")]
    return cmd, env, state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/hub/hub.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("setup", "serve", "up", "remove-accounts"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", type=Path, default=Path(os.environ.get("HUB_PREFIX", DEFAULT_PREFIX)))
        if name in ("setup", "up", "remove-accounts"):
            p.add_argument("--roster", type=Path, required=True, help="CSV: id,first_name,last_name,email[,password]")
            p.add_argument("--instructor", default=os.environ.get("HUB_INSTRUCTOR", "instructor"))
        if name in ("setup", "up"):
            p.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE)
            p.add_argument("--python", default=os.environ.get("HUB_PYTHON", DEFAULT_PYTHON))
            p.add_argument("--venv", type=Path, default=None, help="shared environment (default PREFIX/venv)")
        if name in ("serve", "up"):
            p.add_argument("--ip", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        if args.command in ("setup", "up"):
            setup(args.roster, args.instructor, args.prefix.resolve(), args.exchange.resolve(), args.python,
                  args.venv.resolve() if args.venv else None)
        if args.command == "remove-accounts":
            print("removed:", " ".join(remove_accounts(args.roster, args.instructor)) or "nothing")
        if args.command in ("serve", "up"):
            cmd, env, cwd = serve_command(args.prefix.resolve(), args.ip, args.port)
            _say(f"JupyterHub on http://{args.ip}:{args.port}/ (Ctrl-C stops it)")
            os.chdir(cwd)
            os.execve(cmd[0], cmd, env)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
