"""Unpack an LMS download (one zip of every student's files) into nbgrader's submitted/ layout, safely.

Layouts understood, as the LMSs really name them:

- **Canvas** ("Download Submissions"): flat names ``<login>_<user id>_<submission id>_<file>``, with ``late``
  after the login for a late submission (``<login>_late_<user id>_<submission id>_<file>``) and ``-N`` before the
  extension for a resubmission (``ps3_management-1.ipynb``: the highest N wins);
- **Moodle** ("Download all submissions"): one folder per submission,
  ``<Full Name>_<participant id>_assignsubmission_file_/<file>`` (and the same flat, without the slash);
- one folder per student, ``<student>/<file>``, and flat ``<student>_<file>``;
- a custom regular expression with the groups ``student_id`` and ``file_id``.

Who a file belongs to is decided by the LMS's part of the name (the folder, or Canvas's prefix), never by a
name inside the student's own upload, and goes through the **roster**: a mapping from every identifier the LMS
shows (login, user id, participant id, the student id itself) to a student id in the gradebook. A file whose
owner is not in the roster is never given to a new student: it is listed with the reason. Only the assignment's
own files are taken; anything else in a student's upload is listed. Each student's files are checked against the
size budgets before anything is written, a student over budget is skipped alone, and each student's submission
folder is replaced as a whole. ``timestamp.txt`` is written from the zip (the LMS's time of the member), never
taken from the student, and ``submission_secret.txt`` is a fresh secret, as ``nbgrader submit`` makes one, so that
``nbgrader release_feedback`` works for LMS students too.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_STUDENT_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024

CANVAS = re.compile(r"^(?P<login>[^_/]+)_(?:(?P<late>late|LATE)_)?(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
RESUBMISSION = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.[A-Za-z0-9]+)$")


class LmsError(ValueError):
    """The zip or the roster cannot be used (one line for the instructor)."""


@dataclass
class Collected:
    students: set[str] = field(default_factory=set)
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    late: set[str] = field(default_factory=set)


@dataclass
class _Pick:
    info: zipfile.ZipInfo
    version: int


def read_roster(path: Path) -> dict[str, str]:
    """A roster CSV: column ``student_id`` (or ``id``) and any of ``lms_user_id``, ``login``, ``lms_id``."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LmsError(f"{path}: cannot read the roster ({exc})") from exc
    out: dict[str, str] = {}
    for n, row in enumerate(rows, start=2):
        sid = (row.get("student_id") or row.get("id") or "").strip()
        if not STUDENT_ID.match(sid):
            raise LmsError(f"{path}: line {n}: no valid student_id")
        for key in ("student_id", "id", "lms_user_id", "login", "lms_id"):
            value = (row.get(key) or "").strip()
            if value:
                if out.get(value, sid) != sid:
                    raise LmsError(f"{path}: line {n}: {value!r} maps to both {out[value]} and {sid}")
                out[value] = sid
    return out


def roster_from_gradebook(gb) -> dict[str, str]:
    """The roster from nbgrader's gradebook: each student's id and ``lms_user_id`` (nbgrader db student import)."""
    out: dict[str, str] = {}
    for student in gb.students:
        out[student.id] = student.id
        if student.lms_user_id:
            out.setdefault(str(student.lms_user_id).strip(), student.id)
    return out


def _file_and_version(name: str, known: list[str]) -> tuple[str, int] | None:
    """(the assignment's file, resubmission number) for an uploaded file name, or None if it is not one."""
    if name in known:
        return name, 0
    m = RESUBMISSION.match(name)
    if m and f"{m.group('stem')}{m.group('ext')}" in known:
        return f"{m.group('stem')}{m.group('ext')}", int(m.group("n"))
    return None


def _owner(parts: tuple[str, ...], known: list[str], roster: Mapping[str, str],
           pattern: re.Pattern | None) -> tuple[str | None, str, str, bool]:
    """(student or None, uploaded file name, reason when None, late marker) for a member's path parts."""
    if pattern is not None:
        m = pattern.search("/".join(parts))
        if not m:
            return None, parts[-1], "does not match --zip-pattern", False
        key, upload = m.group("student_id"), PurePosixPath(m.group("file_id")).name
        return roster.get(key), upload, f"{key!r} is not in the roster", False
    if len(parts) == 1:
        name = parts[0]
        canvas = CANVAS.match(name)
        if canvas:
            for key in (canvas.group("uid"), canvas.group("login")):
                if key in roster:
                    return roster[key], canvas.group("file"), "", bool(canvas.group("late"))
            return (None, canvas.group("file"), f"Canvas user {canvas.group('login')!r} "
                    f"(id {canvas.group('uid')}) is not in the roster", False)
        moodle = MOODLE.match(name)
        if moodle:
            key = moodle.group("id")
            return roster.get(key), moodle.group("file"), f"Moodle participant {key} is not in the roster", False
        for file_name in sorted(known, key=len, reverse=True):
            if name.endswith("_" + file_name) and name[: -len(file_name) - 1] in roster:
                return roster[name[: -len(file_name) - 1]], file_name, "", False
        return None, name, "no student recognised in the name (Canvas, Moodle or <student>_<file>)", False
    folder, upload = parts[-2], parts[-1]
    moodle = MOODLE.match(folder)
    if moodle and not moodle.group("file"):
        key = moodle.group("id")
        return roster.get(key), upload, f"Moodle participant {key} is not in the roster", False
    return roster.get(folder), upload, f"folder {folder!r} is not a student in the roster", False


def _zip_time(info: zipfile.ZipInfo) -> dt.datetime:
    try:
        return dt.datetime(*info.date_time)
    except ValueError:
        return dt.datetime(1980, 1, 1)


def collect_zip(zip_path: Path, submitted: Path, assignment: str, known_files: list[str],
                pattern: str | None = None, roster: Mapping[str, str] | None = None) -> Collected:
    """Put each rostered student's files of ``zip_path`` in ``submitted/<student>/<assignment>/``.

    ``roster`` maps LMS identifiers (login, user or participant id, student id) to student ids; without one,
    no file can be matched. Returns what was collected and, for every file left out, why.
    """
    roster = dict(roster or {})
    regex = re.compile(pattern) if pattern else None
    report = Collected()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LmsError(f"{zip_path}: not a readable zip ({exc})") from exc
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        # a zip of one folder: strip that folder (Canvas and Moodle downloads are flat or one level deep)
        tops = {PurePosixPath(i.filename).parts[0] for i in members if i.filename and not i.filename.startswith("/")}
        strip = len(tops) == 1 and all(len(PurePosixPath(i.filename).parts) >= 3 for i in members)
        picks: dict[str, dict[str, _Pick]] = {}
        sizes: dict[str, int] = {}
        for info in members:
            name = info.filename
            parts = PurePosixPath(name).parts
            if strip:
                parts = parts[1:]
            if name.startswith("__MACOSX/") or not parts or parts[-1].startswith("."):
                continue
            mode = info.external_attr >> 16
            if name.startswith("/") or "\\" in name or ".." in parts or stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                report.skipped.append(f"{name}: unsafe path, link or special file")
                continue
            if regex is None and len(parts) > 2:
                report.skipped.append(f"{name}: nested folder inside a student's upload (not taken)")
                continue
            student, upload, reason, late = _owner(parts, known_files, roster, regex)
            if student is None:
                report.skipped.append(f"{name}: {reason}")
                continue
            if not STUDENT_ID.match(student):
                report.skipped.append(f"{name}: roster student id {student!r} is not a valid id")
                continue
            target = _file_and_version(upload, known_files)
            if target is None:
                report.skipped.append(f"{name}: {student}: {upload!r} is not a file of {assignment} (not taken)")
                continue
            file_id, version = target
            if info.file_size > MAX_MEMBER_BYTES:
                report.skipped.append(f"{name}: {student}: larger than {MAX_MEMBER_BYTES >> 20} MB (not taken)")
                continue
            sizes[student] = sizes.get(student, 0) + info.file_size
            if late:
                report.late.add(student)
            chosen = picks.setdefault(student, {})
            old = chosen.get(file_id)
            if old is None or (version, _zip_time(info)) > (old.version, _zip_time(old.info)):
                if old is not None:
                    report.skipped.append(f"{old.info.filename}: {student}: replaced by the later {name}")
                chosen[file_id] = _Pick(info, version)
            else:
                report.skipped.append(f"{name}: {student}: an older version of {old.info.filename}")
        over = {s for s, n in sizes.items() if n > MAX_STUDENT_BYTES}
        for student in sorted(over):
            report.skipped.append(f"{student}: {sizes[student] >> 20} MB of files, over the "
                                  f"{MAX_STUDENT_BYTES >> 20} MB budget of one student: skipped, nothing written")
            picks.pop(student)
        if sum(sizes[s] for s in picks) > MAX_TOTAL_BYTES:
            raise LmsError(f"{zip_path}: more than {MAX_TOTAL_BYTES >> 30} GB once unpacked; nothing written")
        for student in sorted(picks):
            try:
                _write_student(archive, submitted, student, assignment, picks[student], report)
            except (LmsError, zipfile.BadZipFile, EOFError) as exc:
                report.skipped.append(f"{student}: {exc}: skipped, the previous submission (if any) kept")
    return report


def _write_student(archive: zipfile.ZipFile, submitted: Path, student: str, assignment: str,
                   files: dict[str, _Pick], report: Collected) -> None:
    """Write one student's files into a fresh folder, then swap it in for the old submission."""
    home = submitted / student
    home.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{assignment}.", dir=home))
    try:
        newest = dt.datetime(1980, 1, 1)
        for file_id, pick in sorted(files.items()):
            with archive.open(pick.info) as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                raise LmsError(f"{pick.info.filename}: larger than its size in the zip's directory")
            (staged / file_id).write_bytes(data)
            newest = max(newest, _zip_time(pick.info))
        (staged / "timestamp.txt").write_text(newest.strftime("%Y-%m-%d %H:%M:%S.%f"))
        # as `nbgrader submit` makes one: release_feedback names each feedback file by it
        (staged / "submission_secret.txt").write_text(secrets.token_hex(64))
        staged.chmod(0o755)
        dest = home / assignment
        old = home / f".{assignment}.old"
        shutil.rmtree(old, ignore_errors=True)
        if dest.is_symlink() or dest.is_file():
            dest.unlink()
        elif dest.exists():
            dest.rename(old)
        staged.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    report.students.add(student)
    report.files += len(files)
