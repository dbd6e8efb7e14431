"""Do the sealed checks agree with the hidden tests on answers nobody wrote down?

    python -m classroom.authoring.seal_agreement [ASSIGNMENT ...]      (also run by make check)

Held-out student attempts are the answers no wrong-submission file lists. This module makes many of them: for
each answer of a solution notebook (its model value, from one run of the notebook), well-formed wrong values
of the same kind (another stage or id of the notebook's own vocabulary, a number a little off, a list with an
item dropped, added, replaced or reordered, a date moved, a flipped True/False, a function whose results are
changed), and runs every test cell that reads that answer in this process (the instructor's own source; no
student code). For each test cell it compares two verdicts on the same value:

- Validate's: the form checks and the sealed check of the visible part (the sealed student version);
- the grade's: the visible part without the seal, then the hidden tests.

A disagreement is either a wrong answer that passes Validate and loses points, or a right answer (one the hidden
tests accept) that the seal refuses, which would also cost a correct student the cell's points at grading.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from osteonecrosis import exercises
from osteonecrosis import sealed as sealed_module

from classroom.authoring import seal
from classroom.authoring.assignment_model import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    AssignmentError,
    Cell,
    notebooks,
    read_cells,
    region_lines,
    resolve,
)
from classroom.authoring.cells import top_level_bindings

PER_ANSWER = 40  # generated values per answer


@dataclass(frozen=True)
class Disagreement:
    grade_id: str
    answer: str
    value: str
    kind: str  # "passes Validate, loses points" | "right, refused by the seal"

    def line(self) -> str:
        return f"{self.grade_id}: with {self.answer} = {self.value}: {self.kind}"


@dataclass
class Report:
    assignment: str
    values: int = 0
    verdicts: int = 0
    passing_but_losing: int = 0
    right_but_refused: int = 0
    disagreements: list[Disagreement] | None = None

    def line(self) -> str:
        return (f"{self.assignment}: {self.values} generated answers ({self.verdicts} test-cell verdicts): "
                f"{self.passing_but_losing} pass Validate yet lose points, {self.right_but_refused} right "
                f"ones refused by a seal")


def _exec(source: str, namespace: dict[str, Any], name: str) -> BaseException | None:
    source = "\n".join(ln for ln in source.split("\n") if not ln.lstrip().startswith(("%", "!")))
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - the instructor's own source
    except Exception as exc:  # a verdict, recorded
        return exc
    return None


class _SealProbe:
    """Stands in for ``sealed_check`` while the grade's verdict is taken: records whether the seal accepted."""

    def __init__(self) -> None:
        self.accepted: list[bool] = []

    def __call__(self, value: Any, seal_text: str | None, message: str) -> None:
        self.accepted.append(seal_text is None or sealed_module.matches(value, seal_text))


def _vocabulary(cells: list[Cell]) -> list[str]:
    """The strings a student could pick from: every string literal of the notebook's code, and the stages."""
    words: set[str] = set(exercises.STAGES)
    for c in cells:
        if c.cell_type == "code":
            words.update(m.group(2) for m in re.finditer(r"(['\"])([\w .:/+-]{1,60})\1", c.source))
    return sorted(words)


def _numbers(x: float) -> list[float]:
    out = [x + 1, x - 1, x * 1.1, x * 0.9, x * 1.003, x * 0.997, -x, 0.0, x * 2, x / 2]
    if x and math.isfinite(x):
        digits = 2 - int(math.floor(math.log10(abs(x)))) - 1
        out.append(round(x, digits))
        out.append(round(x))
    return [v for v in out if v != x or isinstance(v, int) != isinstance(x, int)]


def variations(value: Any, words: list[str], depth: int = 0) -> Iterator[Any]:
    """Well-formed values of the same kind as ``value`` that differ from it (some may still be right)."""
    if depth > 3:
        return
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        for v in _numbers(float(value)):
            yield int(v) if isinstance(value, int) and float(v).is_integer() else v
        yield math.inf
    elif isinstance(value, str):
        for w in words:
            if w != value:
                yield w
        yield value.upper()
        yield value + " "
    elif isinstance(value, dt.date):
        for days in (1, -1, 7, -7, 14, 28, -28, 30, 90, 183, 365):
            yield value + dt.timedelta(days=days)
    elif isinstance(value, list | tuple):
        kind = type(value)
        items = list(value)
        for i in range(len(items)):
            yield kind(items[:i] + items[i + 1:])
        pool = [w for w in words if w not in items] if all(isinstance(v, str) for v in items) else []
        for w in pool[:12]:
            yield kind([*items, w])
        if len(items) > 1:
            yield kind(reversed(items))
            yield kind([*items, items[0]])
        for i, item in enumerate(items):
            for v in list(variations(item, words, depth + 1))[:6]:
                yield kind(items[:i] + [v] + items[i + 1:])
    elif isinstance(value, set | frozenset):
        for v in variations(sorted(value, key=repr), words, depth + 1):
            if isinstance(v, list):
                yield type(value)(v)
    elif isinstance(value, dict):
        for k in value:
            rest = {kk: vv for kk, vv in value.items() if kk != k}
            yield rest
            for v in list(variations(value[k], words, depth + 1))[:8]:
                yield {**value, k: v}
    elif callable(value):
        yield from _function_variations(value, words)


def _function_variations(func: Callable[..., Any], words: list[str]) -> Iterator[Callable[..., Any]]:
    """Functions that give the model function's results changed on some inputs (each deterministic)."""
    def changed(pick: int) -> Callable[..., Any]:
        def wrong(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            options = list(variations(result, words, depth=2))
            if not options:
                return result
            return options[(hash(repr(args)) + pick) % len(options)] if pick >= 0 else options[0]
        wrong.__name__ = getattr(func, "__name__", "wrong")
        return wrong
    for pick in range(-1, 12):
        yield changed(pick)


def _split(source: str) -> tuple[str, str]:
    visible = "\n".join(region_lines(source, BEGIN_HIDDEN, END_HIDDEN, inside=False))
    hidden = "\n".join(region_lines(source, BEGIN_HIDDEN, END_HIDDEN, inside=True))
    return visible, hidden


def _reads(cell: Cell, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", cell.source) is not None


def _verdicts(cell: Cell, namespace: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(form checks pass, seal accepts, hidden tests pass) for one test cell on a namespace. The seal and the
    hidden tests are only asked when the form checks pass (otherwise both Validate and the grade fail)."""
    visible, hidden = _split(cell.source)
    probe = _SealProbe()
    ns = dict(namespace)
    original = exercises.sealed_check
    exercises.sealed_check = probe  # the cell's own import line picks the probe up
    try:
        err = _exec(visible, ns, cell.grade_id or str(cell.index))
    finally:
        exercises.sealed_check = original
    if err is not None:
        return False, False, False
    full = _exec(hidden, ns, f"{cell.grade_id} hidden") is None if hidden.strip() else True
    return True, all(probe.accepted), full


def _show(value: Any) -> str:
    text = getattr(value, "__name__", None) if callable(value) else None
    return f"<function changed from {text}>" if text else repr(value)[:80]


def check_notebook(path: Path, nb: nbformat.NotebookNode | None = None, per_answer: int = PER_ANSWER) -> Report:
    """Generate answers for one solution notebook and compare the two verdicts of every test cell reading them.
    ``nb`` may be an already sealed (e.g. variant) notebook; otherwise the source at ``path`` is sealed here."""
    if nb is None:
        nb = nbformat.read(str(path), as_version=4)
        seal.seal_notebook(nb, path.parent, path.stem)
    with tempfile.TemporaryDirectory(prefix="seal-agreement-") as tmp:
        sealed_path = Path(tmp) / path.name
        nbformat.write(nb, str(sealed_path))
        cells = read_cells(sealed_path)
    report = Report(path.stem, disagreements=[])
    namespace: dict[str, Any] = {"__name__": "__main__"}
    answers: list[tuple[Cell, list[str]]] = []
    tests: list[Cell] = []
    for c in cells:
        if c.cell_type != "code":
            continue
        if c.kind == "test":
            tests.append(c)
            continue
        _exec(c.source, namespace, c.grade_id or str(c.index))
        if c.kind == "answer":
            names, funcs = top_level_bindings(c.source)
            answers.append((c, [*names, *funcs]))
    words = _vocabulary(cells)
    for _cell, names in answers:
        for name in names:
            if name not in namespace:
                continue
            readers = [t for t in tests if _reads(t, name)]
            if not readers:
                continue
            seen: set[str] = set()
            for value in variations(copy.deepcopy(namespace[name]), words):
                key = _show(value) if callable(value) else repr(value)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > per_answer:
                    break
                report.values += 1
                trial = {**namespace, name: value}
                verdicts = {t.grade_id or str(t.index): _verdicts(t, trial) for t in readers}
                report.verdicts += len(verdicts)
                validate = all(form and sealed_ok for form, sealed_ok, _ in verdicts.values())
                losing = [g for g, (form, sealed_ok, full) in verdicts.items() if not (form and sealed_ok and full)]
                if validate and losing:
                    report.passing_but_losing += 1
                    report.disagreements += [Disagreement(g, name, _show(value), "passes Validate, loses points")
                                             for g in losing]
                refused = [g for g, (form, sealed_ok, full) in verdicts.items() if form and full and not sealed_ok]
                report.right_but_refused += bool(refused)
                for g, (form, sealed_ok, full) in verdicts.items():
                    if form and full and not sealed_ok:
                        report.disagreements.append(Disagreement(g, name, _show(value),
                                                                 "right, refused by the seal"))
    return report


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(a.startswith("-") for a in args):
        print("usage: python -m classroom.authoring.seal_agreement [ASSIGNMENT ...]", file=sys.stderr)
        return 2
    try:
        ids = resolve(args)
    except AssignmentError as exc:
        print(f"seal_agreement: {exc}", file=sys.stderr)
        return 2
    bad = 0
    for a in ids:
        for path in notebooks(a):
            try:
                report = check_notebook(path)
            except seal.SealError as exc:
                print(f"seal_agreement: {exc}", file=sys.stderr)
                return 1
            print(report.line())
            for d in (report.disagreements or [])[:20]:
                print(f"    {d.line()}")
            bad += len(report.disagreements or [])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
