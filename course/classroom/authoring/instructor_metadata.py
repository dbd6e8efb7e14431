"""An nbgrader preprocessor that keeps instructor-only cell metadata out of the student version.

Each graded cell of a source notebook says in ``metadata["osteonecrosis"]["knowledge"]`` which knowledge
entries its key rests on (``make check`` reads it). Entry ids can name the answer ("not-mronj-short"), so
``nbgrader generate_assignment`` (and therefore ``make release``) removes every cell's ``osteonecrosis``
metadata; ``nbgrader_config.py`` adds this step to nbgrader's own list. The notebook's ``osteonecrosis``
metadata (``forbidden_calls``, which grade-class reads from the release) stays.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

KEY = "osteonecrosis"


class StripInstructorMetadata(NbGraderPreprocessor):
    """Remove ``metadata["osteonecrosis"]`` from every cell."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        cell.metadata.pop(KEY, None)
        return cell, resources


def generate_assignment_preprocessors() -> list[type]:
    """nbgrader's default generate_assignment steps, with the metadata stripped after the hidden tests."""
    from nbgrader.converters.generate_assignment import GenerateAssignment

    steps = list(GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default())
    at = max(i for i, step in enumerate(steps) if step.__name__ == "ClearMarkScheme") + 1
    return [*steps[:at], StripInstructorMetadata, *steps[at:]]
