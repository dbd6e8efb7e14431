"""Leave a course in the state nbgrader's own commands expect after ``grade-class``.

nbgrader's ``autograde`` copies a submission's ``timestamp.txt`` and ``submission_secret.txt`` into
``autograded/<student>/<assignment>/``, and ``generate_feedback`` copies them on into ``feedback/``: without them
``release_feedback`` cannot name the feedback file a student fetches, and formgrader, ``export`` and the late
penalty have no submission time. :func:`complete_submission` puts them where nbgrader would.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

STATE_FILES = ("timestamp.txt", "submission_secret.txt")
MAX_STATE_BYTES = 4096
# The student's own timestamp.txt, kept beside the submission once the grader's trusted time replaces it.
CLAIM_FILE = "timestamp.claimed.txt"
TIME_FILES = ("timestamp.txt", CLAIM_FILE)  # rewritten by grade-class: never evidence of when files arrived


def _read_small_regular(src: Path) -> bytes | None:
    """The bytes of ``src`` if it is a small regular file with one link (never through a link), else None."""
    try:
        fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size > MAX_STATE_BYTES:
            return None
        return os.read(fd, MAX_STATE_BYTES + 1)
    finally:
        os.close(fd)


def _replace_file(dest: Path, data: bytes) -> None:
    """Write ``dest`` in a folder whose names a student chose: a fresh temporary file (O_EXCL, never through a
    link a submission planted) renamed over whatever ``dest`` was, so no link or pipe is ever followed."""
    tmp = dest.parent / f".{dest.name}.grader-part"
    if os.path.lexists(tmp):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(tmp, dest)


def _copy_small_regular(src: Path, dest: Path) -> bool:
    """Copy ``src`` to ``dest`` if it is a small regular file (never through a link); True when copied."""
    data = _read_small_regular(src)
    if data is None:
        return False
    _replace_file(dest, data)
    return True


def complete_submission(course: Path, submitted: Path, student: str, assignment: str,
                        timestamp: str | None = None) -> list[str]:
    """Copy the state files of ``submitted/<student>/<assignment>/`` into its autograded/ and feedback/ folders.

    ``timestamp`` (the grader's trusted submission time, see ``late_penalty.submission_time``) is written as
    ``timestamp.txt`` instead of the submission's own, which the student may have written, in ``submitted/`` too:
    nbgrader (formgrader, ``export``) counts a submission as autograded only when ``submitted/``'s timestamp equals
    the gradebook's, and the gradebook holds the trusted time. The student's own claim is kept as
    :data:`CLAIM_FILE` (what ``late_penalty`` compares for its flags). Returns the names copied. A file the
    submission lacks (an LMS zip has no submission secret) is left out, and an old copy of it is removed so that
    nothing from an earlier submission lingers.
    """
    source = submitted / student / assignment
    if timestamp is not None and source.is_dir() and not source.is_symlink():
        if not os.path.lexists(source / CLAIM_FILE):
            claim = _read_small_regular(source / "timestamp.txt")
            _replace_file(source / CLAIM_FILE, claim or b"")  # empty: the submission claimed nothing
        _replace_file(source / "timestamp.txt", timestamp.encode())
    copied = []
    for name in STATE_FILES:
        ok = False
        for kind in ("autograded", "feedback"):
            dest_dir = course / kind / student / assignment
            if not dest_dir.is_dir():
                continue
            if name == "timestamp.txt" and timestamp is not None:
                tmp = dest_dir / f".{name}.part"
                tmp.write_text(timestamp)
                tmp.replace(dest_dir / name)
                ok = True
            elif _copy_small_regular(source / name, dest_dir / name):
                ok = True
            elif (dest_dir / name).exists():
                (dest_dir / name).unlink()
        if ok:
            copied.append(name)
    return copied


def copy_state(src_dir: Path, dest_dir: Path) -> None:
    """Copy the state files that ``src_dir`` has into ``dest_dir`` (autograded/ to feedback/)."""
    for name in STATE_FILES:
        _copy_small_regular(src_dir / name, dest_dir / name)


def replace_dir(staged: Path, dest: Path) -> None:
    """Put ``staged`` at ``dest``, replacing an older ``dest`` in two renames."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = dest.parent / f".{dest.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    staged.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def guard_release_folder(argv: list[str], release_root: Path) -> bool:
    """Keep the released assignments while ``nbgrader generate_assignment`` runs; put back what a failure removed.

    nbgrader deletes ``<release>/<id>/`` before regenerating it (``--force``) and again when a conversion fails, so
    one broken solution notebook would leave the committed student version deleted. Called from
    nbgrader_config.py: a copy of the release folder is taken now, and at exit every assignment folder that lost
    a notebook it had is restored from the copy (a successful run rewrites every notebook, so nothing is put back).
    Returns True when the guard is armed.
    """
    if len(argv) < 2 or argv[1] != "generate_assignment" or not release_root.is_dir():
        return False
    backup = Path(tempfile.mkdtemp(prefix="nbgrader-release-")) / "release"
    shutil.copytree(release_root, backup, symlinks=True)

    def restore() -> None:
        try:
            restored = []
            for folder in sorted(p for p in backup.iterdir() if p.is_dir()):
                dest = release_root / folder.name
                had = {p.relative_to(folder) for p in folder.rglob("*.ipynb")}
                if had and not all((dest / rel).is_file() for rel in had):
                    shutil.rmtree(dest, ignore_errors=True)
                    shutil.copytree(folder, dest, symlinks=True)
                    restored.append(folder.name)
            if restored:
                print(f"nbgrader_config.py: generate_assignment removed {', '.join(restored)} from "
                      f"{release_root.name}/; the previous version is back in place", file=sys.stderr)
        finally:
            shutil.rmtree(backup.parent, ignore_errors=True)

    atexit.register(restore)
    return True
