"""The course's nbgrader steps: what ``nbgrader autograde``, ``nbgrader generate_feedback`` and grade-class run.

nbgrader builds each command from lists of preprocessors that the course's ``nbgrader_config.py`` sets (nbgrader
allows exactly this: ``Autograde.sanitize_preprocessors``, ``Autograde.autograde_preprocessors`` and
``GenerateFeedback.preprocessors`` are configurable lists). The config names them by dotted path
(:data:`CONFIG`), so that without this package nbgrader fails instead of running student code unsandboxed;
grade-class takes the same classes from the functions below, and a test checks the two agree.

- sanitise: nbgrader's own steps, plus :class:`DropEmptyNbgraderMetadata` (``DeduplicateIds`` leaves ``{}``
  behind, which ``CheckCellMetadata`` would reject: one hostile cell would stop the whole notebook), and
  :class:`CheckCellMetadataOnce` in place of ``CheckCellMetadata`` (the same checks; nbgrader checks the schema
  itself again before every cell: a fifth of a grading worker's own CPU);
- autograde: :class:`~classroom.grading.executor.SandboxedExecute` (student code in a sandbox, tests in the
  checker, every output counted) instead of nbgrader's ``Execute``, then nbgrader's steps (grade-class adds
  :class:`NeutraliseActiveContent` after the scores are saved: :func:`after_execute`);
- feedback: :class:`HideHiddenTests` (hidden test code and its tracebacks left out) and
  :class:`NeutraliseActiveContent` before nbgrader's ``GetGrades``; the page itself is written by
  ``guards.render_sanitise.SanitisedFeedbackExporter`` (``GenerateFeedback.exporter_class``), which adds
  nbconvert's CSS step itself.
"""

from __future__ import annotations

import traceback
from functools import cache

import jsonschema
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from classroom.grading.executor import SandboxedExecute, is_test_cell
from classroom.grading.guards.active_content import neutralise


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    """nbgrader's current cell-metadata schema, itself checked once, as a validator."""
    schema = MetadataValidator().schema
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class _SchemaCheckedOnce(BaseMetadataValidator):
    """``BaseMetadataValidator.validate_cell`` with the schema checked once per process, not once per cell."""

    def validate_cell(self, cell: NotebookNode) -> None:  # type: ignore[override]
        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        if schema > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        error = jsonschema.exceptions.best_match(_schema_validator().iter_errors(
            cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class _MetadataValidatorOnce(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's current ``MetadataValidator`` (the schema first, then nbgrader's own checks, as in nbgrader)."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` with the schema itself checked once per process, not before every cell."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        try:
            _MetadataValidatorOnce().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Remove the empty ``nbgrader`` metadata ``DeduplicateIds`` leaves on a cell whose id was a duplicate."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", None) == {}:
                del cell.metadata["nbgrader"]
        return nb, resources


class NeutraliseActiveContent(NbGraderPreprocessor):
    """``guards.active_content.neutralise`` as a step: how many cells or outputs held active content is kept in
    ``resources['grader']['active_content']`` (and logged)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        found = neutralise(nb)
        resources.setdefault("grader", {})["active_content"] = found
        if found:
            notebook = resources.get("nbgrader", {}).get("notebook", "notebook")
            self.log.warning("%s.ipynb: active content (scripts, event handlers, Javascript) removed", notebook)
        return nb, resources


class HideHiddenTests(ClearHiddenTests):
    """Feedback without hidden tests: nbgrader's hidden-test region removed from each autograded test cell, and
    the tracebacks of its errors (which quote the hidden code) cut to one line."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for cell in nb.cells:
            if is_test_cell(cell) and self.begin_test_delimeter in cell.source:
                self._remove_hidden_test_region(cell)
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')} (details hidden: hidden test)"]
        return nb, resources


def sanitize_preprocessors() -> list[type]:
    """``Autograde.sanitize_preprocessors``: before anything runs."""
    return [ClearOutput, DeduplicateIds, DropEmptyNbgraderMetadata, OverwriteKernelspec, OverwriteCells,
            CheckCellMetadataOnce]


def autograde_preprocessors() -> list[type]:
    """``Autograde.autograde_preprocessors``: nbgrader's list with the sandboxed step in place of ``Execute``."""
    return [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            AssignLatePenalties, CheckCellMetadataOnce]


def after_execute() -> list[type]:
    """What grade-class runs after ``SandboxedExecute`` in its worker: the autograde list without the late penalty
    (the parent applies it from the submission time no student can write, ``classroom.grading.late_penalty``), and
    with :class:`NeutraliseActiveContent` after the scores are saved (its autograded notebooks keep no widget view,
    Javascript or raw script; ``nbgrader autograde`` keeps widget views, and formgrader's sanitising templates and
    the feedback steps clean what is rendered either way)."""
    steps = autograde_preprocessors()
    steps = [s for s in steps[steps.index(SandboxedExecute) + 1:] if s is not AssignLatePenalties]
    steps.insert(steps.index(SaveAutoGrades) + 1, NeutraliseActiveContent)
    return steps


def feedback_preprocessors() -> list[type]:
    """``GenerateFeedback.preprocessors`` (the exporter adds nbconvert's ``CSSHTMLHeaderPreprocessor``)."""
    return [HideHiddenTests, NeutraliseActiveContent, GetGrades]


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


CONFIG = {
    ("Autograde", "sanitize_preprocessors"): sanitize_preprocessors,
    ("Autograde", "autograde_preprocessors"): autograde_preprocessors,
    ("GenerateFeedback", "preprocessors"): feedback_preprocessors,
}
