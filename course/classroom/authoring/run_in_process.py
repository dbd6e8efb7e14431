"""Run a notebook's code cells in this process, in order, in one fresh namespace: how the authoring checks
(``make check``'s visible catch and answer probe, the variant scores) play an assignment without a kernel. Only
for the instructor's own source and fixtures, never for a student's code (grading runs that in a sandbox)."""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from nbformat.notebooknode import NotebookNode


@contextlib.contextmanager
def _figures_not_drawn() -> Iterator[None]:
    """The course widgets compute their state but draw no figure while cells run here: no one sees the figures,
    and a widget turns any error of its own into a message line (``TeachingWidget.refresh``), so no cell's verdict
    depends on the drawing. It was most of a widget cell's time (ps5's ``make check``: 10 of the visible catch's
    15 s went to Matplotlib)."""
    try:
        from osteonecrosis.widgets._base import FigureView
    except ImportError:
        yield
        return
    draw = FigureView.render
    FigureView.render = lambda self, static_key=None: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        FigureView.render = draw  # type: ignore[method-assign]


@functools.lru_cache(maxsize=4096)
def _compiled(source: str, label: str) -> object:
    """A cell's code object: the same cells run again and again (every wrong submission and variant repeats most of
    the notebook), and a code object can run in any namespace."""
    return compile(source, f"<{label}>", "exec")


def run_sources(sources: Iterable[tuple[str, str]], cwd: Path | None = None) -> dict[str, tuple[str, str] | None]:
    """label -> None, or (exception name, first line of its message), for each ``(label, source)`` run in order
    (from ``cwd`` when given; IPython's ``%`` and ``!`` lines are skipped; what the cells print is discarded)."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    out: dict[str, tuple[str, str] | None] = {}
    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with _figures_not_drawn():
            for label, source in sources:
                src = "\n".join(ln for ln in source.split("\n") if not ln.lstrip().startswith(("%", "!")))
                try:
                    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                        exec(_compiled(src, label), namespace)  # noqa: S102 - the instructor's source
                    out[label] = None
                except Exception as exc:  # a failed cell, as nbgrader counts it (and what the student would read)
                    out[label] = (type(exc).__name__, str(exc).split("\n")[0])
    finally:
        os.chdir(here)
    return out


def grade_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def failures(nb: NotebookNode, cwd: Path) -> dict[str, str | None]:
    """grade id -> None, or the first line of the error ("Name: message"), of each code cell with a grade id."""
    code = [(grade_meta(c).get("grade_id") or f"#{i}", c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "code"]
    return {label: None if err is None else f"{err[0]}: {err[1]}"
            for label, err in run_sources(code, cwd).items() if not label.startswith("#")}
