"""Guard: what of a submission the grader reads, and what enters the sandbox's scratch.

- A file is read only when it is a regular file with a single link, checked on the path *before* it is
  opened (a FIFO would block ``open``; a device could be endless; a hard link to the solution would pass
  ``O_NOFOLLOW``), then checked again on the open descriptor (same inode), and read up to a bound.
- The scratch (the kernel's working directory) receives the assignment's released data files only. Every
  other file a student submitted is never copied anywhere the kernel can import from: it is listed for the
  instructor (summary line and the CSV's flag column) instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MB = 1024 * 1024
MAX_RELEASE_BYTES = 100 * MB
# nbgrader's own files (collect / submit / LMS import), and the student's claimed time that grade-class keeps
# beside its trusted timestamp.txt (classroom.grading.course_state.CLAIM_FILE)
IGNORED = {"timestamp.txt", "submission_secret.txt", "timestamp.claimed.txt"}


class Refused(ValueError):
    """A file the grader will not read (one line, for the summary)."""


def read_regular(path: Path, limit: int, hard_links: bool = False) -> bytes:
    """The bytes of ``path`` if it is a regular, single-link file of at most ``limit`` bytes.

    ``hard_links=True`` accepts a file with other hard links (the instructor's own released files only).
    """
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise Refused("missing") from None
    if stat.S_ISLNK(before.st_mode):
        raise Refused("is a symbolic link (refused)")
    if not stat.S_ISREG(before.st_mode):
        raise Refused("not a regular file (a pipe, device or directory: refused)")
    if before.st_nlink != 1 and not hard_links:
        raise Refused("has other hard links (refused)")
    if before.st_size > limit:
        raise Refused(f"larger than {limit / MB:g} MB")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(info.st_mode) \
                or (info.st_nlink != 1 and not hard_links):
            raise Refused("changed while it was read (refused)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise Refused(f"larger than {limit / MB:g} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def released_files(release_dir: Path | None) -> list[Path]:
    """The assignment's released data files (not notebooks, not hidden), relative to ``release_dir``."""
    if release_dir is None or not release_dir.is_dir():
        return []
    out = []
    for path in sorted(release_dir.rglob("*")):
        rel = path.relative_to(release_dir)
        if any(p.startswith(".") for p in rel.parts) or path.suffix == ".ipynb":
            continue
        if not path.is_symlink() and path.is_file():
            out.append(rel)
    return out


def fill_scratch(scratch: Path, release_dir: Path | None) -> int:
    """Copy the released data files (instructor's, never the student's) into ``scratch``; bytes copied."""
    total = 0
    for rel in released_files(release_dir):
        data = read_regular(release_dir / rel, MAX_RELEASE_BYTES, hard_links=True)  # type: ignore[operator]
        total += len(data)
        if total > MAX_RELEASE_BYTES:
            raise Refused("released files larger than 100 MB")
        target = scratch / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return total


def extra_files(submitted: Path, notebooks: list[str], release_dir: Path | None, limit: int = 20) -> list[str]:
    """Files of a submission the grader does not use (never copied, never importable), for the instructor."""
    if not submitted.is_dir():
        return []
    expected = {f"{n}.ipynb" for n in notebooks} | IGNORED
    expected |= {rel.as_posix() for rel in released_files(release_dir)}
    found = []
    for dirpath, dirnames, filenames in os.walk(submitted):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            rel = (Path(dirpath) / name).relative_to(submitted).as_posix()
            if rel not in expected:
                found.append(rel)
                if len(found) > 10 * limit:
                    break
    found.sort()
    return found[:limit] + ["..."] if len(found) > limit else found
