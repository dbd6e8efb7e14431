"""Plausible wrong submissions: the mistakes students really make, with the marks each must score.

One YAML file per assignment, ``tests/fixtures/wrong_submissions/<assignment_id>.yaml``: a list of

    - name: "stages exposed bone at 6 weeks"
      why: "the real student mistake, in one or two sentences"
      replace: {<grade_id of an answer cell>: "<new cell source>"}
      expected: {<grade_id of EVERY autograder test cell>: <points>}
      expected_total: <points>

Each mistake is applied to the SOLUTION notebook (cells not replaced keep the solution); the result is
submitted and autograded, and every test cell must score exactly its expected points.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat.notebooknode import NotebookNode
from osteonecrosis.knowledge import SAFE_LOADER

from classroom.authoring.assignment_model import WRONG_SUBMISSIONS, Cell
from classroom.authoring.notebook_copy import copy_notebook


@dataclass(frozen=True)
class Mistake:
    name: str
    why: str
    replace: dict[str, str]
    expected: dict[str, float]
    expected_total: float


class SpecError(ValueError):
    """A wrong-submission file is missing or malformed; the message is one line."""


def spec_path(assignment_id: str, base: Path = WRONG_SUBMISSIONS) -> Path:
    return base / f"{assignment_id}.yaml"


@functools.lru_cache(maxsize=32)
def _parsed(path: str, _mtime_ns: int, _size: int) -> Any:
    """A spec file's YAML, parsed once per version of the file (the checks load it for every variant). Read only:
    load() copies what it keeps."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def load(assignment_id: str, base: Path = WRONG_SUBMISSIONS) -> list[Mistake]:
    """The mistakes of one assignment; SpecError naming the file and field on bad input."""
    path = spec_path(assignment_id, base)
    if not path.exists():
        raise SpecError(f"{path.name}: no wrong-submission file (expected {path})")
    stat = path.stat()
    try:
        data = _parsed(str(path), stat.st_mtime_ns, stat.st_size)
    except yaml.YAMLError:
        raise SpecError(f"{path.name}: broken YAML") from None
    if not isinstance(data, list):
        raise SpecError(f"{path.name}: expected a list of mistakes")
    out = []
    for i, item in enumerate(data):
        where = f"{path.name}[{i}]"
        if not isinstance(item, dict):
            raise SpecError(f"{where}: expected a mapping")
        missing = [k for k in ("name", "why", "replace", "expected", "expected_total") if k not in item]
        if missing:
            raise SpecError(f"{where}: missing {', '.join(missing)}")
        if not isinstance(item["replace"], dict) or not all(isinstance(v, str) for v in item["replace"].values()):
            raise SpecError(f"{where}.replace: expected a mapping of grade id to cell source text")
        if not isinstance(item["expected"], dict):
            raise SpecError(f"{where}.expected: expected a mapping of test grade id to points")
        out.append(Mistake(
            name=str(item["name"]),
            why=str(item["why"]),
            replace={str(k): v for k, v in item["replace"].items()},
            expected={str(k): float(v) for k, v in item["expected"].items()},
            expected_total=float(item["expected_total"]),
        ))
    return out


def problems(mistakes: list[Mistake], cells: list[Cell], minimum: int = 3) -> list[str]:
    """What is wrong with a spec against the solution notebook's cells (empty when sound)."""
    out = []
    if len(mistakes) < minimum:
        out.append(f"only {len(mistakes)} wrong submission(s); at least {minimum} are required")
    answers = {c.grade_id for c in cells if c.kind in ("answer", "manual")}
    tests = {c.grade_id: c.points for c in cells if c.kind == "test"}
    names = [m.name for m in mistakes]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        out.append(f"mistake name {dup!r} is used twice")
    for m in mistakes:
        for gid in m.replace:
            if gid not in answers:
                out.append(f"{m.name!r}: replace names {gid!r}, which is not an answer cell")
        for gid in sorted(set(tests) - set(m.expected)):
            out.append(f"{m.name!r}: expected lacks test cell {gid!r}")
        for gid, pts in m.expected.items():
            if gid not in tests:
                out.append(f"{m.name!r}: expected names {gid!r}, which is not a test cell")
            elif pts not in (0, tests[gid]):
                out.append(f"{m.name!r}: {gid} can score 0 or {tests[gid]:g}, not {pts:g}")
        if abs(sum(m.expected.values()) - m.expected_total) > 1e-9:
            out.append(f"{m.name!r}: expected_total {m.expected_total:g} is not the sum of expected "
                       f"({sum(m.expected.values()):g})")
        if m.expected_total >= sum(tests.values()):
            out.append(f"{m.name!r}: scores full marks, so it is not a wrong submission")
    return out


def apply(solution: NotebookNode, mistake: Mistake) -> NotebookNode:
    """A copy of the solution notebook with the mistake's cells replaced (matched by grade id)."""
    nb = copy_notebook(solution)
    todo = dict(mistake.replace)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in todo:
            cell.source = todo.pop(gid)
    if todo:
        raise SpecError(f"{mistake.name!r}: no cell with grade id {', '.join(sorted(todo))}")
    return nb


def apply_file(solution_path: Path, mistake: Mistake) -> NotebookNode:
    return apply(nbformat.read(str(solution_path), as_version=4), mistake)


def as_dict(m: Mistake) -> dict[str, Any]:
    return {"name": m.name, "why": m.why, "replace": m.replace, "expected": m.expected,
            "expected_total": m.expected_total}
