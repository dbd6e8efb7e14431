"""Unpack an LMS download (one zip of every student's files) into nbgrader's submitted/ layout, safely.

Layouts understood, as the LMSs really name them:

- **Canvas** ("Download Submissions"): flat names ``<login>_<user id>_<submission id>_<file>``, with ``late``
  (or ``LATE``) after the login for a late submission (``<login>_late_<user id>_<submission id>_<file>``) and
  ``-N`` before the extension for a resubmission (``ps3_management-1.ipynb``: the highest N wins);
- **Moodle** ("Download all submissions"): one folder per submission,
  ``<Full Name>_<participant id>_assignsubmission_file_/<file>`` (and the same flat, without the slash);
- one folder per student, ``<student>/<file>``, and flat ``<student>_<file>``;
- a custom regular expression with the groups ``student_id`` and ``file_id``.

**Owners.** Who a file belongs to is decided by the LMS's part of the name only, read from its **start** (the
first ``<login>_<user id>_<submission id>_`` or ``<Full Name>_<participant id>_assignsubmission_file_``; the
folder of a folder layout), never from anything inside the student's own upload name, and goes through the
**roster**: every identifier the LMS shows (login, user or participant id, the student id itself) maps to one
student, and the LMS's name is checked against the roster's name of that student. An upload whose own name
imitates another LMS entry stays its uploader's and is flagged. A file whose owner is not in the roster, or is
ambiguous (an id and a name that belong to two different students, a name that is not the one of the id's
student while the student has an LMS id on record), is never given to anyone: it is listed as a problem.

**Renamed uploads.** A notebook of the assignment may arrive under another name or inside a subfolder
(``ps1_drugs_and_risk_final.ipynb``, ``ps1/ps1_drugs_and_risk.ipynb``): when a student has no file of that name,
the one notebook of theirs whose cells carry the grade ids of the assignment's notebook (nbgrader cell metadata)
is taken in its place; two such notebooks are a problem and neither is taken.

Only the assignment's own files are taken; anything else in a student's upload is listed. Each student's files are
checked against the size budgets before anything is written, a student over budget is skipped alone, and each
student's submission folder is replaced as a whole. ``timestamp.txt`` is written from the zip (the LMS's time of
the member, which the student cannot set), never taken from the student, and is reported back in
:attr:`Collected.received` so that the grader can record it where students cannot write. ``submission_secret.txt``
is a fresh secret, as ``nbgrader submit`` makes one, so that ``nbgrader release_feedback`` works for LMS students.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import secrets
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_STUDENT_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024

# Anchored at the start, each part as narrow as the LMS makes it: Canvas's login has no "_", Moodle's full name
# is the shortest prefix before the first "_<id>_assignsubmission_..._" (Moodle writes "_" in names as spaces).
CANVAS = re.compile(r"^(?P<login>[^_/]+)_(?:(?P<late>late|LATE)_)?(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>[^/]+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
MOODLE_MARK = re.compile(r"_\d+_assignsubmission_(?:file|onlinetext)_")
RESUBMISSION = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.[A-Za-z0-9]+)$")


class LmsError(ValueError):
    """The zip or the roster cannot be used (one line for the instructor)."""


@dataclass
class Collected:
    students: set[str] = field(default_factory=set)
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # every member left out, with why (notes and problems)
    late: set[str] = field(default_factory=set)
    # problems the instructor must look at, by student ("" for files that belong to nobody in the roster)
    problems: dict[str, list[str]] = field(default_factory=dict)
    renamed: list[str] = field(default_factory=list)  # "<member>: taken as <file> of <student>"
    received: dict[str, dt.datetime] = field(default_factory=dict)  # the LMS's time of each student's files

    def problem(self, student: str, text: str) -> None:
        self.problems.setdefault(student, []).append(text)
        self.skipped.append(text)

    @property
    def problem_count(self) -> int:
        return sum(len(v) for v in self.problems.values())


@dataclass
class _Pick:
    info: zipfile.ZipInfo
    version: int


@dataclass
class Person:
    """One student of the roster: every identifier the LMS may show for them, and their name."""

    student_id: str
    lms_ids: set[str] = field(default_factory=set)  # Canvas user id, Moodle participant id
    logins: set[str] = field(default_factory=set)  # the student id itself, LMS logins
    name: str = ""  # first and last name as the roster has them ("" when unknown)


def _tokens(text: str) -> list[str]:
    """Words of a name, accents and case folded ("López Ruiz" -> ["lopez", "ruiz"])."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return [w for w in re.split(r"[^0-9a-z]+", plain) if w]


class Roster(Mapping[str, str]):
    """Identifier -> student id, for every identifier of every student, with their names for cross-checks."""

    def __init__(self, people: Iterable[Person], source: str = "roster") -> None:
        self.people: dict[str, Person] = {}
        self._index: dict[str, str] = {}
        for person in people:
            if not STUDENT_ID.match(person.student_id):
                raise LmsError(f"{source}: {person.student_id!r} is not a valid student id")
            known = self.people.setdefault(person.student_id, Person(person.student_id))
            known.lms_ids |= person.lms_ids
            known.logins |= person.logins | {person.student_id}
            known.name = known.name or person.name
            for key in person.lms_ids | person.logins | {person.student_id}:
                if self._index.get(key, person.student_id) != person.student_id:
                    raise LmsError(f"{source}: {key!r} maps to both {self._index[key]} and {person.student_id}")
                self._index[key] = person.student_id

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Roster:
        """A plain {identifier: student id} mapping: numeric identifiers are LMS ids, the others logins."""
        if isinstance(mapping, Roster):
            return mapping
        return cls(Person(sid, lms_ids={k} if k.isdigit() else set(), logins=set() if k.isdigit() else {k})
                   for k, sid in mapping.items())

    def __getitem__(self, key: str) -> str:
        return self._index[key]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def name_fits(self, student: str, lms_name: str) -> bool | None:
        """Whether the LMS's name of a file fits the roster's name of ``student`` (None: the roster has none).

        Every word of the roster's name must appear in the LMS's name (Canvas writes them run together)."""
        name = self.people[student].name if student in self.people else ""
        words = _tokens(name)
        if not words:
            return None
        squashed = "".join(_tokens(lms_name))
        return all(w in squashed for w in words)

    def others_named(self, student: str, lms_name: str) -> list[str]:
        """Students other than ``student`` whose roster name fits ``lms_name``."""
        return sorted(s for s in self.people if s != student and self.name_fits(s, lms_name))


def read_roster(path: Path) -> Roster:
    """A roster CSV: column ``student_id`` (or ``id``), any of ``lms_user_id``, ``login``, ``lms_id``, and the
    names (``first_name`` and ``last_name``, or ``name``) the LMS's names are checked against."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LmsError(f"{path}: cannot read the roster ({exc})") from exc
    people: list[Person] = []
    for n, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        sid = row.get("student_id") or row.get("id") or ""
        if not STUDENT_ID.match(sid):
            raise LmsError(f"{path}: line {n}: no valid student_id")
        person = Person(sid, name=row.get("name") or f"{row.get('first_name', '')} {row.get('last_name', '')}".strip())
        for key in ("lms_user_id", "lms_id"):
            if row.get(key):
                person.lms_ids.add(row[key])
        if row.get("login"):
            person.logins.add(row["login"])
        try:
            Roster([*people, person], source=f"{path}: line {n}")
        except LmsError as exc:
            raise LmsError(str(exc)) from None
        people.append(person)
    return Roster(people, source=str(path))


def roster_from_gradebook(gb) -> Roster:
    """The roster from nbgrader's gradebook: each student's id, ``lms_user_id`` and name (nbgrader db student
    import). An lms_user_id that is another student's id or LMS id is left out (it could not tell them apart)."""
    people = []
    taken = {str(s.id) for s in gb.students}
    for student in gb.students:
        if not STUDENT_ID.match(str(student.id)):
            continue  # such an id never receives files (nothing could be written for it)
        person = Person(student.id, name=f"{student.first_name or ''} {student.last_name or ''}".strip())
        lms_id = str(student.lms_user_id or "").strip()
        if lms_id and lms_id not in taken:
            taken.add(lms_id)
            person.lms_ids.add(lms_id)
        people.append(person)
    return Roster(people, source="the gradebook's students")


def _file_and_version(name: str, known: list[str]) -> tuple[str, int] | None:
    """(the assignment's file, resubmission number) for an uploaded file name, or None if it is not one."""
    if name in known:
        return name, 0
    m = RESUBMISSION.match(name)
    if m and f"{m.group('stem')}{m.group('ext')}" in known:
        return f"{m.group('stem')}{m.group('ext')}", int(m.group("n"))
    return None


@dataclass
class _Owner:
    student: str | None
    upload: str  # the student's own part of the name (may hold subfolders)
    reason: str = ""  # why there is no student
    late: bool = False
    flags: list[str] = field(default_factory=list)  # problems with a file that is still this student's


def _moodle_owner(name: str, lms_id: str, upload: str, roster: Roster) -> _Owner:
    student = roster.get(lms_id)
    if student is None:
        return _Owner(None, upload, f"Moodle participant {lms_id} is not in the roster")
    return _check_name(student, name, upload, roster, f"Moodle participant {lms_id}")


def _check_name(student: str, lms_name: str, upload: str, roster: Roster, who: str) -> _Owner:
    """The id decides; a name that is another student's makes it ambiguous (refused)."""
    fits = roster.name_fits(student, lms_name)
    if fits is False:
        others = roster.others_named(student, lms_name)
        if others:
            return _Owner(None, upload, f"{who} is {student} but the name {lms_name!r} is "
                          f"{', '.join(others)}'s: ambiguous, refused")
        return _Owner(student, upload, flags=[f"the LMS name {lms_name!r} of {who} is not {student}'s name in "
                                             "the roster (taken by the id; check it)"])
    return _Owner(student, upload)


def _owner(parts: tuple[str, ...], known: list[str], roster: Roster, pattern: re.Pattern | None) -> _Owner:
    """Who a member belongs to, from the LMS's part of its path only (see the module's docstring)."""
    if pattern is not None:
        m = pattern.search("/".join(parts))
        if not m:
            return _Owner(None, parts[-1], "does not match --zip-pattern")
        key, upload = m.group("student_id"), PurePosixPath(m.group("file_id")).name
        return _Owner(roster.get(key), upload, f"{key!r} is not in the roster")
    if len(parts) == 1:
        name = parts[0]
        canvas = CANVAS.match(name)
        if canvas:
            return _canvas_owner(canvas, roster)
        moodle = MOODLE.match(name)
        if moodle:
            return _moodle_owner(moodle.group("name"), moodle.group("id"), moodle.group("file"), roster)
        for file_name in sorted(known, key=len, reverse=True):
            if name.endswith("_" + file_name) and name[: -len(file_name) - 1] in roster:
                return _Owner(roster[name[: -len(file_name) - 1]], file_name)
        return _Owner(None, name, "no student recognised in the name (Canvas, Moodle or <student>_<file>)")
    folder, upload = parts[0], "/".join(parts[1:])
    moodle = MOODLE.match(folder)
    if moodle and not moodle.group("file"):
        return _moodle_owner(moodle.group("name"), moodle.group("id"), upload, roster)
    if moodle:  # Moodle's flat name of a file in a subfolder: "<Name>_<id>_assignsubmission_file_<sub>/<file>"
        return _moodle_owner(moodle.group("name"), moodle.group("id"), f"{moodle.group('file')}/{upload}", roster)
    student = roster.get(folder)
    return _Owner(student, upload, f"folder {folder!r} is not a student in the roster")


def _canvas_owner(canvas: re.Match, roster: Roster) -> _Owner:
    uid, login, upload = canvas.group("uid"), canvas.group("login"), canvas.group("file")
    late = bool(canvas.group("late"))
    who = f"Canvas user {login!r} (id {uid})"
    student = roster.get(uid)
    if student is not None:
        owner = _check_name(student, login, upload, roster, who)
        owner.late = late
        return owner
    student = roster.get(login)
    if student is None:
        return _Owner(None, upload, f"{who} is not in the roster")
    ids = roster.people[student].lms_ids if student in roster.people else set()
    if ids:  # the login is a student's whose Canvas id is known and is another one: someone else's name
        return _Owner(None, upload, f"{who}: {login!r} is {student}, whose LMS id is {', '.join(sorted(ids))}, "
                      "not this one: ambiguous, refused")
    return _Owner(student, upload, late=late)


def _imitation(upload: str, roster: Roster, owner: str) -> bool:
    """Whether a student's own upload name imitates the LMS's part of another entry (any Moodle prefix, or a
    Canvas prefix naming another student of the roster)."""
    if MOODLE_MARK.search(upload):
        return True
    canvas = CANVAS.match(PurePosixPath(upload).name)
    if canvas is None:
        return False
    named = roster.get(canvas.group("uid")) or roster.get(canvas.group("login"))
    return named is not None and named != owner


def _grade_ids(data: bytes) -> set[str]:
    """The nbgrader grade ids in a notebook's cells ({} when it is not a notebook)."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return set()
    out: set[str] = set()
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        grader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = grader.get("grade_id") if isinstance(grader, dict) else None
        if isinstance(grade_id, str):
            out.add(grade_id)
    return out


def _zip_time(info: zipfile.ZipInfo) -> dt.datetime:
    try:
        return dt.datetime(*info.date_time)
    except ValueError:
        return dt.datetime(1980, 1, 1)


def _compile(pattern: str | None) -> re.Pattern | None:
    if not pattern:
        return None
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise LmsError(f"--zip-pattern {pattern!r} is not a regular expression ({exc})") from None
    if not {"student_id", "file_id"} <= set(regex.groupindex):
        raise LmsError(f"--zip-pattern {pattern!r} needs the named groups (?P<student_id>...) and (?P<file_id>...)")
    return regex


def _strip_top(members: list[zipfile.ZipInfo], roster: Roster) -> bool:
    """A zip of one folder (a download saved inside a folder) is read as its contents, unless that folder is
    itself an owner (one student's folder, one Moodle submission)."""
    tops = {PurePosixPath(i.filename).parts[0] for i in members if i.filename and not i.filename.startswith("/")}
    if len(tops) != 1 or not all(len(PurePosixPath(i.filename).parts) >= 3 for i in members):
        return False
    (top,) = tops
    return top not in roster and not MOODLE.match(top)


def collect_zip(zip_path: Path, submitted: Path, assignment: str, known_files: list[str],
                pattern: str | None = None, roster: Mapping[str, str] | None = None,
                grade_ids: Mapping[str, set[str]] | None = None) -> Collected:
    """Put each rostered student's files of ``zip_path`` in ``submitted/<student>/<assignment>/``.

    ``roster`` maps LMS identifiers (login, user or participant id, student id) to student ids (a :class:`Roster`
    also cross-checks names); without one, no file can be matched. ``grade_ids`` gives, for each notebook of the
    assignment, the grade ids of its cells: a student's one notebook carrying them is taken under another name.
    Returns what was collected and, for every file left out, why (problems by student in ``problems``).
    """
    roster = Roster.from_mapping(roster or {})
    regex = _compile(pattern)
    grade_ids = {k: set(v) for k, v in (grade_ids or {}).items() if v}
    report = Collected()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LmsError(f"{zip_path}: not a readable zip ({exc})") from exc
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        strip = _strip_top(members, roster)
        picks: dict[str, dict[str, _Pick]] = {}
        folders: dict[tuple[str, str], set[str]] = {}  # (student, file) -> folders of the upload it came from
        candidates: dict[str, list[tuple[zipfile.ZipInfo, str]]] = {}  # student -> other notebooks of theirs
        sizes: dict[str, int] = {}
        for info in members:
            name = info.filename
            parts = PurePosixPath(name).parts
            if strip:
                parts = parts[1:]
            if name.startswith("__MACOSX/") or not parts or any(p.startswith(".") for p in parts if p != ".."):
                continue
            mode = info.external_attr >> 16
            if name.startswith("/") or "\\" in name or ".." in parts or stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                report.problem("", f"{name}: unsafe path, link or special file")
                continue
            owner = _owner(parts, known_files, roster, regex)
            student = owner.student
            if student is None:
                report.problem("", f"{name}: {owner.reason}")
                continue
            if not STUDENT_ID.match(student):
                report.problem("", f"{name}: roster student id {student!r} is not a valid id")
                continue
            for flag in owner.flags:
                report.problem(student, f"{name}: {flag}")
            if regex is None and _imitation(owner.upload, roster, student):
                report.problem(student, f"{name}: the upload's own name imitates another LMS entry; it stays "
                                        f"{student}'s (the LMS's part of the name decides)")
            if info.file_size > MAX_MEMBER_BYTES:
                report.problem(student, f"{name}: {student}: larger than {MAX_MEMBER_BYTES >> 20} MB (not taken)")
                continue
            upload = PurePosixPath(owner.upload).name
            target = _file_and_version(upload, known_files)
            if target is None:
                if upload.endswith(".ipynb") and grade_ids:
                    candidates.setdefault(student, []).append((info, upload))
                    sizes[student] = sizes.get(student, 0) + info.file_size
                else:
                    report.skipped.append(f"{name}: {student}: {owner.upload!r} is not a file of {assignment} "
                                          "(not taken)")
                continue
            file_id, version = target
            folders.setdefault((student, file_id), set()).add(str(PurePosixPath(owner.upload).parent))
            sizes[student] = sizes.get(student, 0) + info.file_size
            if owner.late:
                report.late.add(student)
            _choose(picks.setdefault(student, {}), file_id, _Pick(info, version), student, report)
        for student, found in sorted(candidates.items()):
            _renamed(archive, student, found, picks.setdefault(student, {}), grade_ids, assignment, report)
        for (student, file_id), places in sorted(folders.items()):
            if len(places) > 1:  # not versions of one upload: copies the grader must not choose between
                report.problem(student, f"{student}: {file_id} is in {len(places)} folders of the upload ("
                                        + ", ".join(sorted(p if p != "." else "top" for p in places))
                                        + "): none taken; keep one in the LMS, or put the right one in "
                                          f"submitted/{student}/{assignment}/{file_id}")
                picks.get(student, {}).pop(file_id, None)
        over = {s for s, n in sizes.items() if n > MAX_STUDENT_BYTES}
        for student in sorted(over):
            report.problem(student, f"{student}: {sizes[student] >> 20} MB of files, over the "
                                    f"{MAX_STUDENT_BYTES >> 20} MB budget of one student: skipped, nothing written")
            picks.pop(student, None)
        picks = {s: p for s, p in picks.items() if p}
        if sum(sizes[s] for s in picks) > MAX_TOTAL_BYTES:
            raise LmsError(f"{zip_path}: more than {MAX_TOTAL_BYTES >> 30} GB once unpacked; nothing written")
        for student in sorted(picks):
            try:
                _write_student(archive, submitted, student, assignment, picks[student], report)
            except (LmsError, zipfile.BadZipFile, EOFError, OSError) as exc:
                report.problem(student, f"{student}: {exc}: skipped, the previous submission (if any) kept")
    return report


def _choose(chosen: dict[str, _Pick], file_id: str, pick: _Pick, student: str, report: Collected) -> None:
    """Keep the latest version of one of the assignment's files (resubmission number, then the LMS's time)."""
    old = chosen.get(file_id)
    if old is None or (pick.version, _zip_time(pick.info)) > (old.version, _zip_time(old.info)):
        if old is not None:
            report.skipped.append(f"{old.info.filename}: {student}: replaced by the later {pick.info.filename}")
        chosen[file_id] = pick
    else:
        report.skipped.append(f"{pick.info.filename}: {student}: an older version of {old.info.filename}")


def _renamed(archive: zipfile.ZipFile, student: str, found: list[tuple[zipfile.ZipInfo, str]],
             chosen: dict[str, _Pick], grade_ids: Mapping[str, set[str]], assignment: str,
             report: Collected) -> None:
    """Take a student's notebook under another name (or in a subfolder) for the assignment's notebook whose
    grade ids its cells carry, when it is the only one; two or more are a problem and none is taken."""
    matches: dict[str, list[tuple[zipfile.ZipInfo, str]]] = {}
    for info, upload in found:
        try:
            with archive.open(info) as fh:
                ids = _grade_ids(fh.read(MAX_MEMBER_BYTES + 1))
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
            ids = set()
        owners = [file_id for file_id, wanted in grade_ids.items() if ids & wanted]
        if len(owners) == 1:
            matches.setdefault(owners[0], []).append((info, upload))
        elif len(owners) > 1:
            report.problem(student, f"{info.filename}: {student}: carries the grade ids of several notebooks "
                                    f"({', '.join(sorted(owners))}): not taken")
        else:
            report.skipped.append(f"{info.filename}: {student}: {upload!r} is not a file of {assignment} "
                                  "(no grade id of it in its cells; not taken)")
    for file_id, options in sorted(matches.items()):
        if file_id in chosen:
            for info, _ in options:
                report.skipped.append(f"{info.filename}: {student}: not taken, {file_id} is there under its own "
                                      "name")
            continue
        bases = {_base(upload) for _, upload in options}
        if len(bases) > 1:
            report.problem(student, f"{student}: {len(options)} notebooks carry the grade ids of {file_id} ("
                                    + ", ".join(sorted(i.filename for i, _ in options))
                                    + "): none taken; keep one in the LMS, or put the right one in "
                                      f"submitted/{student}/{assignment}/{file_id}")
            continue
        for info, upload in options:
            m = RESUBMISSION.match(upload)
            _choose(chosen, file_id, _Pick(info, int(m.group("n")) if m else 0), student, report)
        report.renamed.append(f"{chosen[file_id].info.filename}: taken as {file_id} of {student} (renamed upload)")


def _base(upload: str) -> str:
    m = RESUBMISSION.match(upload)
    return f"{m.group('stem')}{m.group('ext')}" if m else upload


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
    report.received[student] = newest
