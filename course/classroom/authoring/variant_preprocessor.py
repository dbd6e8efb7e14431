"""The nbgrader step that turns a solution notebook into the class's variant, first in ``generate_assignment``.

``nbgrader_config.py`` puts :class:`ApplyVariant` before nbgrader's own steps, so SaveCells stores the
variant's hidden tests in the gradebook (what ``nbgrader autograde`` and grade-class grade with) and the student
version shows the variant's cases. The variant comes from the course secret (classroom.authoring.variants;
docs/variants.md). It is the default variant (the notebook unchanged, one log line saying so) when:

- there is no secret file;
- ``MRONJ_DEFAULT_VARIANT`` is set (``classroom release`` and ``make check`` set it: the repository's
  assignments/ is always the default);
- the course folder is inside a git work tree (a variant written there could be committed: make the class's
  copy outside git with ``classroom variant ASSIGNMENT --out DIR``).

A notebook that is already a variant (its metadata ``osteonecrosis.variant``) is left as it is.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from classroom.authoring import variants

DEFAULT_ONLY_ENV = "MRONJ_DEFAULT_VARIANT"
MARK = "variant"
_said: set[str] = set()


def git_work_tree(path: Path) -> Path | None:
    """The git work tree holding ``path`` (its top folder), or None."""
    path = path.resolve()
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def fingerprint(secret: bytes, assignment_id: str) -> str:
    """A short public name of one class's variant of one assignment (it does not reveal the seed)."""
    return hashlib.sha256(str(variants.seed_for(secret, assignment_id)).encode()).hexdigest()[:12]


def variant_of(nb: NotebookNode) -> str | None:
    """The variant a notebook already is (its fingerprint), or None for the default."""
    return (nb.get("metadata", {}).get(variants.KNOWLEDGE_KEY) or {}).get(MARK)


def apply_variant(nb: NotebookNode, assignment_id: str, secret: bytes, where: str = "the notebook") -> bool:
    """Turn ``nb`` (a default solution notebook) into the class's variant in place and mark it; False when the
    assignment has no draw module or the notebook is already a variant."""
    if variant_of(nb):
        return False
    swaps = variants.draw(assignment_id, secret)
    if not swaps:
        return False
    variants.apply(nb, swaps, where)
    nb.metadata.setdefault(variants.KNOWLEDGE_KEY, {})[MARK] = fingerprint(secret, assignment_id)
    return True


def why_default(course: Path) -> str | None:
    """Why this run uses the default variant (one line), or None when the class's secret applies."""
    if os.environ.get(DEFAULT_ONLY_ENV):
        return "the default variant (the repository's assignments/ never holds a class's variant)"
    if variants.read_secret() is None:
        return f"no course secret at {variants.secret_path()}: the default variant (docs/variants.md)"
    top = git_work_tree(course)
    if top is not None:
        return (f"{course} is inside the git work tree {top}: the default variant; make the class's variant "
                f"outside git with `classroom variant ASSIGNMENT --out DIR`")
    return None


def say_once(line: str, log: Any = None) -> None:
    """Log ``line`` once per process (nbgrader runs the step once per notebook)."""
    if line in _said:
        return
    _said.add(line)
    if log is not None:
        log.info(line)


class ApplyVariant(NbGraderPreprocessor):
    """Apply the class's variant of the assignment being generated (see the module docstring)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources.get("nbgrader", {})
        assignment_id = info.get("assignment") or ""
        course = Path(resources.get("metadata", {}).get("path") or ".")
        reason = why_default(course)
        if reason is not None:
            say_once(f"variant: {reason}", self.log)
            return nb, resources
        secret = variants.read_secret()
        assert secret is not None  # why_default said the secret applies
        where = f"{assignment_id}/{info.get('notebook', '')}.ipynb"
        if apply_variant(nb, assignment_id, secret, where):
            say_once(f"variant: {assignment_id}: the class's variant {fingerprint(secret, assignment_id)}", self.log)
        return nb, resources


def first_step(steps: Any) -> list[type]:
    """``steps`` (generate_assignment's preprocessors, or nbgrader's defaults when not set) with ApplyVariant
    first."""
    if not isinstance(steps, list):
        from nbgrader.converters.generate_assignment import GenerateAssignment

        steps = list(GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default())
    return [ApplyVariant, *[s for s in steps if s is not ApplyVariant]]
