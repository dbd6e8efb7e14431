"""Guard: every output a student's kernel sends is capped as it arrives, on the trusted side.

Per cell: ``cell_bytes`` of output is kept, the rest dropped with a note. Per notebook: ``notebook_bytes`` in
all (what the autograded notebook and the feedback page can grow to). Every output is counted, errors too:
an error is trimmed (evalue, traceback lines; the fourth and later errors of a cell keep only their name)
and charged like any output. Once a cell's or the notebook's budget is spent, a cell that has no error yet
still keeps one small one (``ERROR_RESERVE`` bytes at most, one per cell), so a cap never turns a failing
cell into a passing one; every further error of that cell is dropped (the cell already fails).
``update_display_data`` replaces the data of every earlier output with the same display id: its cost is its
size times the number of copies, charged before anything is copied; display ids per notebook are bounded.

The grader's own probes (answer exports, function calls, the canary) are not the student's output: the
executor captures them outside this budget, under a cap of their own (``classroom.grading.executor``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

ERROR_TEXT = 4_000  # characters of an error's evalue and of each traceback line
ERROR_LINES = 60  # traceback lines kept
ERRORS_PER_CELL = 3  # full error outputs per cell; later ones keep only their name
MAX_DISPLAY_IDS = 200  # outputs carrying a display id, per notebook
ERROR_RESERVE = 200  # characters of ename and evalue in the one small error a cell keeps past its budget


def size_of(content: dict) -> int:
    return len(json.dumps(content, default=str))


def trim_error(content: dict, keep_detail: bool = True) -> dict:
    """An error message's content with bounded size (name kept, value and traceback trimmed)."""
    ename = str(content.get("ename", "Error"))[:200]
    evalue = str(content.get("evalue", ""))[:ERROR_TEXT] if keep_detail else ""
    tb = [str(line)[:ERROR_TEXT] for line in list(content.get("traceback", []))[-ERROR_LINES:]] if keep_detail \
        else [f"{ename}: [grader: details dropped, too many errors]"]
    return {**content, "ename": ename, "evalue": evalue, "traceback": tb}


def small_error(content: dict) -> dict:
    """The bounded error a cell keeps once its budget is spent: name and the start of the message only."""
    ename = str(content.get("ename", "Error"))[:ERROR_RESERVE]
    evalue = str(content.get("evalue", ""))[:ERROR_RESERVE]
    return {"ename": ename, "evalue": evalue,
            "traceback": [f"{ename}: {evalue} [grader: output budget spent, details dropped]"]}


@dataclass
class OutputBudget:
    """Bytes kept per cell and per notebook; ``charge`` says whether an output may be kept."""

    cell_bytes: int
    notebook_bytes: int
    used: int = 0
    per_cell: dict[int, int] = field(default_factory=dict)
    errors: dict[int, int] = field(default_factory=dict)
    failing: set[int] = field(default_factory=set)  # cells that already keep an error output
    display_ids: int = 0

    def charge(self, cell_key: int, size: int) -> bool:
        cell_used = self.per_cell.get(cell_key, 0) + size
        if cell_used > self.cell_bytes or self.used + size > self.notebook_bytes:
            return False
        self.per_cell[cell_key] = cell_used
        self.used += size
        return True

    def error(self, cell_key: int, content: dict) -> dict | None:
        """Trimmed error content charged like any output, or None when dropped.

        Within the budgets an error is kept trimmed. Past them, the first error of a cell is still kept, as a
        small one (its size charged too): a failing cell stays failing. Later errors of a cell that already
        holds one are dropped: they cannot change its grade, and they are what grew a notebook to 43 MB.
        """
        count = self.errors.get(cell_key, 0) + 1
        self.errors[cell_key] = count
        trimmed = trim_error(content, keep_detail=count <= ERRORS_PER_CELL)
        if self.charge(cell_key, size_of(trimmed)):
            self.failing.add(cell_key)
            return trimmed
        if cell_key in self.failing:
            return None
        small = small_error(content)
        self.failing.add(cell_key)
        size = size_of(small)
        self.per_cell[cell_key] = self.per_cell.get(cell_key, 0) + size
        self.used += size
        return small

    def new_display_id(self) -> bool:
        self.display_ids += 1
        return self.display_ids <= MAX_DISPLAY_IDS
