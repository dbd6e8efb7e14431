"""Unpack an LMS download (one zip of every student's files) into nbgrader's submitted/ layout, safely.

Two layouts are understood: ``<student>/<file>`` (one folder per student) and flat names in the style of
Canvas or Moodle, ``<student>_<anything>_<file>`` where ``<file>`` ends with a file name the assignment knows.
A custom ``pattern`` (a regular expression with the groups ``student_id`` and ``file_id``) overrides both.
Absolute paths, ``..``, links and oversized members are refused; nothing is written outside submitted/.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024


class LmsError(ValueError):
    """The zip cannot be used (one line for the instructor)."""


@dataclass
class Collected:
    students: set[str] = field(default_factory=set)
    files: int = 0
    skipped: list[str] = field(default_factory=list)


def _match(name: str, known: list[str], pattern: re.Pattern | None) -> tuple[str, str] | None:
    path = PurePosixPath(name)
    if pattern is not None:
        m = pattern.search(name)
        return (m.group("student_id"), m.group("file_id")) if m else None
    for file_name in sorted(known, key=len, reverse=True):
        stem = path.name[: -len(file_name)] if path.name.endswith(file_name) else ""
        if stem and "_" in stem and not stem.startswith("_"):
            return stem.split("_", 1)[0], file_name
    if len(path.parts) >= 2:
        return path.parts[-2], path.name
    return None


def collect_zip(zip_path: Path, submitted: Path, assignment: str, known_files: list[str],
                pattern: str | None = None) -> Collected:
    """Extract ``zip_path`` into ``submitted/<student>/<assignment>/``; returns what was collected."""
    regex = re.compile(pattern) if pattern else None
    report = Collected()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LmsError(f"{zip_path}: not a readable zip ({exc})") from exc
    total = 0
    with archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/") or PurePosixPath(name).name.startswith("."):
                continue
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or (info.external_attr >> 16) & 0o170000 == 0o120000:
                report.skipped.append(f"{name}: unsafe path or link")
                continue
            matched = _match(name, known_files, regex)
            if matched is None:
                report.skipped.append(f"{name}: no student or file name recognised")
                continue
            student, file_id = matched
            file_id = PurePosixPath(file_id).name
            if not STUDENT_ID.match(student) or not file_id or file_id.startswith("."):
                report.skipped.append(f"{name}: bad student id or file name")
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                report.skipped.append(f"{name}: larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
                continue
            with archive.open(info) as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                report.skipped.append(f"{name}: larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
                continue
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise LmsError(f"{zip_path}: more than 2 GB once unpacked")
            dest_dir = submitted / student / assignment
            dest_dir.mkdir(parents=True, exist_ok=True)
            tmp = dest_dir / f".{file_id}.part"
            tmp.write_bytes(data)
            tmp.replace(dest_dir / file_id)
            report.students.add(student)
            report.files += 1
    return report
