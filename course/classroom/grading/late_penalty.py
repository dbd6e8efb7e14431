"""The course's late-submission policy, as an nbgrader ``LateSubmissionPlugin``.

nbgrader_config.py selects it (``c.AssignLatePenalties.plugin_class``), so ``nbgrader autograde`` applies it, and
``grade-class`` applies the same plugin with the same configuration through :func:`apply_late_penalty`. The
penalty is stored where nbgrader stores it (``SubmittedNotebook.late_submission_penalty``): formgrader, the
feedback and ``nbgrader export`` show it.

**When a submission arrived** is decided by :func:`submission_time` from what the student cannot write, never from
the ``timestamp.txt`` they submit (``nbgrader submit`` writes it on the student's side: any time can be put there):

1. an LMS zip: the LMS's time of the student's files in the zip, recorded by ``grade-class --zip`` in the gradebook
   (with a digest of the notebooks it wrote, so that a later change of the files is not timed by it);
2. the nbgrader exchange: the change time (ctime) of the student's entry in ``<exchange>/<course>/inbound/``
   whose notebooks are the collected ones; a student can move a ctime only forward, to "now";
3. otherwise the collect time: the ctime of the files in ``submitted/<student>/<assignment>/``, when they were put
   there (an upper bound: collect before the due date or grade where the exchange is).

The student's ``timestamp.txt`` is only compared with it: a disagreement, a missing one and a time that is only the
collect time are flagged when the assignment has a due date. :func:`class_lateness_warning` gives one line when
most of a class is more than a week late (a due date in the wrong year, or submissions collected long after).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float, Int
from traitlets.config import Config

from classroom.grading.course_state import CLAIM_FILE, TIME_FILES

DAY = 24 * 3600


class PerDayLatePenalty(LateSubmissionPlugin):
    """A share of the score per started day late; the whole score from ``zero_after_days`` days late on."""

    percent_per_day = Float(10.0, help="percent of the notebook's score lost per started day late").tag(config=True)
    zero_after_days = Int(5, help="from this many started days late on, the penalty is the whole score").tag(
        config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """Points taken off ``score`` for a submission ``total_seconds_late`` seconds after the due date."""
        if total_seconds_late <= 0 or not score:
            return None
        days = math.ceil(total_seconds_late / DAY)
        if days >= self.zero_after_days:
            return float(score)
        return min(float(score), round(score * self.percent_per_day * days / 100.0, 4))


def plugin_from_config(config: Config) -> LateSubmissionPlugin:
    """The plugin nbgrader's AssignLatePenalties would use under ``config`` (nbgrader's default: no penalty)."""
    from nbgrader.preprocessors import AssignLatePenalties

    return AssignLatePenalties(config=config).plugin_class(config=config)


def apply_late_penalty(gb: Gradebook, assignment: str, student: str, config: Config) -> dict[str, float]:
    """Set each notebook's late penalty of one submission exactly as nbgrader's AssignLatePenalties does.

    Returns {notebook: penalty} for the notebooks that got one. The caller commits.
    """
    plugin = plugin_from_config(config)
    submission = gb.find_submission(assignment, student)
    seconds_late = submission.total_seconds_late
    out: dict[str, float] = {}
    for notebook in submission.notebooks:
        notebook.late_submission_penalty = None
        if seconds_late > 0:
            penalty = plugin.late_submission_penalty(student, notebook.score, seconds_late)
            if penalty is not None:
                penalty = min(max(float(penalty), 0.0), float(notebook.score))
                notebook.late_submission_penalty = penalty
                out[notebook.name] = penalty
    return out


AGREE_SECONDS = 10 * 60  # a student's timestamp.txt within this of the trusted time agrees with it
MAX_STAMP_BYTES = 4096
MAX_ENTRY_FILES = 1000
MAX_DIGEST_BYTES = 64 * 1024 * 1024  # larger than any notebook the grader reads (20 MB)
EXCHANGE_ROOT = "/usr/local/share/nbgrader/exchange"  # nbgrader 0.9's default Exchange.root


@dataclass
class SubmissionTime:
    """When a submission arrived, by what the student cannot write, and what the instructor should check."""

    at: dt.datetime | None  # naive UTC, as nbgrader stores times
    source: str  # "the LMS zip", "the exchange", "the collect time" or "" (none)
    flags: list[str] = field(default_factory=list)


def policy_key(config: Config) -> str:
    """The late policy in force (plugin and its settings): part of grade-class's resume key."""
    plugin = plugin_from_config(config)
    cls = type(plugin)
    settings = {name: getattr(plugin, name) for name in sorted(plugin.trait_names(config=True))}
    return f"{cls.__module__}.{cls.__qualname__}:" + json.dumps(settings, sort_keys=True, default=str)


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _regular_files(root: Path) -> list[Path]:
    """Regular files under ``root`` (never through a link), at most MAX_ENTRY_FILES."""
    out: list[Path] = []
    for base, dirs, names in os.walk(root, followlinks=False):
        for name in sorted(names):
            path = Path(base) / name
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    out.append(path)
            except OSError:
                continue
            if len(out) >= MAX_ENTRY_FILES:
                return out
        dirs.sort()
    return out


def notebooks_digest(folder: Path, notebooks: list[str]) -> str:
    """A digest of a submission's notebooks (names and contents; a missing, odd or huge one counts as such).

    Student-owned folders (the exchange's inbound) are read without following links and without blocking on a
    FIFO swapped in after a check, and at most MAX_DIGEST_BYTES of each notebook."""
    digest = hashlib.sha256()
    for name in sorted(notebooks):
        digest.update(f"{name}\0".encode())
        try:
            fd = os.open(folder / f"{name}.ipynb", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            digest.update(b"\1missing\0")
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DIGEST_BYTES:
                digest.update(f"\1not read: mode {info.st_mode:o}, {info.st_size} bytes\0".encode())
                continue
            with os.fdopen(os.dup(fd), "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            digest.update(b"\1unreadable")
        finally:
            os.close(fd)
        digest.update(b"\0")
    return digest.hexdigest()


def _latest_ctime(paths: list[Path]) -> dt.datetime | None:
    times = []
    for path in paths:
        try:
            times.append(os.lstat(path).st_ctime)
        except OSError:
            continue
    return _utc(max(times)) if times else None


def exchange_time(exchange_root: Path, course_id: str, student: str, assignment: str,
                  digest: str, notebooks: list[str]) -> dt.datetime | None:
    """The ctime of the student's inbound exchange entry holding exactly the collected notebooks (the earliest
    such entry), or None when the exchange has none (or cannot be read)."""
    inbound = exchange_root / course_id / "inbound"
    try:
        entries = [e for e in os.scandir(inbound) if e.name.startswith(f"{student}+{assignment}+")]
    except OSError:
        return None
    found = []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        if notebooks_digest(path, notebooks) != digest:
            continue
        when = _latest_ctime([path, *_regular_files(path)])
        if when is not None:
            found.append(when)
    return min(found) if found else None


def _student_claim(folder: Path) -> tuple[dt.datetime | None, str]:
    """The time in the submission's own timestamp.txt and "" , or None and why there is none."""
    from nbgrader.utils import parse_utc

    kept = folder / CLAIM_FILE  # the claim, once grade-class put its trusted time in timestamp.txt
    path = kept if os.path.lexists(kept) else folder / "timestamp.txt"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None, "no timestamp.txt"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STAMP_BYTES:
            return None, "timestamp.txt is not a small regular file"
        raw = os.read(fd, MAX_STAMP_BYTES)
    finally:
        os.close(fd)
    try:
        text = raw.decode("utf-8").strip()
        if not text:
            return None, "no timestamp.txt"
        return parse_utc(text), ""
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None, "timestamp.txt is not a valid time"


def _fmt(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def submission_time(folder: Path, notebooks: list[str], *, lms: tuple[str, dt.datetime] | None,
                    exchange_root: Path | None, course_id: str, student: str, assignment: str,
                    duedate: dt.datetime | None) -> SubmissionTime:
    """When the submission in ``folder`` arrived, by the first trusted source that has it (module docstring).

    ``lms`` is (notebooks digest, LMS time) as recorded when the zip was collected. Flags are given only when
    the assignment has a due date (otherwise the time changes nothing)."""
    digest = notebooks_digest(folder, notebooks)
    at, source = None, ""
    if lms is not None and lms[0] == digest:
        at, source = lms[1], "the LMS zip"
    if at is None and exchange_root is not None:
        at = exchange_time(exchange_root, course_id, student, assignment, digest, notebooks)
        source = "the exchange" if at is not None else ""
    if at is None:  # the collect time: the submission's files, not the time files grade-class rewrites
        at = _latest_ctime([p for p in _regular_files(folder) if p.parent != folder or p.name not in TIME_FILES])
        source = "the collect time" if at is not None else ""
    out = SubmissionTime(at, source)
    if duedate is None or at is None:
        return out
    claim, why = _student_claim(folder)
    if source == "the collect time":
        out.flags.append(f"submission time: neither the LMS zip nor the exchange has it; the time the files "
                         f"were collected, {_fmt(at)}, is used")
    if claim is None and source != "the LMS zip":
        out.flags.append(f"submission time: {why}; {source} ({_fmt(at)}) is used")
    elif claim is not None and abs((claim - at).total_seconds()) > AGREE_SECONDS:
        out.flags.append(f"submission time: timestamp.txt says {_fmt(claim)} but {source} says {_fmt(at)}: "
                         f"{_fmt(at)} is used")
    return out


def class_lateness_warning(gb: Gradebook, assignment: str) -> str | None:
    """One line when more than half of the assignment's submissions are more than a week late."""
    record = gb.find_assignment(assignment)
    if record.duedate is None:
        return None
    subs = [s for s in record.submissions if s.timestamp is not None]
    late = [s for s in subs if s.total_seconds_late > 7 * DAY]
    if not subs or 2 * len(late) <= len(subs):
        return None
    return (f"WARNING: {len(late)} of {len(subs)} submission(s) are more than a week after the due date "
            f"({_fmt(record.duedate)}): check the due date (nbgrader db assignment add {assignment} "
            "--duedate=...) and when the submissions were collected, then run make grade again")
