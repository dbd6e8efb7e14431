"""copy_notebook: a deep copy of a notebook that shares nothing mutable with the original."""

from __future__ import annotations

import copy

import nbformat
from classroom.authoring.notebook_copy import copy_notebook
from nbformat.notebooknode import NotebookNode

from tests.conftest import SOLUTIONS


def _mutables(value: object) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _mutables(v))]
    if isinstance(value, list | set):
        return [id(value), *(i for v in value for i in _mutables(v))]
    return []


def test_a_copy_equals_the_original_and_shares_no_mutable_part() -> None:
    nb = nbformat.read(str(SOLUTIONS / "ps1_drugs_and_risk" / "ps1_drugs_and_risk.ipynb"), as_version=4)
    nb.cells[0].metadata["odd"] = {"a set": {1, 2}, "plain dict": {"k": [1, 2.5, None, True]}}
    before = copy.deepcopy(nb)
    out = copy_notebook(nb)
    assert out == nb and out is not nb
    assert not set(_mutables(out)) & set(_mutables(nb)), "the copy shares a dict, list or set with the original"
    graded = next(c for c in out.cells if c.metadata.get("nbgrader"))
    assert type(out) is NotebookNode and type(graded) is NotebookNode and type(graded.metadata.nbgrader) is NotebookNode
    out.cells[0].source = "changed"
    out.cells[0].metadata["odd"]["a set"].add(3)
    out.cells[0].metadata["odd"]["plain dict"]["k"].append(4)
    assert nb == before, "changing the copy changed the original"
