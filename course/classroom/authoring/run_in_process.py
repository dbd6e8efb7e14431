"""Run a notebook's code cells in this process, in order, in one fresh namespace: how the authoring checks
(``make check``'s visible catch, the variant scores) play an assignment without a kernel. Only for the
instructor's own source and fixtures, never for a student's code (grading runs that in a sandbox)."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from nbformat.notebooknode import NotebookNode


def grade_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def failures(nb: NotebookNode, cwd: Path) -> dict[str, str | None]:
    """grade id -> None, or the first line of the error ("Name: message") of each cell with a grade id, the
    code cells run in order from ``cwd`` (IPython's ``%`` and ``!`` lines are skipped; output is discarded)."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    out: dict[str, str | None] = {}
    here = Path.cwd()
    os.chdir(cwd)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            gid = grade_meta(cell).get("grade_id")
            src = "\n".join(ln for ln in cell.source.split("\n") if not ln.lstrip().startswith(("%", "!")))
            error = None
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    exec(compile(src, f"<{gid or 'cell'}>", "exec"), namespace)  # noqa: S102 - own source
            except Exception as exc:  # a failed cell, as nbgrader counts it
                error = f"{type(exc).__name__}: {exc}".split("\n")[0]
            if gid:
                out[gid] = error
    finally:
        os.chdir(here)
    return out
