"""A fast deep copy of a notebook, for the authoring checks that play one notebook many times."""

from __future__ import annotations

import copy
from typing import Any

from nbformat.notebooknode import NotebookNode


def copy_notebook(nb: NotebookNode) -> NotebookNode:
    """A deep copy of a notebook (JSON data: dicts, lists, strings, numbers), about twice as fast as
    ``copy.deepcopy``, which the authoring checks paid on every wrong submission and variant they play. A value
    that is not JSON data is copied by ``copy.deepcopy``."""
    return _tree_copy(nb)


def _tree_copy(value: Any) -> Any:
    if isinstance(value, dict):
        items = {k: _tree_copy(v) for k, v in value.items()}
        return NotebookNode(items) if isinstance(value, NotebookNode) else type(value)(items)
    if isinstance(value, list):
        return [_tree_copy(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)
