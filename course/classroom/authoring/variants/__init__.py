"""Per-class variants of the graded assignments, drawn from a course secret kept outside git.

The public repository holds the default variant: ``solutions/<id>/<id>.ipynb`` as committed. A class graded
for credit sets a secret (a file outside git, by default ``~/mronj-private/course-secret``; the environment
variable ``MRONJ_COURSE_SECRET_FILE`` names another). From it, each assignment gets its own seed
(HMAC-SHA256 of the assignment id), and the assignment's draw module
(``classroom.authoring.variants.<assignment_id>``, a function ``draw(rng) -> list[Swap]``) picks the
variant: which patient, drug, duration, date or dose each question uses, and the expected values that follow,
computed from the course's knowledge base and engine. Each :class:`Swap` replaces one literal text in named
cells of the solution notebook; a literal that is no longer there (the instructor edited the cell) is one
clear error naming the cell, never a silent default.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode

from classroom.authoring.notebook_copy import copy_notebook
from classroom.authoring.run_in_process import failures, grade_meta

SECRET_ENV = "MRONJ_COURSE_SECRET_FILE"
DEFAULT_SECRET = Path("~/mronj-private/course-secret")
KNOWLEDGE_KEY = "osteonecrosis"


class VariantError(ValueError):
    """A variant cannot be made (bad secret, a literal not found in its cell). The message is one line."""


@dataclass(frozen=True)
class Swap:
    """Replace ``old`` by ``new`` in each named cell (grade id, or the cell's id for ungraded cells); with
    no cells named, in every cell of the notebook that holds it (at least one must). ``knowledge``, when
    given, replaces the named cells' knowledge metadata (the entries the new key rests on)."""

    old: str
    new: str
    cells: tuple[str, ...] = ()
    knowledge: tuple[Any, ...] | None = field(default=None)


def rename(pairs: list[tuple[str, str]] | dict[str, str], cells: tuple[str, ...],
           knowledge: tuple[Any, ...] | None = None) -> list[Swap]:
    """Swaps that replace each old text by its new one in the named cells all at once: through placeholders,
    so a new text that holds another pair's old text (``alendronate`` -> ``zoledronate`` beside
    ``zoledronate`` -> ``risedronate``) is never replaced twice. Pairs are tried in the order given (put a
    text before the shorter texts it holds); each named cell must hold each old text. ``knowledge`` is
    set on the cells by the last swap."""
    given = list(pairs.items() if isinstance(pairs, dict) else pairs)
    items = [(old, new) for old, new in given if old != new]
    if not items:  # the variant keeps this cell's text: only its knowledge (if any) is set
        return [Swap(given[0][0], given[0][0], cells, tuple(knowledge))] if given and knowledge is not None else []
    marks = [f"\ue000{i}\ue001" for i in range(len(items))]
    out = [Swap(old, mark, cells) for (old, _), mark in zip(items, marks, strict=True)]
    out += [Swap(mark, new, cells) for (_, new), mark in zip(items, marks, strict=True)]
    if knowledge is not None:
        out[-1] = Swap(out[-1].old, out[-1].new, cells, tuple(knowledge))
    return out


def translate(source: str, cell: str, swaps: list[Swap]) -> str:
    """``source`` (e.g. a wrong submission's answer for cell ``cell``) with the swaps that name that cell
    applied wherever their old text is in it: a mistake written for the default variant, moved to another."""
    for swap in swaps:
        if cell in swap.cells and swap.old in source:
            source = source.replace(swap.old, swap.new)
    return source


def secret_path() -> Path:
    """Where the course secret is read from."""
    return Path(os.environ.get(SECRET_ENV) or DEFAULT_SECRET).expanduser()


def read_secret(path: Path | None = None) -> bytes | None:
    """The course secret, or None when the file does not exist (the default variant is used)."""
    path = secret_path() if path is None else path
    if not path.exists():
        return None
    if not path.is_file():
        raise VariantError(f"the course secret {path} is not a file")
    secret = path.read_bytes().strip()
    if len(secret) < 16:
        raise VariantError(f"the course secret in {path} is shorter than 16 bytes; write a long random line there")
    return secret


def seed_for(secret: bytes, assignment_id: str) -> int:
    """The assignment's seed: HMAC-SHA256(secret, assignment id) as an integer (one per assignment)."""
    digest = hmac.new(secret, assignment_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:16], "big")


def draw(assignment_id: str, secret: bytes | None) -> list[Swap]:
    """The swaps of this assignment's variant for ``secret`` (none without a secret or a draw module)."""
    if secret is None:
        return []
    try:
        module = importlib.import_module(f"{__name__}.{assignment_id}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{assignment_id}":
            raise
        return []
    return list(module.draw(random.Random(seed_for(secret, assignment_id))))


def _cell_name(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")


def apply(nb: NotebookNode, swaps: list[Swap], where: str = "the notebook") -> NotebookNode:
    """Apply ``swaps`` in order to ``nb`` (changed in place and returned); VariantError names the first
    literal that is not where a swap expects it."""
    by_name = {name: cell for cell in nb.cells if (name := _cell_name(cell))}
    for swap in swaps:
        if swap.cells:
            missing = [name for name in swap.cells if name not in by_name]
            if missing:
                raise VariantError(f"{where}: variant cell {missing[0]!r} not found (a renamed grade id?)")
            targets = [by_name[name] for name in swap.cells]
            for name, cell in zip(swap.cells, targets, strict=True):
                if swap.old not in cell.source:
                    raise VariantError(f"{where}: cell {name!r} no longer holds {swap.old[:60]!r}; update its "
                                       f"variant draw (classroom/authoring/variants/)")
        else:
            targets = [cell for cell in nb.cells if swap.old in cell.source]
            if not targets:
                raise VariantError(f"{where}: no cell holds {swap.old[:60]!r}; update the variant draw "
                                   f"(classroom/authoring/variants/)")
        for cell in targets:
            cell.source = cell.source.replace(swap.old, swap.new)
            if swap.knowledge is not None:
                cell.metadata.setdefault(KNOWLEDGE_KEY, {})["knowledge"] = list(swap.knowledge)
    return nb


def score(nb: NotebookNode, cwd: Path) -> dict[str, tuple[float, float]]:
    """grade id -> (earned, possible) for each autograded test cell, the notebook's code cells run in order
    in one in-process namespace from ``cwd`` (trusted: the instructor's own source, never a student's)."""
    failed = failures(nb, cwd)
    out: dict[str, tuple[float, float]] = {}
    for cell in nb.cells:
        meta = grade_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            points = float(meta.get("points", 0))
            out[meta["grade_id"]] = (0.0 if failed.get(meta["grade_id"]) else points, points)
    return out


def with_answers_of(source: NotebookNode, into: NotebookNode) -> NotebookNode:
    """A copy of ``into`` whose autograded answer cells hold ``source``'s (matched by grade id): e.g. the
    default variant's model answers handed in on another variant."""
    answers = {grade_meta(c)["grade_id"]: c.source for c in source.cells
               if grade_meta(c).get("solution") and not grade_meta(c).get("grade") and c.cell_type == "code"}
    out = copy_notebook(into)
    for cell in out.cells:
        gid = grade_meta(cell).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return out


def test_cells(nb: NotebookNode) -> dict[str, tuple[str, float]]:
    """grade id -> (source, points) of each autograded test cell."""
    return {m["grade_id"]: (c.source, float(m.get("points", 0))) for c in nb.cells
            if (m := grade_meta(c)).get("grade") and not m.get("solution") and c.cell_type == "code"}


def share_differing(a: NotebookNode, b: NotebookNode) -> float:
    """The share of autograded points whose test cell (visible checks and hidden expected values) differs
    between two variants of one notebook (0 to 1)."""
    ta, tb = test_cells(a), test_cells(b)
    possible = sum(p for _, p in ta.values())
    differ = sum(p for gid, (src, p) in ta.items() if tb.get(gid, ("", 0))[0] != src)
    return differ / possible if possible else 0.0


def share_earned(scores: dict[str, tuple[float, float]]) -> float:
    """Earned points over possible points (0 to 1)."""
    possible = sum(p for _, p in scores.values())
    return sum(e for e, _ in scores.values()) / possible if possible else 0.0
