"""The students' copy of the course: notebooks, the ``osteonecrosis`` package, the student versions of the
assignments, and nothing an instructor keeps to themselves.

    python -m classroom.publishing.student_release [--dest DIR]          (make student-release; default
    build/student-release)

It writes the folder and, beside it, ``DIR.zip`` (the same files under one top folder): the copy an instructor
publishes on the LMS or the course page. Students start from that copy, never from this repository, whose
``solutions/`` holds every model answer and hidden test; the copy's README gives them two set-up commands.

What goes in (an allow-list, so a new instructor file never slips in by default): the course notebooks and
their README, ``course/app/``, the package students import (``course/osteonecrosis/``), ``assignments/`` (the
nbgrader student versions), ``requirements.lock``, ``environment.yml`` and a ``pyproject.toml`` that installs
only the student package. What never goes in: ``solutions/``, ``tests/``, ``tools/``, the grader and course
operations (``course/classroom/``), ``nbgrader_config.py``, gradebooks, rosters and grades.

After copying, the copy is audited: no forbidden path, and no solution, hidden-test or mark-scheme text of any
assignment in any file (the same leak search as ``make check``). A copy that fails the audit is removed.
Errors: one line on stderr, exit 1 (the audit failed) or 2 (bad arguments).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from classroom.authoring.assignment_model import (
    BEGIN_HIDDEN,
    BEGIN_MARK_SCHEME,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_MARK_SCHEME,
    END_SOLUTION,
    ROOT,
    SECRET_MARKERS,
    SOLUTIONS,
    Cell,
    _visible_lines,
    assignment_ids,
    leaks,
    notebooks,
    read_cells,
    release_text,
)

DEFAULT_DEST = ROOT / "build" / "student-release"
# Repository paths copied into the student release (files or folders), relative to the repository root.
INCLUDE: tuple[str, ...] = (
    "course/README.md",
    "course/app",
    "course/osteonecrosis",
    "assignments",
    "requirements.lock",
    "environment.yml",
)
COURSE_NOTEBOOKS = "course/*.ipynb"
# Names that must never appear anywhere in the release (folders or files, at any depth).
FORBIDDEN_NAMES: frozenset[str] = frozenset({
    "solutions", "tests", "tools", "classroom", "source", "submitted", "autograded", "feedback",
    "nbgrader_config.py", "gradebook.db", ".git", "benchmarks", "Makefile",
})
FORBIDDEN_SUFFIXES: tuple[str, ...] = (".db", ".sqlite", ".csv")
IMPORT = re.compile(r"^(from\s+[\w.]+\s+)?import\s")  # an import line is public API, not an answer
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

STUDENT_README = """# Osteonecrosis of the jaw: the student copy of the course

This is the course as students receive it: the notebooks in `course/`, the Python package `osteonecrosis`
that they call, and the problem sets in `assignments/`.

- Start with `course/00_start_here.ipynb`, then work through notebooks 01 to 08.
- On the class JupyterHub, fetch each problem set from the **Assignments** panel (it lands in your home
  folder), answer in the cells marked `YOUR CODE HERE` / `YOUR ANSWER HERE`, run the visible tests, then
  submit from the same panel. Feedback comes back there too.
- On your own computer (Python 3.11 or newer), in this folder, two commands: the first sets up (a few
  minutes, once), the second opens JupyterLab on this folder (then open `course/00_start_here.ipynb`):

      python3 -m venv .venv && .venv/bin/pip install -c requirements.lock -e .
      .venv/bin/jupyter lab

This course teaches; it is not a clinical decision tool.
"""


class ReleaseAuditError(RuntimeError):
    """The student release contains something a student must not receive; the message is one line."""


@dataclass
class StudentRelease:
    """A built student release: where it is, what it holds, and what the audit checked."""

    dest: Path
    files: list[str] = field(default_factory=list)
    assignments_checked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def student_pyproject(text: str) -> str:
    """The repository's pyproject.toml for students: the ``osteonecrosis`` package only (no ``classroom``
    package, no ``grade-class`` command). Raises ValueError when the expected entries are not there."""
    out = re.sub(r'^grade-class\s*=.*\n', "", text, flags=re.M)
    out = re.sub(r'include\s*=\s*\[[^\]]*\]', 'include = ["osteonecrosis*"]', out, count=1)
    data = tomllib.loads(out)
    scripts = data.get("project", {}).get("scripts", {})
    include = data.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {}).get("include")
    if "grade-class" in scripts or include != ["osteonecrosis*"]:
        raise ValueError("pyproject.toml: cannot reduce it to the student package")
    return out


def secret_regions(cells: list[Cell]) -> list[list[str]]:
    """Per cell and kind, the meaningful secret lines (hidden tests, solutions, mark schemes) of one assignment:
    stripped, 12 characters or more, not an import, and not also visible in the student version."""
    visible = _visible_lines(cells)
    out: list[list[str]] = []
    for c in cells:
        for begin, end in ((BEGIN_HIDDEN, END_HIDDEN), (BEGIN_SOLUTION, END_SOLUTION),
                           (BEGIN_MARK_SCHEME, END_MARK_SCHEME)):
            lines = [ln.strip() for ln in c.region(begin, end)]
            lines = [ln for ln in dict.fromkeys(lines) if len(ln) >= 12 and not IMPORT.match(ln)
                     and ln not in visible and ln not in SECRET_MARKERS]
            if lines:
                out.append(lines)
    return out


def region_leaks(regions: list[list[str]], text: str) -> list[str]:
    """Secret regions found in a text that is not an assignment: two lines of one region found as whole lines,
    or a one-line region of 40 characters or more. A single shared line (the course teaches the same call a
    hidden test makes) is not a leak; a copied solution, hidden test or mark scheme is."""
    lines = {ln.strip() for ln in text.split("\n")}
    out: list[str] = []
    for region in regions:
        hits = [ln for ln in region if ln in lines]
        if len(hits) >= 2 or (len(region) == 1 and hits and len(hits[0]) >= 40):
            out.append(f"secret text {hits[0][:70]!r} ({len(hits)} of {len(region)} lines of one region)")
    return out


@dataclass
class Audit:
    """What the audit of a student release found."""

    problems: list[str] = field(default_factory=list)   # the release is refused
    warnings: list[str] = field(default_factory=list)   # shown: answer logic inside the importable package
    assignments: list[str] = field(default_factory=list)


def audit(dest: Path, solutions: Path = SOLUTIONS) -> Audit:
    """Forbidden paths in ``dest``, and secret text of the assignments in ``solutions`` found in any file.

    ``assignments/<id>/`` is searched exactly as ``make check`` does (nbgrader's delimiters, and every hidden-test,
    solution and mark-scheme line of that assignment). Every other file is searched for the delimiters and for
    copied secret regions (:func:`region_leaks`). Such a region in the package students import
    (``course/osteonecrosis/*.py``) is a warning, not a refusal: the package is installed in every student
    environment whether or not it is in this copy, so leaving it out would hide nothing; the warning tells the
    instructor which exercise the library answers."""
    problems: list[str] = []
    warnings: list[str] = []
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest)
        if path.is_symlink():
            problems.append(f"{rel}: a symbolic link")
        elif path.name in FORBIDDEN_NAMES or path.suffix in FORBIDDEN_SUFFIXES:
            problems.append(f"{rel}: must not be in a student release")
    cells_of = {aid: [c for nb in notebooks(aid, solutions) for c in read_cells(nb)]
                for aid in assignment_ids(solutions)}
    regions = [r for cells in cells_of.values() for r in secret_regions(cells)]
    for path in sorted(p for p in dest.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(dest)
        try:
            text = release_text(path)
        except (UnicodeDecodeError, ValueError, OSError):
            continue
        parts = rel.parts
        if len(parts) >= 2 and parts[0] == "assignments" and parts[1] in cells_of:
            found = leaks(cells_of[parts[1]], text)
        else:
            found = [f"delimiter {m!r}" for m in SECRET_MARKERS if m in text]
            overlap = region_leaks(regions, text)
            if parts[:2] == ("course", "osteonecrosis") and path.suffix == ".py":
                warnings += [f"{rel}: the package answers an exercise: {leak}" for leak in overlap]
            else:
                found += overlap
        problems += [f"{rel}: leaks {leak}" for leak in found]
    return Audit(problems, warnings, sorted(cells_of))


def build(dest: Path = DEFAULT_DEST, root: Path = ROOT, solutions: Path | None = None) -> StudentRelease:
    """Build the student release in ``dest`` (replaced if it exists) from the repository at ``root``, then
    audit it against ``solutions`` (default ``root/solutions``). Raises ReleaseAuditError (and removes
    ``dest``) when the audit finds anything."""
    dest = Path(dest).resolve()
    root = Path(root).resolve()
    solutions = Path(solutions) if solutions is not None else root / "solutions"
    inside = dest == root or root in dest.parents
    if dest in root.parents or (inside and root / "build" not in dest.parents):
        raise ValueError(f"{dest}: refusing to replace it (inside the repository, use build/...; or outside it)")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for rel in INCLUDE:
        src = root / rel
        if not src.exists():
            raise FileNotFoundError(f"{src}: missing from the repository")
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=IGNORE, symlinks=True)
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for nb in sorted(root.glob(COURSE_NOTEBOOKS)):
        shutil.copy2(nb, dest / nb.relative_to(root))
    (dest / "pyproject.toml").write_text(student_pyproject((root / "pyproject.toml").read_text(encoding="utf-8")),
                                         encoding="utf-8")
    (dest / "README.md").write_text(STUDENT_README, encoding="utf-8")
    found = audit(dest, solutions)
    if found.problems:
        shutil.rmtree(dest, ignore_errors=True)
        more = f" (and {len(found.problems) - 1} more)" if len(found.problems) > 1 else ""
        raise ReleaseAuditError(f"student release refused: {found.problems[0]}{more}")
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    return StudentRelease(dest, files, found.assignments, found.warnings)


def archive(release: StudentRelease) -> Path:
    """``<dest>.zip`` beside the release folder: every file of the audited release under one top folder named
    like it (what a student unpacks). Replaced if it exists."""
    target = release.dest.with_name(release.dest.name + ".zip")
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in release.files:
            zf.write(release.dest / rel, f"{release.dest.name}/{rel}")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.publishing.student_release",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="output folder (replaced if it exists)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        rel = build(args.dest)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ReleaseAuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in rel.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    zipped = archive(rel)
    print(f"student release: {len(rel.files)} files in {rel.dest} and {zipped.name}; audited against "
          f"{len(rel.assignments_checked)} assignment(s): no solutions, hidden tests, mark schemes or grader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
