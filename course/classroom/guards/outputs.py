"""Guard: every output a student's kernel sends is capped as it arrives, on the trusted side.

Per cell: ``cell_bytes`` of output is kept, the rest dropped with a note. Per notebook: ``notebook_bytes`` in
all (what the autograded notebook and the feedback page can grow to). Error outputs are always kept, so a
cap never turns a failing cell into a passing one, but trimmed (evalue, traceback lines, how many per cell).
``update_display_data`` replaces the data of every earlier output with the same display id: its cost is its
size times the number of copies, charged before anything is copied; display ids per notebook are bounded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

ERROR_TEXT = 4_000  # characters of an error's evalue and of each traceback line
ERROR_LINES = 60  # traceback lines kept
ERRORS_PER_CELL = 3  # full error outputs per cell; later ones keep only their name
MAX_DISPLAY_IDS = 200  # outputs carrying a display id, per notebook


def size_of(content: dict) -> int:
    return len(json.dumps(content, default=str))


def trim_error(content: dict, keep_detail: bool = True) -> dict:
    """An error message's content with bounded size (name kept, value and traceback trimmed)."""
    ename = str(content.get("ename", "Error"))[:200]
    evalue = str(content.get("evalue", ""))[:ERROR_TEXT] if keep_detail else ""
    tb = [str(line)[:ERROR_TEXT] for line in list(content.get("traceback", []))[-ERROR_LINES:]] if keep_detail \
        else [f"{ename}: [grader: details dropped, too many errors]"]
    return {**content, "ename": ename, "evalue": evalue, "traceback": tb}


@dataclass
class OutputBudget:
    """Bytes kept per cell and per notebook; ``charge`` says whether an output may be kept."""

    cell_bytes: int
    notebook_bytes: int
    used: int = 0
    per_cell: dict[int, int] = field(default_factory=dict)
    errors: dict[int, int] = field(default_factory=dict)
    display_ids: int = 0

    def charge(self, cell_key: int, size: int) -> bool:
        cell_used = self.per_cell.get(cell_key, 0) + size
        if cell_used > self.cell_bytes or self.used + size > self.notebook_bytes:
            return False
        self.per_cell[cell_key] = cell_used
        self.used += size
        return True

    def error(self, cell_key: int, content: dict) -> dict:
        """Trimmed error content; always kept (a failing cell must stay failing), its size charged."""
        count = self.errors.get(cell_key, 0) + 1
        self.errors[cell_key] = count
        keep = count <= ERRORS_PER_CELL and self.used < self.notebook_bytes
        trimmed = trim_error(content, keep_detail=keep)
        self.used += size_of(trimmed)
        return trimmed

    def new_display_id(self) -> bool:
        self.display_ids += 1
        return self.display_ids <= MAX_DISPLAY_IDS
