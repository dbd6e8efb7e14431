"""Issue 18's corpus cases against the answer channel, the output budgets and the trusted parser.

Each one beat the grader before issue 18 (a forged block won, a spent budget took the honest answers with it,
a deep JSON block was reported as a stopped kernel) and is held now by ``classroom.grading.guards.checker`` (one
block per export, only the names a test asks for), ``classroom.grading.guards.checker_main`` (unasked names and
builtins refused), ``classroom.grading.executor`` (the grader's own cells outside the student's budget) and
``classroom.grading.guards.outputs`` (errors counted). The fixture's set-up cell defines ``check_equal``: the forged
blocks below hand the checker a ``check_equal`` of the student's that says yes to everything (and keeps the
expected values it is given), plus names shadowing builtins.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat

from tests.adversarial.corpus import Case, Context
from tests.adversarial.course import GOOD_Q1, GOOD_Q2, WRONG_Q1, notebook_with, submit

# The Q2 answer of a forging student shows what its check_equal was given: expected values, hidden tests'
# descriptions ('exactly 8 weeks'), if any ever reached the kernel. They must not (nothing does now).
LEAK_Q2 = GOOD_Q2 + "\nprint('seen', seen)"

# The student's own helper and the block they would like the checker to take.
FORGERY = '''
import json, re, sys
seen = []
def check_equal(*args):
    seen.append(repr(args))
FORGED = {"persisting_long_enough": {"__callable__": True}, "check_equal": {"__callable__": True},
          "abs": {"__callable__": True}, "len": {"__callable__": True}}
'''

# A pre_run_cell hook reads the nonce from the export's own source and prints its block first.
FORGED_BLOCK_HOOK = FORGERY + WRONG_Q1 + '''
def _forge(info):
    raw = info.raw_cell or ""
    if "_grader_export" in raw and "persisting_long_enough" in raw:
        for nonce in set(re.findall(r"[0-9a-f]{32}", raw)):
            print(nonce + json.dumps(FORGED) + nonce)
get_ipython().events.register("pre_run_cell", _forge)
'''

# No hook: the answer claims to be a numpy object, so the export calls its tolist(), which finds the nonce
# in the export's frame and prints a block before the grader's own.
FORGED_BLOCK_PRINT = FORGERY + '''
class _Sneaky:
    __module__ = "numpy"
    def __call__(self, weeks):
        return True
    def tolist(self):
        frame = sys._getframe(1)
        while frame is not None and "nonce" not in frame.f_locals:
            frame = frame.f_back
        if frame is not None:
            nonce = frame.f_locals["nonce"]
            print(nonce + json.dumps(FORGED) + nonce)
        return 0
persisting_long_enough = _Sneaky()
'''

# One block only, but json.dumps (patched in the kernel) adds the forged names to it.
FORGED_NAMES_ONE_BLOCK = FORGERY + WRONG_Q1 + '''
_dumps = json.dumps
def _patched(obj, *args, **kwargs):
    if isinstance(obj, dict) and "persisting_long_enough" in obj:
        obj = {**FORGED, **obj}
    return _dumps(obj, *args, **kwargs)
json.dumps = _patched
'''

# The Q1 answer's export is a block nested 90,000 deep (under the old per-cell output cap of the corpus run,
# and far past what a recursive JSON parser survives).
DEEP_JSON = WRONG_Q1 + '''
import json
_dumps = json.dumps
def _deep(obj, *args, **kwargs):
    if isinstance(obj, dict) and "persisting_long_enough" in obj:
        return '{"persisting_long_enough": ' + "[" * 90_000 + "]" * 90_000 + "}"
    return _dumps(obj, *args, **kwargs)
json.dumps = _deep
'''

# 30 cells of the student's own, each showing three errors as large as the old trimming kept in full
# (4000-character message, 60 traceback lines of 4000): 22 MB of errors, none of it counted before.
ERROR_FLOOD_CELL = """
ip = get_ipython()
for _ in range(3):
    ip._showtraceback(ValueError, "E" * 4000, ["T" * 4000] * 60)
"""

# Fills what is left of the notebook's output budget to its last hundred bytes (greedy, largest first).
FILLER = """
for size in [2 ** k for k in range(17, 5, -1)] + [40] * 4:
    print("w" * size, flush=True)
"""


def _answers(q1: str, q2: str = GOOD_Q2) -> Callable[[Path, str, Context], None]:
    def build(course: Path, student: str, ctx: Context) -> None:
        submit(course, student, notebook_with(course, q1, q2))

    return build


def _error_flood(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, WRONG_Q1, GOOD_Q2)
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_q1")
    nb.cells[at + 1:at + 1] = [nbformat.v4.new_code_cell(ERROR_FLOOD_CELL) for _ in range(30)]
    submit(course, student, nb)


def _honest_big_print(course: Path, student: str, ctx: Context) -> None:
    """All answers right, and cells of their own printing 20 MB: 105 cells of 195 kB each, then a cell that
    spends the notebook's output budget to its last hundred bytes."""
    nb = notebook_with(course, GOOD_Q1, GOOD_Q2)
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_q1")
    chatter = [nbformat.v4.new_code_cell(f"print('{i} ' + 'weeks ' * 32_500)") for i in range(105)]
    chatter.append(nbformat.v4.new_code_cell(FILLER))
    nb.cells[at + 1:at + 1] = chatter
    submit(course, student, nb)


CHANNEL: list[Case] = [
    Case("forged_block_hook", "a pre_run_cell hook printing a forged answer block (check_equal, abs) first", 2,
         _answers(FORGED_BLOCK_HOOK, LEAK_Q2)),
    Case("forged_block_print", "the student's own print of a forged answer block inside the export", 2,
         _answers(FORGED_BLOCK_PRINT, LEAK_Q2)),
    Case("forged_names_one_block", "one answer block carrying names the test never asked for (check_equal, "
         "builtins)", 2, _answers(FORGED_NAMES_ONE_BLOCK, LEAK_Q2)),
    Case("deep_json_answer", "an answer block nested 90,000 deep", 2, _answers(DEEP_JSON)),
    Case("error_flood", "22 MB of error outputs (30 cells, three large errors each)", 2, _error_flood),
    Case("honest_big_print", "an honest student printing 20 MB (past the notebook's output budget)", 5,
         _honest_big_print),
]
