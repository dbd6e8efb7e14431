"""What a student reads when an answer has the wrong form: every test cell must fail with one line that names
its question ("Q4 ...") or the answer ("stages: ..."), never a bare TypeError, KeyError or NameError.

For each answer cell of a source notebook, the probe replaces the answer with values of the wrong form (text,
a number, an empty or foreign list or dict, None, a pair, True; a function that returns them; a cell that stops
at a SyntaxError) and runs the notebook's code cells in order, in this process (the instructor's own source,
no student code), collecting how each test cell fails. ``make check`` runs it on every assignment.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from classroom.authoring.assignment_model import AssignmentError, Cell, notebooks, read_cells, resolve
from classroom.authoring.cells import top_level_bindings
from classroom.authoring.run_in_process import run_sources

WRONG_FORMS = ('"text"', "5", "[]", "{}", '{"x": 1}', '["x"]', "None", '("a", "b")', "True")
READABLE = ("AssertionError", "NotImplementedError", "NameError")


def wrong_answers(cell: Cell) -> list[str]:
    """Sources that replace one answer cell: every wrong form, and a cell that stops at a SyntaxError."""
    names, funcs = top_level_bindings(cell.source)
    out = []
    for value in WRONG_FORMS:
        lines = [f"{n} = {value}" for n in names]
        lines += [f"def {f}(*args, **kwargs):\n    return {value}" for f in funcs]
        out.append("\n".join(lines))
    out.append("stopped_here = (")
    return out


def run_cells(cells: list[Cell], replace: str | None = None, source: str = "") -> dict[str, tuple[str, str] | None]:
    """Run the code cells in order in a fresh namespace (answer cell ``replace`` gets ``source``); for each test
    cell, None or (exception name, first line of its message)."""
    code = [(c.grade_id or f"#{c.index}", source if replace is not None and c.grade_id == replace else (c.source or ""))
            for c in cells if c.cell_type == "code"]
    tests = {c.grade_id or f"#{c.index}" for c in cells if c.kind == "test"}
    return {label: err for label, err in run_sources(code).items() if label in tests}


def problems(path: Path) -> list[str]:
    """Test cells that, for some wrong form of an answer, fail with something other than one readable line
    naming the question or the answer."""
    cells = read_cells(path)
    base = run_cells(cells)
    out = [f"{path.stem}: {gid} fails on the solution itself: {err[0]}: {err[1][:80]}"
           for gid, err in base.items() if err]
    answers = {n for c in cells if c.kind == "answer" for group in top_level_bindings(c.source) for n in group}
    said = re.compile(r"(Q\d+\b|(" + "|".join(map(re.escape, sorted(answers))) + r")\b)") if answers else \
        re.compile(r"Q\d+\b")
    seen: set[tuple[str, str]] = set()
    for c in cells:
        if c.kind != "answer":
            continue
        for wrong in wrong_answers(c):
            for gid, err in run_cells(cells, c.grade_id, wrong).items():
                if err is None or base.get(gid) or (gid, err[0]) in seen:
                    continue
                if err[0] not in READABLE or not said.match(err[1]):
                    seen.add((gid, err[0]))
                    first = wrong.split("\n")[0][:40]
                    out.append(f"{path.stem}: {gid}, with {c.grade_id} as {first!r}, fails with "
                               f"{err[0]}: {err[1][:80]!r}: check the form first, with a message naming the question")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        ids = resolve([a for a in args if not a.startswith("-")])
    except AssignmentError as exc:
        print(f"answer_probe: {exc}", file=sys.stderr)
        return 2
    found = [p for a in ids for nb in notebooks(a) for p in problems(nb)]
    for p in found:
        print(f"  - {p}")
    print(f"answer probe: {len(ids)} assignment(s), {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
