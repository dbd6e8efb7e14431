"""Renamed notebooks that reached ``submitted/`` through the exchange (or by hand): adopted when unambiguous.

A student who saves ``ps1_drugs_and_risk.ipynb`` as ``ps1_drugs_and_risk (final).ipynb``, or moves it into a
subfolder, still submits it through nbgrader's exchange; nbgrader then grades a missing notebook as 0. As for LMS
uploads (classroom.grading.lms), the notebook is recognised by its cells, not its name: when an expected notebook
is missing and exactly one other notebook in the student's folder carries grade ids of it (and of no other
expected notebook), a copy is written under the expected name and the run says so in one line, for review. Two
candidates, or a candidate that carries the grade ids of two notebooks, are left alone and reported. Files are
read only if regular, single-link and within the notebook budget (never through a link the student planted).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from classroom.grading.course_state import _replace_file
from classroom.grading.guards.files import Refused, read_regular
from classroom.grading.lms import MAX_MEMBER_BYTES, _grade_ids

MAX_DEPTH = 3  # subfolders of the student's assignment folder searched for a renamed notebook
MAX_CANDIDATES = 50  # notebooks looked at per student (a folder of thousands is not searched further)


def _candidates(folder: Path, expected: set[str]) -> list[Path]:
    out: list[Path] = []
    for path in sorted(folder.rglob("*.ipynb")):
        rel = path.relative_to(folder)
        if len(rel.parts) > MAX_DEPTH or any(p.startswith(".") for p in rel.parts):
            continue
        if len(rel.parts) == 1 and rel.name in expected:
            continue
        if any(parent.is_symlink() for parent in [folder / Path(*rel.parts[:i]) for i in range(1, len(rel.parts))]):
            continue
        out.append(path)
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def adopt(folder: Path, grade_ids: Mapping[str, set[str]]) -> list[str]:
    """Adopt unambiguous renamed notebooks in one student's assignment ``folder``; one line per notebook
    adopted or left alone (empty when nothing was missing)."""
    expected = set(grade_ids)
    missing = [name for name in sorted(expected) if not (folder / name).exists() and not (folder / name).is_symlink()]
    if not missing:
        return []
    owners: dict[str, list[tuple[Path, bytes]]] = {name: [] for name in missing}
    lines: list[str] = []
    for path in _candidates(folder, expected):
        try:
            data = read_regular(path, MAX_MEMBER_BYTES)
        except Refused as exc:
            lines.append(f"{path.relative_to(folder)}: {exc}: not considered")
            continue
        ids = _grade_ids(data)
        matches = [name for name, wanted in grade_ids.items() if ids & wanted]
        if len(matches) > 1:
            lines.append(f"{path.relative_to(folder)}: carries cells of {', '.join(matches)}: ambiguous, not graded")
        elif matches and matches[0] in owners:
            owners[matches[0]].append((path, data))
    for name, found in owners.items():
        if len(found) == 1:
            path, data = found[0]
            _replace_file(folder / name, data)
            lines.append(f"{path.relative_to(folder)} graded as {name} (renamed upload; its cells carry {name}'s "
                         f"grade ids)")
        elif len(found) > 1:
            lines.append(f"{name} missing and {len(found)} notebooks carry its cells "
                         f"({', '.join(str(p.relative_to(folder)) for p, _ in found)}): ambiguous, not graded")
    return lines
