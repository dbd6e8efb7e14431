"""The course's class server on one machine: a real JupyterHub with unix accounts (make hub).

    .venv/bin/python tools/hub/hub.py setup --roster students.csv [--instructor NAME] [--prefix /opt/osteonecrosis]
    python3 tools/hub/hub.py serve [--prefix /opt/osteonecrosis] [--ip 127.0.0.1] [--port 8000]
    python3 tools/hub/hub.py k8s-users --roster students.csv --instructor NAME [--previous k8s-users.json]
    python3 tools/hub/hub.py remove-accounts --roster students.csv [--instructor NAME] [--prefix ...] --yes

``setup`` (root, idempotent) makes:

- ``PREFIX/course``: the student release (``classroom.publishing.student_release``: no solutions, tests, tools);
- ``PREFIX/venv``: one environment every account can run, built with Debian's ``python3`` from
  ``requirements.lock`` plus ``tools/hub/requirements-hub.txt`` (JupyterHub, nbgrader, widgets, the course);
  nbgrader's Formgrader, Create Assignment and course list are switched off in it (``--sys-prefix``), and its
  ``etc/jupyter/nbgrader_config.py`` names the course and the exchange;
- ``PREFIX/proxy``: configurable-http-proxy from the npm registry, pinned by ``tools/hub/package-lock.json``
  (5.1.0: every locked package accepts node 18, Debian 12's own), installed with ``npm ci --engine-strict`` and
  run by the ``node`` found on PATH;
- the nbgrader exchange (default ``/usr/local/share/nbgrader/exchange``, mode 1777 as nbgrader documents);
- unix accounts: one per roster row (group ``osteonecrosis-students``, home 0700 with a copy of the student
  release) and the instructor (group ``osteonecrosis-instructors``, home 0700 with a copy of the whole course,
  Formgrader and Create Assignment switched on for that account only, ``--user``). Passwords come from the
  roster's optional ``password`` column; accounts without one get a random password, written to
  ``PREFIX/hub/initial-passwords.csv`` (mode 0600, outside git);
- ``PREFIX/hub/settings.json``, read by ``tools/hub/jupyterhub_config.py``.

``remove-accounts`` (root; Debian's own ``python3`` is enough) archives the instructor's course folder (gradebook,
submissions, feedback) to ``/var/backups/osteonecrosis`` and then deletes the accounts and homes, the groups, the
exchange's course folder, ``PREFIX``'s hub files and the ``/etc/profile.d`` script that setup created; without
``--yes`` it only lists what it would do and exits 2.

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
    # One command for all the extensions of each kind (each `jupyter` start costs a couple of CPU seconds).
    _run([jupyter, "server", "extension", "disable", "--sys-prefix", *INSTRUCTOR_SERVER_EXTENSIONS],
         f"disable {', '.join(INSTRUCTOR_SERVER_EXTENSIONS)}")
    _run([jupyter, "labextension", "disable", "--level=sys_prefix", *INSTRUCTOR_LABEXTENSIONS],
         f"disable {', '.join(INSTRUCTOR_LABEXTENSIONS)}")
    # Disabled, not locked: the instructor's own settings may switch them back on.
    _run([jupyter, "labextension", "unlock", "--level=sys_prefix", *INSTRUCTOR_LABEXTENSIONS],
         f"unlock {', '.join(INSTRUCTOR_LABEXTENSIONS)}")
    conf = venv / "etc" / "jupyter" / "nbgrader_config.py"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(
        "# Written by tools/hub/hub.py: the class's course and its exchange, for every account.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "# visible tests passed is not 'Success', not the grade\n"
        "from classroom.grading.validate_message import install\n"
        "install()\n"
    )
    # JupyterLab's Validate dialog: the same sentence as the command line, not nbgrader's "Success!".
    _run([str(venv / "bin" / "python"), "-m", "classroom.grading.validate_message", str(venv)],
         "configure the Validate text")
    write_server_config(venv)
    write_lab_overrides(venv)
    _run(["chmod", "-R", "a+rX,go-w", str(venv)], "chmod the shared environment")


# JupyterHub's single-user server sends `frame-ancestors 'none'` unless configured (jupyterhub/singleuser), which
# blanks nbgrader's Formgrader tab: JupyterLab shows formgrader in an <iframe> of the same server. 'self' lets the
# lab's own origin frame it, and nothing else.
FRAME_ANCESTORS = "frame-ancestors 'self'"
def write_server_config(venv: Path) -> Path:
    """The shared environment's server settings (every account): pages may be framed by the lab's own origin only.
    In ``etc/jupyter/jupyter_server_config.json`` (the ``.d`` folder is read for extensions only), merged with what
    is there; the instructor's ``--user`` file sets other ServerApp traits, so both apply."""
    dest = venv / "etc" / "jupyter" / "jupyter_server_config.json"
    conf = json.loads(dest.read_text()) if dest.is_file() else {}
    tornado = conf.setdefault("ServerApp", {}).setdefault("tornado_settings", {})
    tornado.setdefault("headers", {})["Content-Security-Policy"] = FRAME_ANCESTORS
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(conf, indent=1) + "\n")
    return dest


def write_lab_overrides(venv: Path) -> Path:
    """JupyterLab's settings overrides of the course (course/app/lab-overrides.json, as ``make setup`` installs
    them): no "get notified about official Jupyter news?" prompt and no update check, for every account."""
    dest = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "course" / "app" / "lab-overrides.json", dest)
    return dest


PROFILE_D = Path("/etc/profile.d")


def profile_script_path(prefix: Path, profile_d: Path = PROFILE_D) -> Path:
    """Where setup writes the login-shell PATH script of this prefix (one per prefix, so a test's hub in /tmp
    never overwrites the real one)."""
    if prefix == DEFAULT_PREFIX:
        return profile_d / "osteonecrosis-course.sh"
    return profile_d / f"osteonecrosis-course-{hashlib.sha256(str(prefix).encode()).hexdigest()[:10]}.sh"


def profile_script(venv: Path, prefix: Path) -> str:
    """A POSIX sh snippet for /etc/profile.d: course accounts (members of the course's groups) get the shared
    environment's bin/ first on PATH. A login shell (JupyterLab's terminal runs ``bash -l``) resets PATH from
    /etc/profile and then reads this; a non-login shell inherits the PATH set here or by the spawner."""
    bin_dir = venv / "bin"
    return (
        f"# Written by tools/hub/hub.py setup for the class server in {prefix}; removed by remove-accounts.\n"
        "# Course accounts get grade-class, nbgrader, jupyter and python of the shared environment on PATH.\n"
        f'case " $(id -nG 2>/dev/null) " in\n'
        f'  *" {STUDENT_GROUP} "*|*" {INSTRUCTOR_GROUP} "*)\n'
        f'    case ":$PATH:" in *":{bin_dir}:"*) ;; *) PATH="{bin_dir}:$PATH"; export PATH ;; esac ;;\n'
        "esac\n"
    )


def write_profile_script(prefix: Path, venv: Path, profile_d: Path = PROFILE_D) -> Path:
    dest = profile_script_path(prefix, profile_d)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(profile_script(venv, prefix))
    dest.chmod(0o644)
    return dest


NODE_HINT = "tools/hub/package-lock.json needs node >= 18; Debian 12: apt-get install nodejs npm"


def find_node() -> tuple[str, str]:
    """(path, version) of the ``node`` that npm and the proxy run with: the first on PATH, as npm's own
    ``#!/usr/bin/env node`` finds it."""
    node = shutil.which("node")
    if not node or not shutil.which("npm"):
        raise HubError(f"node and npm are needed for the hub's proxy ({NODE_HINT})")
    version = _run([node, "--version"], "node --version").stdout.strip()
    return node, version


def build_proxy(prefix: Path) -> list[str]:
    """configurable-http-proxy from the npm registry, at the versions of tools/hub/package-lock.json, checked
    against the engines every locked package declares (``npm ci --engine-strict``) for the node on PATH. Returns
    the proxy's command: that node (an absolute path) and the proxy's script."""
    node, version = find_node()
    dest = prefix / "proxy"
    script = dest / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
    stamp = dest / ".node"
    dest.mkdir(parents=True, exist_ok=True)
    same = all((dest / f).is_file() and (dest / f).read_bytes() == (HERE / f).read_bytes()
               for f in ("package.json", "package-lock.json"))
    if same and script.exists() and stamp.is_file() and stamp.read_text() == f"{node} {version}":
        return [node, str(script)]
    for f in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / f, dest / f)
    stamp.unlink(missing_ok=True)
    _say(f"installing configurable-http-proxy (npm ci, node {version})")
    proc = subprocess.run(["npm", "ci", "--engine-strict", "--no-audit", "--no-fund", "--prefix", str(dest)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        out = proc.stderr + proc.stdout
        if "EBADENGINE" in out or "notsup" in out:
            wanted = re.search(r'Required: (\{.*?\})', out)
            raise HubError(f"node {version} ({node}) is not supported by the proxy's packages "
                           f"(required {wanted.group(1) if wanted else 'a newer node'}; {NODE_HINT})")
        tail = out.strip().splitlines()
        raise HubError(f"npm ci failed (exit {proc.returncode}): {tail[-1] if tail else 'no output'}")
    _run(["chmod", "-R", "a+rX,go-w", str(dest)], "chmod the proxy")
    stamp.write_text(f"{node} {version}")
    return [node, str(script)]


def make_exchange(exchange: Path) -> None:
    """nbgrader's exchange: a world-writable folder with the sticky bit (nbgrader makes the per-course folders
    with the right modes: outbound readable, inbound write-only for students)."""
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o1777)


def _group(name: str) -> bool:
    """Create the group if missing; True when this call created it."""
    try:
        grp.getgrnam(name)
        return False
    except KeyError:
        _run(["groupadd", name], f"groupadd {name}")
        return True


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
    new_prefix = not prefix.exists()
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)
    sys.path.insert(0, str(ROOT / "course"))
    from classroom.publishing import student_release

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
    new_exchange = not exchange.exists()
    make_exchange(exchange)
    new_groups = [g for g in (STUDENT_GROUP, INSTRUCTOR_GROUP) if _group(g)]
    state = prefix / "hub"
    state.mkdir(exist_ok=True)
    state.chmod(0o700)
    _record_created(state, new_groups, new_exchange, new_prefix)
    new_passwords: list[tuple[str, str]] = []
    for person, group in [(Person(instructor), INSTRUCTOR_GROUP)] + [(s, STUDENT_GROUP) for s in students]:
        password = ensure_account(person, group)
        if password is not None and not person.password:
            new_passwords.append((person.name, password))
    for s in students:
        _copy_owned(prefix / "course", Path(pwd.getpwnam(s.name).pw_dir) / COURSE_FOLDER, s.name)
    instructor_course = setup_instructor(instructor, venv)
    profile = write_profile_script(prefix, venv)
    if new_passwords:
        out = state / "initial-passwords.csv"
        with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", newline="") as fh:
            csv.writer(fh).writerows(new_passwords)
        _say(f"initial passwords of {len(new_passwords)} new account(s): {out} (root only)")
    settings: dict[str, object] = {
        "prefix": str(prefix), "venv": str(venv), "proxy_command": proxy, "exchange": str(exchange),
        "course_id": COURSE_ID, "instructors": [instructor], "students": [s.name for s in students],
        "instructor_course": str(instructor_course), "state": str(state), "profile_script": str(profile),
    }
    (state / "settings.json").write_text(json.dumps(settings, indent=1))
    _say(f"ready: {len(students)} student(s), instructor {instructor}, exchange {exchange}")
    return settings


DEFAULT_ARCHIVE = Path("/var/backups/osteonecrosis")
CREATED = "created.json"  # in PREFIX/hub: what setup created (groups, exchange, prefix), so removal undoes only that


def _record_created(state: Path, groups: list[str], exchange: bool, prefix: bool) -> None:
    """Add to PREFIX/hub/created.json what this set-up created (a re-run keeps what earlier runs created)."""
    path = state / CREATED
    old = json.loads(path.read_text()) if path.is_file() else {}
    record = {"groups": sorted(set(old.get("groups", [])) | set(groups)),
              "exchange": bool(old.get("exchange")) or exchange, "prefix": bool(old.get("prefix")) or prefix}
    path.write_text(json.dumps(record, indent=1))


@dataclass
class RemovalPlan:
    accounts: list[tuple[str, str]]  # (name, group) of existing accounts to delete
    instructor_course: Path | None   # archived before the instructor's home goes
    settings: dict[str, object]
    created: dict[str, object]
    prefix: Path

    def lines(self) -> list[str]:
        out = [f"delete account and home: {name} ({group})" for name, group in self.accounts]
        if self.instructor_course is not None:
            out.insert(0, f"archive first: {self.instructor_course} (gradebook, submissions, feedback)")
        for group in self.created.get("groups", []):
            out.append(f"delete group: {group}")
        if self.settings:
            out.append(f"delete the hub's files in {self.prefix} (shared environment, proxy, state, passwords)")
            out.append(f"delete the exchange's course folder {Path(str(self.settings['exchange'])) / COURSE_ID}")
            if self.settings.get("profile_script"):
                out.append(f"delete {self.settings['profile_script']}")
        return out


def removal_plan(roster: Path, instructor: str, prefix: Path) -> RemovalPlan:
    """What remove-accounts would do; refuses any existing account that is not in the course's groups."""
    settings_file = prefix / "hub" / "settings.json"
    settings = json.loads(settings_file.read_text()) if settings_file.is_file() else {}
    created_file = prefix / "hub" / CREATED
    created = json.loads(created_file.read_text()) if created_file.is_file() else {}
    check_name(instructor, "instructor")
    accounts: list[tuple[str, str]] = []
    course: Path | None = None
    for name, group in [(instructor, INSTRUCTOR_GROUP)] + [(s.name, STUDENT_GROUP) for s in read_roster(roster)]:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        try:
            members = grp.getgrnam(group).gr_mem
        except KeyError:
            members = []
        if name not in members:
            raise HubError(f"account {name!r} is not in group {group}: not removing it")
        accounts.append((name, group))
        if group == INSTRUCTOR_GROUP and (Path(entry.pw_dir) / COURSE_FOLDER).is_dir():
            course = Path(entry.pw_dir) / COURSE_FOLDER
    return RemovalPlan(accounts, course, settings, created, prefix)


def archive_course(course: Path, archive_dir: Path, owner: str) -> Path:
    """The instructor's course folder (gradebook.db, submissions, feedback, solutions) as a root-only tar.gz."""
    import tarfile
    import time

    archive_dir.mkdir(parents=True, exist_ok=True)
    archive_dir.chmod(0o700)
    dest = archive_dir / f"{owner}-{COURSE_FOLDER}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    with open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        with tarfile.open(fileobj=fh, mode="w:gz") as tar:
            tar.add(course, arcname=COURSE_FOLDER)
    with tarfile.open(dest) as tar:  # read it back before anything is deleted
        names = set(tar.getnames())
    if (course / "gradebook.db").is_file() and f"{COURSE_FOLDER}/gradebook.db" not in names:
        raise HubError(f"{dest}: the archive has no gradebook.db; nothing was removed")
    return dest


def remove_accounts(roster: Path, instructor: str, prefix: Path = DEFAULT_PREFIX, yes: bool = False,
                    archive_dir: Path = DEFAULT_ARCHIVE) -> list[str]:
    """End of term: archive the instructor's course folder, then delete the roster's and the instructor's accounts
    and homes (only accounts in the course's groups), the groups, the hub's files in PREFIX, the exchange's course
    folder and the login-shell PATH script that setup created. Without ``yes`` nothing is touched."""
    if os.geteuid() != 0:
        raise HubError("removing unix accounts needs root")
    plan = removal_plan(roster, instructor, prefix)
    if not yes:
        for line in plan.lines():
            print(f"would {line}")
        raise HubError("nothing removed: re-run with --yes to archive the instructor's course and remove the above")
    done: list[str] = []
    if plan.instructor_course is not None:
        archived = archive_course(plan.instructor_course, archive_dir, instructor)
        _say(f"archived {plan.instructor_course} to {archived} (root only)")
        done.append(f"archive:{archived}")
    for name, _group in plan.accounts:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        _run(["userdel", "--remove", name], f"userdel {name}")
        done.append(name)
    for group in plan.created.get("groups", []):
        try:
            members = grp.getgrnam(str(group)).gr_mem
        except KeyError:
            continue
        if members:
            _say(f"group {group} still has members ({', '.join(members)}): kept")
            continue
        _run(["groupdel", str(group)], f"groupdel {group}")
        done.append(f"group:{group}")
    if plan.settings:
        profile = plan.settings.get("profile_script")
        if profile and Path(str(profile)).is_file():
            Path(str(profile)).unlink()
            done.append(f"file:{profile}")
        exchange = Path(str(plan.settings["exchange"]))
        if (exchange / COURSE_ID).exists():
            shutil.rmtree(exchange / COURSE_ID)
            done.append(f"exchange:{exchange / COURSE_ID}")
        if plan.created.get("exchange") and exchange.is_dir() and not any(exchange.iterdir()):
            exchange.rmdir()
        venv = Path(str(plan.settings["venv"]))
        for part in ("hub", "course", "proxy", "venv", "course.new"):
            target = prefix / part
            if target.exists() and (part != "venv" or venv == target):
                shutil.rmtree(target)
        done.append(f"state:{prefix}")
        if plan.created.get("prefix") and prefix.is_dir() and not any(prefix.iterdir()):
            prefix.rmdir()
    return done


# ------------------------------------------------------------------------------------------------ Kubernetes
FIRST_POD_UID = 20000  # far from Debian's ordinary users (1000+) and the image's jovyan (1000)


def k8s_users(roster: Path, instructors: Sequence[str], previous: Path | None = None,
              first_uid: int = FIRST_POD_UID) -> dict[str, object]:
    """The Helm values fragment that gives every person of the class their own uid in Zero to JupyterHub
    (deploy/k8s/values.yaml reads ``custom.osteonecrosis``). Stable: a ``previous`` fragment's uids are kept, a new
    person gets the next unused uid, and the uid of someone no longer listed is retired, never given again."""
    names = [check_name(i, "instructor") for i in instructors] + [p.name for p in read_roster(roster)]
    if len(set(names)) != len(names):
        raise HubError("a name is listed twice (instructor and student?)")
    old: dict[str, object] = {}
    if previous is not None:
        try:
            old = json.loads(previous.read_text())["custom"]["osteonecrosis"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HubError(f"{previous}: not a fragment written by k8s-users ({exc})") from exc
    old_uids = {str(k): int(v) for k, v in dict(old.get("uids") or {}).items()}  # type: ignore[call-overload]
    retired = {int(u) for u in old.get("retired_uids") or []}  # type: ignore[attr-defined]
    retired |= {uid for name, uid in old_uids.items() if name not in names}
    uids = {name: old_uids[name] for name in names if name in old_uids}
    taken = set(uids.values()) | retired
    next_uid = max([first_uid - 1, *taken]) + 1
    for name in names:
        if name not in uids:
            uids[name] = next_uid
            next_uid += 1
    return {"custom": {"osteonecrosis": {"instructors": sorted(instructors), "uids": uids,
                                         "retired_uids": sorted(retired)}}}


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
    for name in ("setup", "serve", "up", "remove-accounts", "k8s-users"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", type=Path, default=Path(os.environ.get("HUB_PREFIX", DEFAULT_PREFIX)))
        if name in ("setup", "up", "remove-accounts", "k8s-users"):
            p.add_argument("--roster", type=Path, required=True, help="CSV: id,first_name,last_name,email[,password]")
        if name in ("setup", "up", "remove-accounts"):
            p.add_argument("--instructor", default=os.environ.get("HUB_INSTRUCTOR", "instructor"))
        if name == "k8s-users":
            p.add_argument("--instructor", action="append", required=True, help="an instructor's login (repeat)")
            p.add_argument("--previous", type=Path, default=None, help="the fragment written last time (keeps uids)")
        if name == "remove-accounts":
            p.add_argument("--yes", action="store_true", help="really remove (without it: show what would go)")
            p.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE,
                           help=f"where the instructor's course folder is archived first (default {DEFAULT_ARCHIVE})")
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
        if args.command == "k8s-users":
            print(json.dumps(k8s_users(args.roster, args.instructor, args.previous), indent=1))
        if args.command == "remove-accounts":
            done = remove_accounts(args.roster, args.instructor, args.prefix.resolve(), args.yes,
                                   args.archive.resolve())
            print("removed:", " ".join(done) or "nothing")
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
